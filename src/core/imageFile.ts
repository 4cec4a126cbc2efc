// What an uploaded file is, before the browser decodes it, and the messages for files that are refused:
// file names quoted for messages, format sniffing from the bytes (whatever the name or type says), the
// pixel size read from the header (so an image too large is refused before its pixels are decoded), and a
// check that a JPEG, PNG or WebP file is complete. Shared by the uploads worker and the tests.
// No DOM, no Node APIs: bytes in, answers out.

/** Longest file name shown in a message, in characters (longer names keep their start and extension). */
export const MAX_NAME_CHARS = 80;

/** The formats browsers are asked to decode, for messages. */
export const ACCEPTED_FORMATS = "JPEG, PNG, WebP, GIF, AVIF or BMP";

/**
 * A file name as messages show it: in double quotes, control characters and quotes escaped (JSON
 * string syntax), at most `max` characters (the middle gives way to "…", the extension stays). The text
 * is meant for `textContent`: nothing in it is HTML, and nothing is HTML-escaped either (a name with
 * `<img …>` in it shows as typed). Without a name: `fallback`.
 */
export function quoteName(name: string | null | undefined, fallback = "the image", max = MAX_NAME_CHARS): string {
  if (!name) return fallback;
  const chars = Array.from(name); // code points, so a surrogate pair is never cut in two
  if (chars.length > max) {
    const dot = name.lastIndexOf(".");
    const ext = dot > 0 && name.length - dot <= 10 ? Array.from(name.slice(dot)) : [];
    const keep = Math.max(1, max - 1 - ext.length);
    name = [...chars.slice(0, keep), "…", ...ext].join("");
  }
  return JSON.stringify(name);
}

/** How an upload is named in messages: its file name in quotes, or "the image". */
export function describeUpload(name: string | null | undefined): string {
  return quoteName(name, "the image");
}

/** Raster formats recognised by their first bytes. */
export type ImageFormat = "jpeg" | "png" | "gif" | "webp" | "bmp" | "avif" | "heic" | "ico" | "tiff" | "jxl";

/** What the first bytes of a file say it is. */
export type Sniffed =
  | {kind: "image"; format: ImageFormat}
  | {kind: "svg"}
  /** Something that is plainly not an image; `what` is a noun phrase ("a PDF document"). */
  | {kind: "other"; what: string}
  | {kind: "unknown"};

/** Display names of the raster formats. */
export const FORMAT_NAMES: Record<ImageFormat, string> = {
  jpeg: "JPEG", png: "PNG", gif: "GIF", webp: "WebP", bmp: "BMP", avif: "AVIF", heic: "HEIC", ico: "ICO", tiff: "TIFF", jxl: "JPEG XL"
};

const ascii = (bytes: Uint8Array, start: number, end: number): string => String.fromCharCode(...bytes.subarray(start, end));
const startsWith = (bytes: Uint8Array, sig: readonly number[], at = 0): boolean => sig.every((b, i) => bytes[at + i] === b);

/** True when `bytes` look like text: no NUL or other control bytes but tab, newlines and form feed, and valid UTF-8 (a character cut at the end is allowed). */
function looksLikeText(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return false;
  for (const b of bytes) if (b === 0x7f || (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0c && b !== 0x0d && b !== 0x1b)) return false;
  for (let cut = 0; cut < 4 && cut < bytes.length; ++cut) {
    try {
      new TextDecoder("utf-8", {fatal: true}).decode(bytes.subarray(0, bytes.length - cut));
      return true;
    } catch {
      // maybe a multi-byte character cut at the end: try shorter
    }
  }
  return false;
}

/**
 * What the first bytes of a file are (pass at least the first 4 KB for text formats). Known raster
 * formats by their signature; SVG by its markup (after a BOM, white space, an XML declaration, comments
 * or a doctype: an `<svg` element); then a few common non-images; else "unknown" (let the browser try).
 */
