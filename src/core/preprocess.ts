// Turns an RGB image (values 0–255: 8-bit in the pipeline, floats in tests) into the model's input tensor: value range, channel order, layout.

import type {InputSpec} from "./modelSpec.js";

/** The input tensor's values and dims ([1, 3, H, W] or [1, H, W, 3]). */
export interface InputTensor {
  data: Float32Array;
  dims: [number, number, number, number];
}

/** Per-channel a·v + b coefficients in RGB order that map [0, 255] to the model's range. */
function affine(input: InputSpec): {a: number[]; b: number[]} {
  const n = input.normalization;
  if (n.kind === "range") {
    const a = (n.max - n.min) / 255;
    return {a: [a, a, a], b: [n.min, n.min, n.min]};
  }
  // mean and std are given in the model's channel order; reorder them to RGB.
  const order = input.channelOrder === "BGR" ? [2, 1, 0] : [0, 1, 2];
  const mean = order.map((c) => n.mean[c]);
  const std = order.map((c) => n.std[c]);
  return {a: std.map((s) => 1 / (255 * s)), b: mean.map((m, c) => -m / std[c])};
}

/**
 * 8-bit RGB turned grey in place, R = G = B = round(0.299 R + 0.587 G + 0.114 B) (ITU-R BT.601 luma, as
 * Pillow's convert("L")): what a greyscale (1-channel) model is fed, and shown as the picture it saw.
 */
export function toGrey<T extends {data: Uint8Array}>(image: T): T {
  const {data} = image;
  for (let i = 0; i + 2 < data.length; i += 3) {
    const y = Math.round(0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!);
    data[i] = data[i + 1] = data[i + 2] = y;
  }
  return image;
}

/** Builds the model input for one image (for a 1-channel model, from its first colour: pass it through toGrey first). */
export function toInputTensor(image: {data: ArrayLike<number>; width: number; height: number}, input: InputSpec): InputTensor {
  const {width, height, data} = image;
  if (width < input.minSize || height < input.minSize) {
    throw new RangeError(`image ${width}×${height} is smaller than the model's minimum ${input.minSize}×${input.minSize}`);
  }
  if (input.fixedSize && (input.fixedSize.width !== width || input.fixedSize.height !== height)) {
    throw new RangeError(`image ${width}×${height} does not match the model's fixed input ${input.fixedSize.width}×${input.fixedSize.height}`);
  }
  const {a, b} = affine(input);
  const plane = width * height;
  if (input.channels === 1) {
    // One channel: the grey value, normalised with the mean of the three channels' coefficients.
    const a1 = (a[0]! + a[1]! + a[2]!) / 3, b1 = (b[0]! + b[1]! + b[2]!) / 3;
    const grey = new Float32Array(plane);
    for (let p = 0; p < plane; ++p) grey[p] = a1 * data[p * 3]! + b1;
    return {data: grey, dims: input.layout === "NCHW" ? [1, 1, height, width] : [1, height, width, 1]};
  }
  const out = new Float32Array(plane * 3);
  const bgr = input.channelOrder === "BGR";
  const nchw = input.layout === "NCHW";
  for (let p = 0; p < plane; ++p) {
    for (let c = 0; c < 3; ++c) {
      const v = a[c] * data[p * 3 + c] + b[c];
      const k = bgr ? 2 - c : c; // position of this colour in the model's channel order
      out[nchw ? k * plane + p : p * 3 + k] = v;
    }
  }
  return {data: out, dims: nchw ? [1, 3, height, width] : [1, height, width, 3]};
}
