// Live uploads, end to end: the real worker bundle (workers/uploads.ts as the build bundles it), the built
// model and onnxruntime-web's WebAssembly binary, in headless Chromium on the cross-origin isolated static
// server. The same image goes through the build's path here in Node (sharp, embedPixels,
// onnxruntime-node) and through the worker (createImageBitmap, the same core code, onnxruntime-web); the
// activations at mixed4 must agree within 1e-3. No page references the upload files yet, so this test
// builds the site with them at fixed paths (uploadsHarness.ts) instead of using dist/.
import assert from "node:assert/strict";
import {createHash} from "node:crypto";
import {mkdirSync, readFileSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, test} from "node:test";
import type {Page} from "playwright-core";
import sharp from "sharp";
import {loadModel} from "../../data-loaders/models/catalogue.js";
import {openSite, outputDir, type Site} from "./browser.js";
import {
  buildUploadsSite,
  comlinkPath,
  embedError,
  embedInBrowser,
  floats,
  maxAbs,
  maxAbsDiff,
  nodeEmbedding,
  startUploads,
  UPLOAD_PATHS,
  type BrowserEmbedding,
  type NodeEmbedding,
  type StartedUploads
} from "./uploadsHarness.js";

const animals = join(import.meta.dirname, "..", "..", "datasets", "animals");
const LAYER = "mixed4";
const TOLERANCE = 1e-3;

let root: string;
let site: Site;
let page: Page;
let ready: StartedUploads;
const measured: string[] = [];

/** Embeds `path` in the browser and by the Node path; checks sizes and grids; returns the max abs difference at LAYER. */
async function parity(path: string, type: string, label: string): Promise<{diff: number; browser: BrowserEmbedding; node: NodeEmbedding}> {
  const file = path.slice(path.lastIndexOf("/") + 1);
  const [browser] = await embedInBrowser(page, "main", file, readFileSync(path), type);
  const node = await nodeEmbedding(path, LAYER);
  const layer = browser.layers[LAYER];
  assert.ok(layer, `the worker returned ${LAYER}`);
  assert.deepEqual(layer.grid, node.grid);
  assert.equal(layer.channels, node.channels);
  assert.deepEqual([browser.width, browser.height, browser.originalWidth, browser.originalHeight], [node.width, node.height, node.originalWidth, node.originalHeight]);
  const diff = maxAbsDiff(floats(layer.values), node.values);
  measured.push(`${label} ${file}: max abs diff ${diff.toExponential(2)} (largest value ${maxAbs(node.values).toFixed(2)})`);
  return {diff, browser, node};
}

