// BMP decoding for the build: sharp (libvips) reads no BMP, while browsers do, so uploads took BMP files
// and datasets did not. This reads the uncompressed kinds (1, 4 and 8 bits with a palette; 16, 24 and 32
// bits, plain or with bit-field masks; bottom-up or top-down rows) to 8-bit RGBA. Run-length and embedded
// JPEG/PNG BMPs are refused with a message. No DOM, no Node APIs.
import type {Pixels} from "./pixels.js";

/** Whether `bytes` start like a BMP file ("BM" and a header size BMP uses). */
export function isBmp(bytes: Uint8Array): boolean {
  return bytes.length >= 26 && bytes[0] === 0x42 && bytes[1] === 0x4d && [12, 40, 52, 56, 64, 108, 124].includes(bytes[14] | (bytes[15] << 8));
}

/** Decodes BMP `bytes` to RGBA (alpha 255 unless the file has an alpha mask); errors say what is wrong, naming `what`. */
export function decodeBmp(bytes: Uint8Array, what = "the BMP file"): Pixels {
  const fail = (problem: string) => new Error(`${what}: ${problem}`);
  if (!isBmp(bytes)) throw fail("not a BMP file");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerSize = view.getUint32(14, true);
  const core = headerSize === 12;
  const width = core ? view.getUint16(18, true) : view.getInt32(18, true);
  const rawHeight = core ? view.getInt16(20, true) : view.getInt32(22, true);
  const bpp = view.getUint16(core ? 24 : 28, true);
  const compression = core ? 0 : view.getUint32(30, true);
  const topDown = rawHeight < 0;
  const height = Math.abs(rawHeight);
  if (!(width > 0 && height > 0)) throw fail(`invalid size ${width}×${height}`);
  if (compression === 1 || compression === 2) throw fail("run-length compressed BMPs are not supported: save it as PNG");
  if (compression !== 0 && compression !== 3 && compression !== 6) throw fail(`BMP compression ${compression} is not supported: save it as PNG`);
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) throw fail(`${bpp} bits per pixel is not a BMP depth this reads: save it as PNG`);

  // Bit-field masks: in the header (V2 and later) or right after a 40-byte one.
  let masks: number[] | null = null;
  if (compression === 3 || compression === 6) {
    const at = 54;
    if (bytes.length < at + 12) throw fail("the file is cut short (no colour masks)");
    masks = [view.getUint32(at, true), view.getUint32(at + 4, true), view.getUint32(at + 8, true), headerSize >= 56 || compression === 6 ? view.getUint32(at + 12, true) : 0];
  } else if (bpp === 16) masks = [0x7c00, 0x03e0, 0x001f, 0];
  else if (bpp === 32) masks = [0xff0000, 0x00ff00, 0x0000ff, 0];
  const channel = (mask: number) => {
    if (!mask) return null;
    let shift = 0;
    while (!((mask >>> shift) & 1)) ++shift;
    const max = mask >>> shift;
    return (v: number) => Math.round((((v & mask) >>> shift) * 255) / max);
  };
  const [r, g, b, a] = (masks ?? [0, 0, 0, 0]).map(channel);

  // The palette, for 1, 4 and 8 bits.
  let palette: Uint8Array | null = null;
  if (bpp <= 8) {
    const entry = core ? 3 : 4;
    const used = core ? 0 : view.getUint32(46, true);
    const count = used || 1 << bpp;
    const start = 14 + headerSize;
    if (bytes.length < start + count * entry) throw fail("the file is cut short (in its palette)");
    palette = new Uint8Array(256 * 3);
    for (let i = 0; i < count && i < 256; ++i) {
      palette[i * 3] = bytes[start + i * entry + 2];
      palette[i * 3 + 1] = bytes[start + i * entry + 1];
      palette[i * 3 + 2] = bytes[start + i * entry];
    }
  }

  const offset = view.getUint32(10, true);
  const stride = Math.floor((bpp * width + 31) / 32) * 4;
  if (bytes.length < offset + stride * height) throw fail(`the file is cut short: ${bytes.length} bytes, its pixels need ${offset + stride * height}`);
  const out = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; ++y) {
    const row = offset + (topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; ++x) {
      const o = (y * width + x) * 4;
      if (palette) {
        const bit = x * bpp;
        const index = (bytes[row + (bit >> 3)] >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
        out[o] = palette[index * 3];
        out[o + 1] = palette[index * 3 + 1];
        out[o + 2] = palette[index * 3 + 2];
        out[o + 3] = 255;
      } else if (bpp === 24 && !masks) {
        const p = row + x * 3;
        out[o] = bytes[p + 2];
        out[o + 1] = bytes[p + 1];
        out[o + 2] = bytes[p];
        out[o + 3] = 255;
      } else {
        const v = bpp === 16 ? view.getUint16(row + x * 2, true) : bpp === 32 ? view.getUint32(row + x * 4, true) : bytes[row + x * 3] | (bytes[row + x * 3 + 1] << 8) | (bytes[row + x * 3 + 2] << 16);
        out[o] = r ? r(v) : 0;
        out[o + 1] = g ? g(v) : 0;
        out[o + 2] = b ? b(v) : 0;
        out[o + 3] = a ? a(v) : 255;
      }
    }
  }
  return {data: out, width, height, channels: 4};
}