export function sniffFile(head: Uint8Array): Sniffed {
  const image = (format: ImageFormat): Sniffed => ({kind: "image", format});
  if (startsWith(head, [0xff, 0xd8, 0xff])) return image("jpeg");
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return image("png");
  if (ascii(head, 0, 6) === "GIF87a" || ascii(head, 0, 6) === "GIF89a") return image("gif");
  if (ascii(head, 0, 4) === "RIFF" && ascii(head, 8, 12) === "WEBP") return image("webp");
  if (ascii(head, 0, 2) === "BM" && head.length >= 26 && head[14]! >= 12 && head[15] === 0 && head[16] === 0 && head[17] === 0) return image("bmp");
  if (startsWith(head, [0x00, 0x00, 0x01, 0x00]) && head.length >= 6 && head[4]! + head[5]! > 0) return image("ico");
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) return image("tiff");
  if (startsWith(head, [0xff, 0x0a]) || startsWith(head, [0, 0, 0, 0x0c, 0x4a, 0x58, 0x4c, 0x20])) return image("jxl");
  if (ascii(head, 4, 8) === "ftyp") {
    const brands = [ascii(head, 8, 12), ...Array.from({length: 8}, (_, i) => ascii(head, 16 + 4 * i, 20 + 4 * i))];
    if (brands.some((b) => b === "avif" || b === "avis")) return image("avif");
    if (brands.some((b) => ["heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1"].includes(b))) return image("heic");
    return {kind: "other", what: "a video (MP4 or QuickTime)"};
  }
  if (ascii(head, 0, 5) === "%PDF-") return {kind: "other", what: "a PDF document"};
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) return {kind: "other", what: "a ZIP archive (or an Office document)"};
  if (startsWith(head, [0x1f, 0x8b])) return {kind: "other", what: "a gzip archive"};
  if (ascii(head, 0, 4) === "RIFF") return {kind: "other", what: ascii(head, 8, 12) === "WAVE" ? "a WAV sound file" : "a RIFF file (e.g. AVI video)"};
  if (ascii(head, 0, 3) === "ID3") return {kind: "other", what: "an MP3 sound file"};

  // Markup and text. Skip a UTF-8 BOM, then look at the start, case-insensitively.
  const text = looksLikeText(head) ? new TextDecoder().decode(head).replace(/^\uFEFF/, "") : null;
  if (text !== null) {
    const lead = text.replace(/^(\s|<\?xml[^>]*>|<!--[\s\S]*?-->|<!DOCTYPE\s+svg[^>]*>)*/i, "");
    if (/^<svg[\s>/]/i.test(lead) || (/^\s*<\?xml/i.test(text) && /<svg[\s>/]/i.test(text))) return {kind: "svg"};
    if (/^\s*(<!DOCTYPE\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<script[\s>])/i.test(text)) return {kind: "other", what: "an HTML page"};
    if (/^\s*<\?xml/i.test(text)) return {kind: "other", what: "an XML file"};
    if (/^\s*[[{]/.test(text)) return {kind: "other", what: "a JSON or text file"};
    return {kind: "other", what: "a text file"};
  }
  return {kind: "unknown"};
}

const u16be = (b: Uint8Array, i: number) => (b[i]! << 8) | b[i + 1]!;
const u16le = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8);
const u24le = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16);
const u32be = (b: Uint8Array, i: number) => ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
const i32le = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
const u32le = (b: Uint8Array, i: number) => i32le(b, i) >>> 0;

/** JPEG markers without a length field: TEM, RST0–7, SOI, EOI. */
const standalone = (m: number) => m === 0x01 || (m >= 0xd0 && m <= 0xd9);

/**
 * Walks a JPEG's marker segments: the frame size (from the first SOFn) and whether the data reaches its
 * end marker (EOI), following the entropy-coded data after each scan. Bytes after EOI (trailers some
 * cameras append) are allowed.
 */
