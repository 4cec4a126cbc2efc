// Decoded images as plain typed arrays: row-major, interleaved channels, like an ImageData.

/** An 8-bit image: `channels` values per pixel (3 = RGB, 4 = RGBA with straight alpha), row-major. */
export interface Pixels {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  channels: 3 | 4;
}

/** An RGB image with float values in [0, 255], row-major, 3 values per pixel. */
export interface RgbFloat {
  data: Float32Array;
  width: number;
  height: number;
}

/** Checks that `pixels` holds width × height × channels values. */
export function checkPixels(pixels: Pixels): void {
  const {data, width, height, channels} = pixels;
  if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0)) {
    throw new RangeError(`invalid image size: ${width}×${height}`);
  }
  if (channels !== 3 && channels !== 4) throw new RangeError(`invalid channel count: ${channels}`);
  if (data.length !== width * height * channels) {
    throw new RangeError(`image data has ${data.length} values, expected ${width}×${height}×${channels}`);
  }
}

/** The model input as the model sees it: 8-bit RGB, 3 bytes per pixel, row-major (alpha already flattened). */
export interface Rgb8 extends Pixels {
  data: Uint8Array;
  channels: 3;
}

/** Rounds float RGB to 8 bits: the resized model input becomes the exact pixels the model is fed (and stored). */
export function rgbToBytes(image: RgbFloat): Uint8Array {
  const out = new Uint8Array(image.data.length);
  for (let i = 0; i < out.length; ++i) out[i] = Math.max(0, Math.min(255, Math.round(image.data[i])));
  return out;
}
