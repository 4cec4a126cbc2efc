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
  // A transpose in 16 × 16 tiles, so that reads and writes both stay within a few cache lines.
  const T = 16;
  for (let c0 = 0; c0 < channels; c0 += T) {
    const c1 = Math.min(channels, c0 + T);
    for (let p0 = 0; p0 < plane; p0 += T) {
      const p1 = Math.min(plane, p0 + T);
      for (let c = c0; c < c1; ++c) for (let p = p0, src = c * plane; p < p1; ++p) values[p * channels + c] = data[src + p];
    }
  }
  return {values, channels, width, height};
}