function walkJpeg(b: Uint8Array): {width: number | null; height: number | null; complete: boolean} {
  let width: number | null = null, height: number | null = null;
  let i = 2;
  while (i + 1 < b.length) {
    if (b[i] !== 0xff) return {width, height, complete: false}; // lost sync: corrupt
    const m = b[i + 1]!;
    if (m === 0xff) { ++i; continue; } // fill byte
    if (m === 0xd9) return {width, height, complete: true};
    if (standalone(m)) { i += 2; continue; }
    if (i + 3 >= b.length) break;
    const length = u16be(b, i + 2);
    if (length < 2) return {width, height, complete: false};
    const isSof = m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
    if (isSof && width === null && i + 8 < b.length) {
      height = u16be(b, i + 5);
      width = u16be(b, i + 7);
    }
    i += 2 + length;
    if (m === 0xda) {
      // Entropy-coded data: runs until a marker other than a stuffed 0xFF00 or a restart marker.
      while (i + 1 < b.length && !(b[i] === 0xff && b[i + 1] !== 0x00 && !(b[i + 1]! >= 0xd0 && b[i + 1]! <= 0xd7))) ++i;
    }
  }
  return {width, height, complete: false};
}

/** Walks a PNG's chunks: the size (IHDR) and whether an IEND chunk is reached. Bytes after IEND are allowed. */
function walkPng(b: Uint8Array): {width: number | null; height: number | null; complete: boolean} {
  const sized = b.length >= 24 && ascii(b, 12, 16) === "IHDR";
  const width = sized ? u32be(b, 16) : null, height = sized ? u32be(b, 20) : null;
  let i = 8;
  while (i + 8 <= b.length) {
    const length = u32be(b, i);
    const type = ascii(b, i + 4, i + 8);
    if (i + 12 + length > b.length) break;
    if (type === "IEND") return {width, height, complete: true};
    i += 12 + length;
  }
  return {width, height, complete: false};
}

/** The canvas size of a WebP file, and whether the RIFF container holds as many bytes as it says. */
function walkWebp(b: Uint8Array): {width: number | null; height: number | null; complete: boolean} {
  const complete = b.length >= 12 && b.length >= 8 + u32le(b, 4);
  const chunk = ascii(b, 12, 16);
  if (chunk === "VP8X" && b.length >= 30) return {width: u24le(b, 24) + 1, height: u24le(b, 27) + 1, complete};
  if (chunk === "VP8 " && b.length >= 30) return {width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff, complete};
  if (chunk === "VP8L" && b.length >= 25) {
    const bits = u32le(b, 21);
    return {width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1, complete};
  }
  return {width: null, height: null, complete};
}

/** What the bytes of an image file say before it is decoded. */
export interface ImageHeader {
  format: ImageFormat;
  /** Pixel size from the header (before EXIF orientation), or null when this module does not read it. */
  width: number | null;
  height: number | null;
  /** False when the file ends before its image data does (JPEG, PNG and WebP are checked; others count as complete). */
  complete: boolean;
}

/** Reads the size and completeness of an image file of a sniffed `format` from all its bytes. */
export function readImageHeader(bytes: Uint8Array, format: ImageFormat): ImageHeader {
  switch (format) {
    case "jpeg": return {format, ...walkJpeg(bytes)};
    case "png": return {format, ...walkPng(bytes)};
    case "webp": return {format, ...walkWebp(bytes)};
    case "gif": return {format, width: bytes.length >= 10 ? u16le(bytes, 6) : null, height: bytes.length >= 10 ? u16le(bytes, 8) : null, complete: true};
    case "bmp": return {format, width: bytes.length >= 26 ? Math.abs(i32le(bytes, 18)) : null, height: bytes.length >= 26 ? Math.abs(i32le(bytes, 22)) : null, complete: true};
    default: return {format, width: null, height: null, complete: true};
  }
}

/** Largest upload, in pixels (width × height of the decoded image): 50 megapixels. Its RGBA pixels take
 * 200 MB while they are read. */
