// Live uploads keep memory bounded: 100 uploads in a row (the animals set's 11 photos in turn, JPEG and
// PNG) through the real built worker on threaded WebAssembly. After 1, 10, 50 and 100
// uploads garbage is collected and the JS heaps of the page and of the worker are read through the Chrome
// DevTools Protocol (tests/e2e/uploadsMemory.ts); from upload 10 to upload 100 each may grow by less than
// GROWTH_MB, and so may the worker's ArrayBuffer storage. The renderer processes' resident memory (which
// holds onnxruntime's WebAssembly memory, outside every JS heap) may grow by less than RSS_GROWTH_MB (Linux
// only; it is noisier). Sizes only: speed is for npm run bench.
import assert from "node:assert/strict";
import {after, before, describe, test} from "node:test";
import {openSite, type Site} from "./browser.js";
import {buildUploadsSite, comlinkPath, startUploads} from "./uploadsHarness.js";
import {animalsUploads, CHECKPOINTS, GROWTH_MB, measureUploadsMemory, RSS_GROWTH_MB, type MemorySample} from "./uploadsMemory.js";


let site: Site;
let samples: MemorySample[];

describe("live uploads: memory over 100 uploads", {timeout: 900_000}, () => {
  before(async () => {
    const root = buildUploadsSite();
    site = await openSite({root});
    const page = await site.open("");
    await page.waitForLoadState("networkidle");
    const ready = await startUploads(page, comlinkPath(root), "memory", {outputs: ["mixed4"], preferWebGPU: false});
    assert.equal(ready.backend, "wasm");
    samples = await measureUploadsMemory(site, page, "memory", animalsUploads(), CHECKPOINTS);
    for (const s of samples) {
      console.log(`after ${s.uploads} uploads: page heap ${s.pageHeap.toFixed(1)} MB, worker heap ${s.workerHeap.toFixed(1)} MB, worker ArrayBuffers ${s.workerBuffers.toFixed(1)} MB, renderer RSS ${s.rendererRss.toFixed(0)} MB`);
    }
  });

  after(async () => {
    await site?.close();
  });

  test("every upload ran and memory was measured after 1, 10, 50 and 100", () => {
    assert.deepEqual(samples.map((s) => s.uploads), CHECKPOINTS);
    for (const s of samples) for (const value of [s.pageHeap, s.workerHeap, s.workerBuffers]) assert.ok(Number.isFinite(value) && value > 0, `a measure after ${s.uploads} uploads is ${value}`);
  });

  for (const [key, label] of [["pageHeap", "the page's JS heap"], ["workerHeap", "the worker's JS heap"], ["workerBuffers", "the worker's ArrayBuffer storage"]] as const) {
    test(`${label} grows by less than ${GROWTH_MB} MB from upload 10 to upload 100`, () => {
      const at = (n: number) => samples.find((s) => s.uploads === n)![key];
      const growth = at(100) - at(10);
      assert.ok(growth < GROWTH_MB, `${label}: ${at(10).toFixed(1)} MB after 10 uploads, ${at(100).toFixed(1)} MB after 100 (+${growth.toFixed(1)} MB)`);
    });
  }

  test(`the renderer processes' resident memory grows by less than ${RSS_GROWTH_MB} MB from upload 10 to upload 100`, () => {
    const at = (n: number) => samples.find((s) => s.uploads === n)!.rendererRss;
    // Measured from /proc (Linux): a renderer that has run the model holds well over 50 MB, so a failed or
    // empty measure (NaN, or 0 when no renderer was found) fails here instead of passing as "no growth".
    for (const n of [10, 100]) assert.ok(Number.isFinite(at(n)) && at(n) > 50, `renderer RSS after ${n} uploads measured as ${at(n)} MB`);
    const growth = at(100) - at(10);
    assert.ok(growth < RSS_GROWTH_MB, `renderer RSS: ${at(10).toFixed(0)} MB after 10 uploads, ${at(100).toFixed(0)} MB after 100 (+${growth.toFixed(0)} MB)`);
  });

  test("the page reported no errors", () => {
    assert.deepEqual(site.errors, []);
  });
});