describe("live uploads: the built worker against the build's Node path", {timeout: 600_000}, () => {
  before(async () => {
    root = buildUploadsSite();
    site = await openSite({root});
    page = await site.open("");
    ready = await startUploads(page, comlinkPath(root), "main", {outputs: [LAYER]});
  });

  after(async () => {
    if (measured.length) console.log(`# ${measured.join("\n# ")}`);
    await site?.close();
  });

  test("init downloads the site's model and runtime with progress and reports the backend", async () => {
    const served = readFileSync(join(root, UPLOAD_PATHS.model));
    const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
    assert.equal(sha(served), sha((await loadModel("inception_v3")).bytes), "the site serves the converted model");
    assert.equal(ready.backend, "wasm", "headless Chromium with --disable-gpu has no WebGPU adapter");
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    assert.equal(ready.numThreads, cores, "the site is cross-origin isolated: one thread per core");
    assert.equal(ready.fallback, `no WebGPU adapter: running on WebAssembly with ${cores} thread${cores === 1 ? "" : "s"}`);
    assert.deepEqual(ready.layers, [LAYER]);
    assert.equal(ready.bytes.model, served.length);
    assert.equal(ready.bytes.runtime, readFileSync(join(root, UPLOAD_PATHS.wasm)).length);
    for (const file of ["model", "runtime"]) {
      const reports = ready.progress.filter((p) => p.file === file);
      assert.ok(reports.length >= 3, `progress reports for the ${file}: ${reports.length}`);
      assert.deepEqual(reports.map((p) => p.loaded), reports.map((p) => p.loaded).sort((a, b) => a - b), "progress only grows");
      assert.equal(reports.at(-1)!.loaded, reports.at(-1)!.total, `the ${file}'s last report is complete`);
    }
    measured.push(`backend ${ready.backend}, ${ready.numThreads} threads (${ready.fallback})`);
  });

  test(`a PNG gives the Node path's ${LAYER} activations within ${TOLERANCE}`, async () => {
    const {diff, browser, node} = await parity(join(animals, "skimage-chelsea.png"), "image/png", "PNG");
    assert.ok(diff <= TOLERANCE, `max abs difference ${diff}`);
    assert.equal(browser.name, "skimage-chelsea.png");
    assert.equal(browser.backend, "wasm");
    assert.equal(browser.pngType, "image/png");
    // The picture the worker returns (and the store keeps) is lossless: sharp decodes it to exactly the 8-bit
    // pixels the Node path fed its model, so an upload shows what the model saw and the bundled files agree.
    const {data, info} = await sharp(Buffer.from(browser.png, "base64")).raw().toBuffer({resolveWithObject: true});
    // The canvas writes RGBA PNGs: every pixel opaque, and its RGB the model input's, byte for byte.
    assert.deepEqual([info.width, info.height, info.channels], [node.width, node.height, 4]);
    const rgb = Buffer.alloc(info.width * info.height * 3);
    let opaque = true;
    for (let p = 0; p < info.width * info.height; ++p) {
      data.copy(rgb, p * 3, p * 4, p * 4 + 3);
      opaque &&= data[p * 4 + 3] === 255;
    }
    assert.ok(opaque, "every pixel of the PNG is opaque");
    assert.ok(Buffer.from(node.rgb).equals(rgb), "the PNG's pixels are the model input's, byte for byte");
    // The times the panel reports: each step took some time, InceptionV3 to mixed4 takes more than a few
    // milliseconds on WebAssembly, the steps add up to the total, and the total is within what the page waited.
    const {decode, preprocess, inference, postprocess, total} = browser.ms;
    assert.ok([decode, preprocess, inference, postprocess].every((v) => Number.isFinite(v) && v > 0), JSON.stringify(browser.ms));
    assert.ok(inference >= 10, `inference took ${inference} ms`);
    const parts = decode + preprocess + inference + postprocess;
    assert.ok(parts <= total + 0.1 && parts >= 0.9 * total, `steps add up to ${parts} ms of ${total} ms`);
    assert.ok(total <= browser.wallMs + 0.1, `total ${total} ms, but the page waited ${browser.wallMs} ms`);
  });

  test(`a JPEG: Chromium and sharp decode it alike (both libjpeg-turbo), so it agrees within ${TOLERANCE} too`, async () => {
    const {diff} = await parity(join(animals, "gnome-cat.jpg"), "image/jpeg", "JPEG");
    assert.ok(diff <= TOLERANCE, `max abs difference ${diff}`);
  });

  test("EXIF orientation is applied, as the build applies it", async () => {
    // The owl (600 × 397) stored as is, with an EXIF tag saying "rotate 90° clockwise to display".
    mkdirSync(outputDir, {recursive: true});
    const path = join(outputDir, "owl-exif-orientation-6.jpg");
    await sharp(join(animals, "libvips-owl.jpg")).withMetadata({orientation: 6}).jpeg({quality: 92}).toFile(path);
    const {diff, browser} = await parity(path, "image/jpeg", "JPEG with EXIF orientation 6");
    assert.deepEqual([browser.originalWidth, browser.originalHeight], [397, 600]);
    assert.ok(diff <= TOLERANCE, `max abs difference ${diff}`);
  });

  test("errors name the file and the problem", async () => {
    // More cases, and what each gets, in badInputs.test.ts.
    const text = new TextEncoder().encode("hello");
    assert.equal(await embedError(page, "main", "notes.txt", text, "text/plain"), `"notes.txt" is a text file, not an image: choose a JPEG, PNG, WebP, GIF, AVIF, BMP or TIFF file`);
    const binary = Uint8Array.from({length: 64}, (_, i) => (i * 37) % 256);
    // Bytes of no format it knows are refused before the browser decodes them (their size cannot be checked).
    assert.equal(await embedError(page, "main", "broken.png", binary, "image/png"), `"broken.png" is not in a format this page recognises, so its size cannot be checked before it is decoded: choose a JPEG, PNG, WebP, GIF, AVIF, BMP or TIFF file`);
    assert.equal(await embedError(page, "main", "empty.jpg", new Uint8Array(0), "image/jpeg"), `"empty.jpg" is a zero-byte file: choose the image again, or re-export it`);
  });

  test("an image over the pixel limit is refused, naming the limit", async () => {
    // A second worker with a 0.1-megapixel limit, so no huge file is needed.
    await startUploads(page, comlinkPath(root), "small", {outputs: [LAYER], maxPixels: 100_000});
    const message = await embedError(page, "small", "skimage-chelsea.png", readFileSync(join(animals, "skimage-chelsea.png")), "image/png");
    assert.equal(message, `"skimage-chelsea.png" is too large: 451×300 is 0.135 megapixels, the limit is 0.1 megapixels; scale it down and try again`);
  });

  test("the page saw no errors", () => {
    assert.deepEqual(site.errors, []);
  });
});