export const MAX_UPLOAD_PIXELS = 50_000_000;

/** Image types a browser may know that are refused by type alone. */
const SVG_TYPES = new Set(["image/svg+xml", "image/svg"]);

const svgMessage = (what: string) =>
  `${what} is an SVG drawing: SVG can carry scripts and has no fixed pixel size, so it is not accepted; export it as PNG or JPEG`;

/** Checks an upload before its bytes are read: not empty, not SVG by its type. */
export function checkUploadFile(name: string | null | undefined, type: string, size: number): void {
  const what = describeUpload(name);
  if (size === 0) throw new Error(`${what} is a zero-byte file: choose the image again, or re-export it`);
  if (SVG_TYPES.has(type.toLowerCase()) || /\.svgz?$/i.test(name ?? "")) throw new Error(svgMessage(what));
}

/**
 * Checks an upload's bytes (all of them, or at least the first 64 KB for the format alone) before the
 * browser decodes them, whatever its name and type say: SVG and plain non-images are refused, a JPEG,
 * PNG or WebP cut short is refused, and an image whose header gives its size is checked against
 * `maxPixels` (so its pixels are never decoded). Returns the header, or null when the format is not
 * recognised and the browser should try (then the type must not say it is something else).
 */
export function checkUploadBytes(name: string | null | undefined, type: string, bytes: Uint8Array, maxPixels = MAX_UPLOAD_PIXELS): ImageHeader | null {
  const what = describeUpload(name);
  const sniffed = sniffFile(bytes.subarray(0, 4096));
  if (sniffed.kind === "svg") throw new Error(svgMessage(what));
  if (sniffed.kind === "other") throw new Error(`${what} is ${sniffed.what}, not an image: choose a ${ACCEPTED_FORMATS} file`);
  if (sniffed.kind === "unknown") {
    // An empty type means the browser did not know it (e.g. a file without extension): try decoding.
    if (type && !type.toLowerCase().startsWith("image/")) throw new Error(`${what} is not an image (its type is ${type}): choose a ${ACCEPTED_FORMATS} file`);
    return null;
  }
  const header = readImageHeader(bytes, sniffed.format);
  if (!header.complete) {
    throw new Error(`${what} is cut short: its ${FORMAT_NAMES[header.format]} data ends before the image does (an interrupted download or copy?); choose the image again, or re-export it`);
  }
  if (header.width !== null && header.height !== null) checkUploadPixels(name, header.width, header.height, maxPixels);
  return header;
}

/** Checks the decoded size of an upload against `limit` pixels, naming the limit. */
export function checkUploadPixels(name: string | null | undefined, width: number, height: number, limit = MAX_UPLOAD_PIXELS): void {
  const what = describeUpload(name);
  if (!(width >= 1 && height >= 1)) throw new Error(`${what} has no pixels (${width}×${height}): choose the image again, or re-export it`);
  if (width * height > limit) {
    // Three significant digits, or more where three would make the size look equal to the limit.
    let digits = 3;
    while (digits < 9 && (width * height / 1e6).toPrecision(digits) === (limit / 1e6).toPrecision(digits)) ++digits;
    const mp = (n: number) => `${Number((n / 1e6).toPrecision(digits))} megapixels`;
    throw new Error(`${what} is too large: ${width}×${height} is ${mp(width * height)}, the limit is ${mp(limit)}; scale it down and try again`);
  }
}

/** The message for an upload the browser could not decode, keeping the browser's reason. */
export function decodeFailure(name: string | null | undefined, type: string, reason: string, format?: ImageFormat | null): string {
  const kind = format ? ` (a ${FORMAT_NAMES[format]} file)` : type ? ` (type ${type})` : "";
  return `could not decode ${describeUpload(name)}${kind} as an image: ${reason.replace(/\.+$/, "")}. Use a ${ACCEPTED_FORMATS} file`;
}
