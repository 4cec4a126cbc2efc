// Layout change from a layer's output tensor to one vector per cell.

/** Reorders a [1, C, H, W] (or [1, H, W, C]) activation into cell-major order: H·W rows of C values. */
export function toCellMajor(data: Float32Array, dims: readonly number[], layout: "NCHW" | "NHWC"): {
  values: Float32Array;
  channels: number;
  width: number;
  height: number;
} {
  if (dims.length !== 4 || dims[0] !== 1) throw new RangeError(`expected a [1, …] 4-D activation, got [${dims.join(", ")}]`);
  const [channels, height, width] = layout === "NCHW" ? [dims[1], dims[2], dims[3]] : [dims[3], dims[1], dims[2]];
  if (data.length !== channels * height * width) throw new RangeError(`activation has ${data.length} values, expected ${channels * height * width}`);
  if (layout === "NHWC") return {values: data, channels, width, height};
  const plane = width * height;
  const values = new Float32Array(data.length);
  for (let c = 0; c < channels; ++c) {
    for (let p = 0; p < plane; ++p) values[p * channels + c] = data[c * plane + p];
  }
  return {values, channels, width, height};
}
