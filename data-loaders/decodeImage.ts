// Decodes an image file to 8-bit pixels with sharp, applying its EXIF orientation, so the core can crop
// and resize it exactly as the browser path does.

import {readFile} from "node:fs/promises";
import sharp from "sharp";
import {decodeBmp, isBmp} from "../src/core/bmp.js";
import type {Pixels} from "../src/core/pixels.js";

/** Decodes `file` (JPEG, PNG, WebP, GIF (first frame), TIFF, AVIF, BMP) to sRGB pixels; errors name the file.
 * BMP, which sharp does not read (browsers do, so uploads take it), goes through src/core/bmp.ts. */
export async function decodeImage(file: string): Promise<Pixels> {
  try {
    const head = new Uint8Array(await readFile(file));
    if (isBmp(head)) return decodeBmp(head, file);
    const {data, info} = await sharp(file, {failOn: "error", limitInputPixels: 16384 * 16384})
      .rotate() // EXIF orientation
      .toColourspace("srgb")
      .raw({depth: "uchar"})
      .toBuffer({resolveWithObject: true});
    if (info.channels !== 3 && info.channels !== 4) throw new Error(`unexpected ${info.channels} channels after conversion to sRGB`);
    return {data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: info.channels};
  } catch (error) {
    throw new Error(`could not decode image ${file}: ${(error as Error).message}`);
  }
}

/** Encodes 8-bit RGB as a lossless PNG (the image the model saw: decoding it gives back these bytes). */
export async function encodePng(rgb: Uint8Array, width: number, height: number): Promise<Uint8Array> {
  const buffer = await sharp(rgb, {raw: {width, height, channels: 3}}).png({compressionLevel: 9, adaptiveFiltering: true}).toBuffer();
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
