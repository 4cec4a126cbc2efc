// Crop and resize in plain TypeScript, so the build and the browser feed the model identical pixels
// (sharp and canvas resamplers differ by more than the activations can tolerate).

import type {Pixels, RgbFloat} from "./pixels.js";
import {checkPixels} from "./pixels.js";
import type {Rect} from "./sizePolicy.js";

/** Source taps and weights for each output sample along one axis. */
interface Taps {
  start: Int32Array;
  count: Int32Array;
  weights: Float32Array;
  stride: number;
}

// Triangle (linear) filter with antialiasing: when shrinking by a factor f > 1 the filter widens to
// support f, so every source pixel contributes (as PIL's BILINEAR resize does). Sample centres:
// out pixel i maps to source coordinate (i + 0.5) · f − 0.5 within the crop.
function taps(srcStart: number, srcLength: number, outLength: number): Taps {
  const scale = srcLength / outLength;
  const support = Math.max(1, scale);
  const stride = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outLength);
  const count = new Int32Array(outLength);
  const weights = new Float32Array(outLength * stride);
  for (let i = 0; i < outLength; ++i) {
    const centre = srcStart + (i + 0.5) * scale;
    // Taps stay inside the crop, as if it had been cut out first.
    const lo = Math.max(srcStart, Math.floor(centre - support));
    const hi = Math.min(srcStart + srcLength, Math.ceil(centre + support));
    let total = 0;
    let n = 0;
    for (let j = lo; j < hi && n < stride; ++j, ++n) {
      const w = Math.max(0, 1 - Math.abs(j + 0.5 - centre) / support);
      weights[i * stride + n] = w;
      total += w;
    }
    for (let k = 0; k < n; ++k) weights[i * stride + k] /= total || 1;
    start[i] = lo;
    count[i] = n;
  }
  return {start, count, weights, stride};
}

/** Crops `crop` out of `pixels`, flattens alpha onto white, and resizes to width × height (RGB floats 0–255). */
export function cropResize(pixels: Pixels, crop: Rect, width: number, height: number): RgbFloat {
  checkPixels(pixels);
  const {data, channels} = pixels;
  if (crop.left < 0 || crop.top < 0 || crop.left + crop.width > pixels.width || crop.top + crop.height > pixels.height) {
    throw new RangeError(`crop ${crop.width}×${crop.height}+${crop.left}+${crop.top} exceeds image ${pixels.width}×${pixels.height}`);
  }
  const tx = taps(crop.left, crop.width, width);
  const ty = taps(crop.top, crop.height, height);
  // Horizontal pass over the source rows the vertical pass will read, then the vertical pass.
  const rowLo = ty.start[0];
  const rowHi = ty.start[height - 1] + ty.count[height - 1];
  const mid = new Float32Array((rowHi - rowLo) * width * 3);
  for (let y = rowLo; y < rowHi; ++y) {
    const src = y * pixels.width * channels;
    const dst = (y - rowLo) * width * 3;
    for (let x = 0; x < width; ++x) {
      let r = 0, g = 0, b = 0;
      for (let k = 0, n = tx.count[x], o = x * tx.stride; k < n; ++k) {
        const w = tx.weights[o + k];
        const p = src + (tx.start[x] + k) * channels;
        if (channels === 4) {
          // Straight alpha over white: v·a + 255·(1 − a).
          const a = data[p + 3] / 255;
          const white = 255 * (1 - a);
          r += w * (data[p] * a + white);
          g += w * (data[p + 1] * a + white);
          b += w * (data[p + 2] * a + white);
        } else {
          r += w * data[p];
          g += w * data[p + 1];
          b += w * data[p + 2];
        }
      }
      mid[dst + x * 3] = r;
      mid[dst + x * 3 + 1] = g;
      mid[dst + x * 3 + 2] = b;
    }
  }
  const out = new Float32Array(width * height * 3);
  for (let y = 0; y < height; ++y) {
    for (let k = 0, n = ty.count[y], o = y * ty.stride; k < n; ++k) {
      const w = ty.weights[o + k];
      const src = (ty.start[y] + k - rowLo) * width * 3;
      const dst = y * width * 3;
      for (let i = 0; i < width * 3; ++i) out[dst + i] += w * mid[src + i];
    }
  }
  return {data: out, width, height};
}
