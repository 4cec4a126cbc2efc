// The pure checks for bad uploads (src/core/imageFile.ts, src/core/modelFile.ts) in Node: file names in
// messages, sniffing, header sizes, truncation, the size limits, and every fixture of
// tests/fixtures/badInputs.ts that Node can judge (image checks before decoding; model descriptions with
// onnxruntime-node). The browser runs the same fixtures through the real worker in
// tests/e2e/badInputs.test.ts.
import assert from "node:assert/strict";
import {mkdtempSync, readFileSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {after, before, describe, test} from "node:test";
import * as ort from "onnxruntime-node";
import sharp from "sharp";
import {
  checkUploadBytes,
  checkUploadFile,
  MAX_NAME_CHARS,
  MAX_UPLOAD_PIXELS,
  quoteName,
  readImageHeader,
  sniffFile
} from "../../src/core/imageFile.js";
import {checkModelBytes, checkModelFile, describeModel, formatBytes, MAX_MODEL_BYTES} from "../../src/core/modelFile.js";
import {HTML_NAME, LONG_NAME, SVG_WITH_SCRIPT, writeBadInputs, type BadInput} from "../fixtures/badInputs.js";
import {buildModel} from "../fixtures/makeOnnx.js";
import * as models from "../fixtures/testModels.js";

const text = (s: string) => new TextEncoder().encode(s);
const message = (f: () => unknown): string => {
  try {
    f();
  } catch (error) {
    return (error as Error).message;
  }
  return "no error";
};

describe("file names in messages", () => {
  test("quoted, escaped as JSON, never HTML-escaped", () => {
    assert.equal(quoteName("cat.jpg"), `"cat.jpg"`);
    assert.equal(quoteName(HTML_NAME), `"<img src=x onerror=alert(1)>.png"`);
    assert.equal(quoteName(`a"b\nc.png`), `"a\\"b\\nc.png"`);
    assert.equal(quoteName(""), "the image");
    assert.equal(quoteName(undefined, "the model file"), "the model file");
  });

  test(`at most ${MAX_NAME_CHARS} characters, keeping the extension`, () => {
    const quoted = quoteName(LONG_NAME);
    assert.equal(quoted, `"${LONG_NAME.slice(0, 75)}….txt"`);
    assert.equal(Array.from(JSON.parse(quoted) as string).length, MAX_NAME_CHARS);
    // Code points, not UTF-16 units: an emoji is never cut in half.
    const emoji = quoteName("😀".repeat(100));
    assert.equal(Array.from(JSON.parse(emoji) as string).length, MAX_NAME_CHARS);
    assert.ok(!/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(JSON.parse(emoji) as string), "no lone surrogate");
  });
});

describe("sniffing", () => {
  test("raster formats by signature", async () => {
    const png = await sharp({create: {width: 3, height: 2, channels: 3, background: "red"}}).png().toBuffer();
    const jpeg = await sharp(png).jpeg().toBuffer();
    const webp = await sharp(png).webp().toBuffer();
    const gif = await sharp(png).gif().toBuffer();
    const avif = await sharp(png).avif().toBuffer();
    const tiff = await sharp(png).tiff().toBuffer();
    for (const [bytes, format] of [[png, "png"], [jpeg, "jpeg"], [webp, "webp"], [gif, "gif"], [avif, "avif"], [tiff, "tiff"]] as const) {
      assert.deepEqual(sniffFile(bytes), {kind: "image", format});
      if (format !== "avif" && format !== "tiff") assert.deepEqual(readImageHeader(bytes, format), {format, width: 3, height: 2, complete: true}, format);
    }
  });

  test("SVG, with an XML declaration, a comment, a BOM, or none", () => {
    assert.deepEqual(sniffFile(text(SVG_WITH_SCRIPT)), {kind: "svg"});
    assert.deepEqual(sniffFile(text(`\uFEFF<!-- made by hand -->\n<svg viewBox="0 0 1 1"/>`)), {kind: "svg"});
    assert.deepEqual(sniffFile(text(`<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x.dtd">\n<SVG>`)), {kind: "svg"});
    assert.deepEqual(sniffFile(text(`<?xml version="1.0"?><!-- c --><svg>`)), {kind: "svg"});
  });

  test("plain non-images", () => {
    assert.deepEqual(sniffFile(text("hello")), {kind: "other", what: "a text file"});
    assert.deepEqual(sniffFile(text("<!doctype html><p>hi")), {kind: "other", what: "an HTML page"});
    assert.deepEqual(sniffFile(text(`{"a": 1}`)), {kind: "other", what: "a JSON or text file"});
    assert.deepEqual(sniffFile(text("%PDF-1.7\n%\xe2\xe3")), {kind: "other", what: "a PDF document"});
    assert.deepEqual(sniffFile(Uint8Array.from([0x50, 0x4b, 3, 4, 0, 0])), {kind: "other", what: "a ZIP archive (or an Office document)"});
    assert.deepEqual(sniffFile(Uint8Array.from([0, 1, 2, 3, 200, 201])), {kind: "unknown"});
    // UTF-8 text cut inside a character is still text.
    assert.deepEqual(sniffFile(text("café").subarray(0, 4)), {kind: "other", what: "a text file"});
  });
});

describe("image checks before decoding", () => {
  test("zero bytes and SVG by type or name", () => {
    assert.equal(message(() => checkUploadFile("a.png", "image/png", 0)), `"a.png" is a zero-byte file: choose the image again, or re-export it`);
    assert.match(message(() => checkUploadFile("a.svg", "", 10)), /is an SVG drawing/);
    assert.match(message(() => checkUploadFile("a", "image/svg+xml", 10)), /is an SVG drawing/);
    assert.equal(message(() => checkUploadFile("a.png", "image/png", 10)), "no error");
  });

  test("a type that is not an image, for bytes not recognised", () => {
    const bytes = Uint8Array.from([0, 1, 2, 3, 200]);
    assert.equal(message(() => checkUploadBytes("a.bin", "application/octet-stream", bytes)), `"a.bin" is not an image (its type is application/octet-stream): choose a JPEG, PNG, WebP, GIF, AVIF, BMP or TIFF file`);
    // Unknown type and bytes: refused, since the size of what the browser would decode cannot be checked first.
    assert.equal(message(() => checkUploadBytes("a", "", bytes)), `"a" is not in a format this page recognises, so its size cannot be checked before it is decoded: choose a JPEG, PNG, WebP, GIF, AVIF, BMP or TIFF file`);
  });

  test("truncated PNG and WebP; bytes after the end are fine", async () => {
    const png = await sharp({create: {width: 20, height: 20, channels: 3, background: "blue"}}).png().toBuffer();
    assert.match(message(() => checkUploadBytes("a.png", "image/png", png.subarray(0, png.length - 6))), /^"a\.png" is cut short: its PNG data ends before the image does/);
    assert.equal(checkUploadBytes("a.png", "image/png", Buffer.concat([png, Buffer.from("trailer")]))?.complete, true);
    const webp = await sharp(png).webp().toBuffer();
    assert.match(message(() => checkUploadBytes("a.webp", "image/webp", webp.subarray(0, webp.length - 4))), /its WebP data ends/);
    const jpeg = await sharp(png).jpeg().toBuffer();
    assert.equal(checkUploadBytes("a.jpg", "image/jpeg", Buffer.concat([jpeg, Buffer.from("camera trailer")]))?.complete, true);
    const progressive = await sharp(png).jpeg({progressive: true}).toBuffer();
    assert.deepEqual(readImageHeader(progressive, "jpeg"), {format: "jpeg", width: 20, height: 20, complete: true});
    assert.equal(readImageHeader(progressive.subarray(0, progressive.length - 2), "jpeg").complete, false);
  });

  test("the pixel limit is checked from the header", async () => {
    const png = await sharp({create: {width: 300, height: 200, channels: 3, background: "blue"}}).png().toBuffer();
    assert.equal(message(() => checkUploadBytes("a.png", "image/png", png, 50_000)), `"a.png" is too large: 300×200 is 0.06 megapixels, the limit is 0.05 megapixels; scale it down and try again`);
    assert.equal(MAX_UPLOAD_PIXELS, 50_000_000);
  });
});

describe("model checks", () => {
  test("the size limit, before reading", () => {
    assert.equal(MAX_MODEL_BYTES, 500_000_000);
    assert.equal(message(() => checkModelFile("huge.onnx", 612_000_000)), `"huge.onnx" is 612 MB; the limit is 500 MB, as larger models do not fit in a browser tab's memory: choose a smaller model, or an 8-bit (quantized) export of it`);
    assert.equal(message(() => checkModelFile("edge.onnx", 500_000_001)), `"edge.onnx" is 500,000,001 bytes; the limit is 500 MB, as larger models do not fit in a browser tab's memory: choose a smaller model, or an 8-bit (quantized) export of it`);
    assert.equal(message(() => checkModelFile("ok.onnx", MAX_MODEL_BYTES)), "no error");
    assert.equal(message(() => checkModelFile(undefined, 0)), "the model file is a zero-byte file: choose the model again, or re-export it");
    assert.deepEqual([0, 1, 999, 1000, 12_345, 999_499, 999_500, 10_802_104, 1.5e9].map(formatBytes), ["0 bytes", "1 byte", "999 bytes", "1 KB", "12.3 KB", "999 KB", "1 MB", "10.8 MB", "1.5 GB"]);
  });

  test("other formats by their first bytes", () => {
    assert.match(message(() => checkModelBytes("m.onnx", Uint8Array.from([0x89, ...text("HDF\r\n\x1a\n....")]))), /^"m\.onnx" is a Keras\/HDF5 \(\.h5\) file, not an ONNX model: choose the model's \.onnx file/);
    assert.match(message(() => checkModelBytes("m.onnx", text("\x1c\0\0\0TFL3...."))), /is a TensorFlow Lite model/);
    assert.match(message(() => checkModelBytes("m.onnx", Uint8Array.from([0x50, 0x4b, 3, 4, 0]))), /is a ZIP archive \(e\.g\. a PyTorch \.pt or Keras \.keras file\)/);
    assert.match(message(() => checkModelBytes("m.onnx", text("name,value\n"))), /is a text file, not an ONNX model/);
    assert.equal(message(() => checkModelBytes("m.onnx", Uint8Array.from([0x08, 0x08, 0x12, 0x04]))), "no error");
  });

  test("an image model is described: its input and layers, at the probe size asked for", async () => {
    const description = await describeModel(ort, buildModel(models.nchwSymbolic()), "net.onnx", {size: {height: 32, width: 32}});
    assert.deepEqual(description.input, {name: "input", layout: "NCHW", channels: 3, batch: null, height: null, width: null});
    assert.equal(description.layers.at(-1)?.output, "t4");
  });
});

describe("the bad-input fixtures, judged in Node", () => {
  let dir: string;
  let cases: BadInput[];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "bad-inputs-"));
    cases = await writeBadInputs(dir);
  });
  after(() => rmSync(dir, {recursive: true, force: true}));

  test("every refused image is refused before decoding, with its message", () => {
    let checked = 0;
    for (const c of cases.filter((c) => c.kind === "image" && "refused" in c.expect)) {
      const expect = c.expect as {refused: RegExp; message?: string};
      const bytes = readFileSync(c.path!);
      const got = message(() => {
        checkUploadFile(c.name, c.type, bytes.length);
        checkUploadBytes(c.name, c.type, bytes);
      });
      assert.match(got, expect.refused, c.id);
      if (expect.message) assert.equal(got, expect.message, c.id);
      ++checked;
    }
    assert.equal(checked, 8);
  });

  test("every accepted image passes the checks, its header size matching", () => {
    let checked = 0;
    for (const c of cases.filter((c) => c.kind === "image" && "accepted" in c.expect)) {
      const bytes = readFileSync(c.path!);
      checkUploadFile(c.name, c.type, bytes.length);
      const header = checkUploadBytes(c.name, c.type, bytes);
      const {originalWidth, originalHeight} = (c.expect as {accepted: {originalWidth: number; originalHeight: number}}).accepted;
      assert.deepEqual([header?.width, header?.height, header?.complete], [originalWidth, originalHeight, true], c.id);
      ++checked;
    }
    assert.equal(checked, 6);
  });

  test("every model fixture through describeModel on onnxruntime-node", async () => {
    let described = 0, refused = 0;
    for (const c of cases.filter((c) => c.kind === "model")) {
      let got: string;
      try {
        checkModelFile(c.name, c.virtualSize ?? readFileSync(c.path!).length, c.options?.maxBytes);
        const d = await describeModel(ort, new Uint8Array(readFileSync(c.path!)), c.name);
        got = JSON.stringify({layout: d.input.layout, channels: d.input.channels, layers: d.layers.map((l) => `${l.output} ${l.opType} ${l.channels}×${l.height}×${l.width}`)});
      } catch (error) {
        got = (error as Error).message;
      }
      if ("model" in c.expect) {
        assert.equal(got, JSON.stringify(c.expect.model), c.id);
        ++described;
      } else if ("refused" in c.expect) {
        assert.match(got, c.expect.refused, c.id);
        if (c.expect.message) assert.equal(got, c.expect.message, c.id);
        ++refused;
      } else {
        assert.fail(`${c.id}: a model fixture expects neither a description nor a refusal`);
      }
    }
    assert.deepEqual({described, refused}, {described: 1, refused: 7});
  });
});
