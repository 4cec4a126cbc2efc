// TIFF decoding for uploads: browsers decode no TIFF, while the build (sharp) does, so datasets took TIFF
// files and uploads did not. utif (MIT, pure JavaScript) reads the first image of the file to 8-bit RGBA;
// the EXIF orientation tag (274) is applied here, as sharp's rotate() does in the build. Colour profiles
// are not applied (the pixels are taken as sRGB). No DOM, no Node APIs.
import UTIF from "utif";
import type {Pixels} from "./pixels.js";

/** The first image's size, from its tags, before any pixel is decoded; null when the file has none. */
export function tiffSize(bytes: Uint8Array): {width: number; height: number} | null {
  try {
    const [first] = UTIF.decode(bytes);
    const width = first?.t256?.[0], height = first?.t257?.[0];
    return width && height ? {width, height} : null;
  } catch {
    return null; // decodeTiff says what is wrong
  }
}

/** Decodes the first image of TIFF `bytes` to RGBA, upright; errors name `what` and what to do. */
export function decodeTiff(bytes: Uint8Array, what = "the TIFF file"): Pixels {
  let rgba: Uint8Array, width: number, height: number, orientation: number;
  try {
    const ifds = UTIF.decode(bytes);
    const first = ifds[0];
    if (!first?.t256) throw new Error("it holds no image");
    UTIF.decodeImage(bytes, first, ifds);
    rgba = UTIF.toRGBA8(first);
    ({width, height} = first);
    orientation = first.t274?.[0] ?? 1;
  } catch (error) {
    throw new Error(`could not decode ${what} as a TIFF image: ${(error as Error).message || String(error)}. Save it as PNG or JPEG and try again`);
  }
  if (!(width > 0 && height > 0) || rgba.length !== width * height * 4) throw new Error(`could not decode ${what} as a TIFF image: its pixels are missing or cut short. Save it as PNG or JPEG and try again`);
  return orient({data: rgba, width, height, channels: 4}, orientation);
}

/** `pixels` (RGBA) turned upright for EXIF orientation `o` (1–8; 5–8 swap width and height). */
function orient(pixels: Pixels, o: number): Pixels {
  if (!(o >= 2 && o <= 8)) return pixels;
  const {data, width: w, height: h} = pixels;
  const swap = o >= 5;
  const W = swap ? h : w, H = swap ? w : h;
  const out = new Uint8Array(W * H * 4);
  for (let y = 0; y < H; ++y)
    for (let x = 0; x < W; ++x) {
      // Where the upright pixel (x, y) is in the stored image.
      const [sx, sy] =
        o === 2 ? [w - 1 - x, y] : o === 3 ? [w - 1 - x, h - 1 - y] : o === 4 ? [x, h - 1 - y] :
        o === 5 ? [y, x] : o === 6 ? [y, h - 1 - x] : o === 7 ? [w - 1 - y, h - 1 - x] : [w - 1 - y, x];
      out.set(data.subarray((sy * w + sx) * 4, (sy * w + sx) * 4 + 4), (y * W + x) * 4);
    }
  return {data: out, width: W, height: H, channels: 4};
}
