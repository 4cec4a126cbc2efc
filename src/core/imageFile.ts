// What an uploaded file is, before the browser decodes it, and the messages for files that are refused:
// file names quoted for messages, format sniffing from the bytes (whatever the name or type says), the
// pixel size read from the header (so an image too large is refused before its pixels are decoded), and a
// check that a JPEG, PNG or WebP file is complete. Shared by the uploads worker and the tests.
// No DOM, no Node APIs: bytes in, answers out.

/** Longest file name shown in a message, in characters (longer names keep their start and extension). */
export const MAX_NAME_CHARS = 80;

/** The formats browsers are asked to decode, for messages. */
export const ACCEPTED_FORMATS = "JPEG, PNG, WebP, GIF, AVIF, BMP or TIFF";

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
  return escapeBidi(JSON.stringify(name));
}

/** Bidirectional formatting characters (marks, embeddings, overrides, isolates): in a user's name they can
 * mirror the text around it ("photo\u202Egnp.txt" shows as "photo" + "txt.png" reversed). */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
/** Letters of right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, N'Ko…, and their presentation forms). */
const RTL_LETTERS = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFC]|[\u{10800}-\u{10FFF}\u{1E800}-\u{1EFFF}]/u;

/** `text` with every bidirectional formatting character written out as its \\uXXXX escape. */
function escapeBidi(text: string): string {
  return text.replace(BIDI_CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`);
}

/**
 * A user-given name (a file name) as pages show it in running text, captions and aria-labels: its
 * bidirectional formatting characters written out as escapes (so none can mirror the page's text), and,
 * when it holds right-to-left letters, wrapped in FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE so that
 * its direction stays inside it. The one place that isolates user-given names; plain names come back as
 * they are.
 */
export function isolateName(name: string): string {
  const escaped = escapeBidi(name);
  return RTL_LETTERS.test(escaped) ? `\u2068${escaped}\u2069` : escaped;
}

/** `text` cut to at most `max` characters (whole code points, never half an emoji), "…" marking a cut. */
export function cutName(text: string, max: number): string {
  // Grapheme clusters where the runtime can segment them (an emoji with modifiers or joiners stays whole).
  const Segmenter = (Intl as {Segmenter?: new (locale?: string, options?: {granularity: "grapheme"}) => {segment(text: string): Iterable<{segment: string}>}}).Segmenter;
  const chars = Segmenter ? Array.from(new Segmenter(undefined, {granularity: "grapheme"}).segment(text), (s) => s.segment) : Array.from(text);
  return chars.length > max ? `${chars.slice(0, max - 1).join("")}…` : text;
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

/**
 * The size of an AVIF or HEIF image from its ISO-BMFF boxes: every image spatial extent (`ispe`) property
 * under meta → iprp → ipco, the largest of them (a grid image's tiles are smaller than the grid), or null
 * when there is none. The file is complete when its top-level boxes fit in it.
 */
function walkIsoBmff(b: Uint8Array): {width: number | null; height: number | null; complete: boolean} {
  let width: number | null = null, height: number | null = null;
  let complete = true;
  /** Calls `visit(type, start, end)` for each box from `from` to `to` (start: the box's content). */
  const boxes = (from: number, to: number, visit: (type: string, start: number, end: number) => void) => {
    let i = from;
    while (i + 8 <= to) {
      let size = u32be(b, i);
      const type = ascii(b, i + 4, i + 8);
      let start = i + 8;
      if (size === 1) {
        if (i + 16 > to) return void (complete = false);
        size = u32be(b, i + 8) * 2 ** 32 + u32be(b, i + 12);
        start = i + 16;
      } else if (size === 0) size = to - i;
      if (size < start - i) return void (complete = false);
      const end = i + size;
      if (end > to) {
        complete = false;
        visit(type, start, to);
        return;
      }
      visit(type, start, end);
      i = end;
    }
  };
  boxes(0, b.length, (type, start, end) => {
    if (type !== "meta") return;
    boxes(start + 4, end, (type, start, end) => {
      if (type !== "iprp") return;
      boxes(start, end, (type, start, end) => {
        if (type !== "ipco") return;
        boxes(start, end, (type, start, end) => {
          if (type !== "ispe" || start + 12 > end) return;
          const w = u32be(b, start + 4), h = u32be(b, start + 8);
          if (width === null || height === null || w * h > width * height) (width = w), (height = h);
        });
      });
    });
  });
  return {width, height, complete};
}

/** What the bytes of an image file say before it is decoded. */
export interface ImageHeader {
  format: ImageFormat;
  /** Pixel size from the header (before EXIF orientation), or null when the header does not give it. */
  width: number | null;
  height: number | null;
  /** False when the file ends before its image data does (JPEG, PNG, WebP, AVIF and HEIF are checked; others count as complete). */
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
    case "avif":
    case "heic": return {format, ...walkIsoBmff(bytes)};
    default: return {format, width: null, height: null, complete: true};
  }
}

/** Largest upload, in pixels (width × height of the decoded image): 50 megapixels. Its RGBA pixels take
 * 200 MB while they are read. */
export const MAX_UPLOAD_PIXELS = 50_000_000;

/** Formats whose pixel size is read from the header before anything is decoded. */
const MEASURED = new Set<ImageFormat>(["jpeg", "png", "webp", "gif", "bmp", "avif", "heic"]);

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
 * PNG, WebP, AVIF or HEIF cut short is refused, and the size read from the header is checked against
 * `maxPixels` (so the pixels of an image too large are never decoded). A file whose size cannot be read
 * from its header (an unrecognised format, ICO, JPEG XL, a header without a size) is refused: the
 * browser would decode it in full before its size is known. `measure` reads the size of a format whose
 * header this module does not parse (the uploads worker's TIFF reader): null when the file gives none,
 * undefined for a format it does not read. Returns the header, with the measured size.
 */
export function checkUploadBytes(
  name: string | null | undefined,
  type: string,
  bytes: Uint8Array,
  maxPixels = MAX_UPLOAD_PIXELS,
  measure?: (format: ImageFormat, bytes: Uint8Array) => {width: number; height: number} | null | undefined
): ImageHeader {
  const what = describeUpload(name);
  const sniffed = sniffFile(bytes.subarray(0, 4096));
  if (sniffed.kind === "svg") throw new Error(svgMessage(what));
  if (sniffed.kind === "other") throw new Error(`${what} is ${sniffed.what}, not an image: choose a ${ACCEPTED_FORMATS} file`);
  if (sniffed.kind === "unknown") {
    if (type && !type.toLowerCase().startsWith("image/")) throw new Error(`${what} is not an image (its type is ${type}): choose a ${ACCEPTED_FORMATS} file`);
    throw new Error(`${what} is not in a format this page recognises, so its size cannot be checked before it is decoded: choose a ${ACCEPTED_FORMATS} file`);
  }
  const header = readImageHeader(bytes, sniffed.format);
  if (!header.complete) {
    throw new Error(`${what} is cut short: its ${FORMAT_NAMES[header.format]} data ends before the image does (an interrupted download or copy?); choose the image again, or re-export it`);
  }
  // The size must come from the header: a format whose size cannot be read there (ICO, JPEG XL, or a
  // header without one) would be decoded in full before its size is known, so a small file could take
  // gigabytes (a decompression bomb).
  const measured = header.width === null || header.height === null ? measure?.(header.format, bytes) : undefined;
  if (measured) return checkUploadPixels(name, measured.width, measured.height, maxPixels), {...header, ...measured};
  if (header.width === null || header.height === null) {
    throw new Error(MEASURED.has(header.format) || measured === null
      ? `${what} is a ${FORMAT_NAMES[header.format]} file whose header gives no pixel size, so it cannot be checked before it is decoded: re-export it, or convert it to PNG or JPEG`
      : `${what} is a ${FORMAT_NAMES[header.format]} file, which is not accepted (its size cannot be checked before it is decoded): convert it to PNG or JPEG`);
  }
  checkUploadPixels(name, header.width, header.height, maxPixels);
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

/**
 * The bytes of a file the user chose (an image or a model), read in full. A file deleted, moved or edited
 * on disk after it was chosen cannot be read any more (the browser raises NotFoundError or
 * NotReadableError, whose own words blame "permission problems"): that is said in our words. `what` names
 * the file (quoted).
 */
export async function readChosenFile(file: Blob, what: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await file.arrayBuffer());
  } catch (error) {
    const name = (error as DOMException)?.name;
    if (name === "NotFoundError" || name === "NotReadableError") {
      throw new Error(`${what} changed or vanished since it was chosen (it was edited, moved or deleted on disk): choose it again`);
    }
    throw error;
  }
}

/** The message for an upload the browser could not decode, keeping the browser's reason. */
export function decodeFailure(name: string | null | undefined, type: string, reason: string, format?: ImageFormat | null): string {
  const kind = format ? ` (a ${FORMAT_NAMES[format]} file)` : type ? ` (type ${type})` : "";
  return `could not decode ${describeUpload(name)}${kind} as an image: ${reason.replace(/\.+$/, "")}. Use a ${ACCEPTED_FORMATS} file`;
}
