// Live uploads: time per image for InceptionV3 (pruned to one layer, 299 × 299 input) in headless Chromium
// through the real built worker (workers/uploads.ts), on WebAssembly with 1 thread and with every core
// (the static server makes the site cross-origin isolated), and on WebGPU where Chromium has an adapter
// (here only SwiftShader's software one: a correctness check, not a speed to expect on a GPU), beside
// onnxruntime-node on the same model and image (the baseline). Each browser row also gives the largest
// difference of its activations from the Node path's.
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {CHROMIUM_FLAGS, openSite, SWIFTSHADER_WEBGPU_FLAGS} from "../tests/e2e/browser.js";
import {buildUploadsSite, comlinkPath, embedInBrowser, floats, maxAbsDiff, median, nodeEmbedding, startUploads, stopUploads} from "../tests/e2e/uploadsHarness.js";

export interface BenchUploadsOptions {
  /** A file of datasets/animals (default skimage-chelsea.png, a PNG, so both paths decode it alike). */
  image?: string;
  layer?: string;
  /** Timed runs per row, after one warm-up run (default 5; the software WebGPU row runs once). */
  repeats?: number;
  /** Also run the WebGPU row on SwiftShader (default true; it takes about a minute). */
  webgpu?: boolean;
}

export async function benchUploads({image = "skimage-chelsea.png", layer = "mixed4", repeats = 5, webgpu = true}: BenchUploadsOptions = {}) {
  const path = join(import.meta.dirname, "..", "datasets", "animals", image);
  const bytes = readFileSync(path);
  const type = image.endsWith(".png") ? "image/png" : "image/jpeg";
  const root = buildUploadsSite();
  const comlink = comlinkPath(root);

  const rows: Array<Record<string, string | number>> = [];
  const node2 = await nodeEmbedding(path, layer, {threads: 2, repeats});
  const node1 = await nodeEmbedding(path, layer, {threads: 1, repeats});
  const baseline = median(node2.inferenceMs);
  const row = (run: string, threads: number | string, inference: number, total: number | string, diff: number | string) =>
    rows.push({run, threads, "inference ms": inference, "embed ms": total, "× node": inference / baseline, "max abs diff": typeof diff === "number" ? diff.toExponential(1) : diff});
  row("onnxruntime-node (baseline)", 2, baseline, "-", "-");
  row("onnxruntime-node", 1, median(node1.inferenceMs), "-", maxAbsDiff(node1.values, node2.values));

  /** Starts a worker in a fresh page, runs warm-up + `runs` embeds, and adds its row. */
  const browserRow = async (flags: string[], label: string, init: {numThreads?: number; preferWebGPU: boolean}, runs: number) => {
    const site = await openSite({root, args: flags});
    try {
      const page = await site.open("");
      const ready = await startUploads(page, comlink, "bench", {outputs: [layer], ...init});
      if (init.preferWebGPU && ready.backend !== "webgpu") {
        rows.push({run: label, threads: "-", "inference ms": "-", "embed ms": "-", "× node": "-", "max abs diff": `skipped: ${ready.fallback}`});
        return;
      }
      const results = (await embedInBrowser(page, "bench", image, bytes, type, runs + 1)).slice(1);
      const values = floats(results.at(-1)!.layers[layer].values);
      row(`${label}, ${ready.backend}`, ready.numThreads, median(results.map((r) => r.ms.inference)), median(results.map((r) => r.ms.total)), maxAbsDiff(values, node2.values));
      await stopUploads(page, "bench");
      if (site.errors.length) throw new Error(`the page reported errors: ${site.errors.join("; ")}`);
    } finally {
      await site.close();
    }
  };
  await browserRow(CHROMIUM_FLAGS, "Chromium WebAssembly", {numThreads: 1, preferWebGPU: false}, repeats);
  await browserRow(CHROMIUM_FLAGS, "Chromium WebAssembly", {preferWebGPU: false}, repeats);
  if (webgpu) await browserRow(SWIFTSHADER_WEBGPU_FLAGS, "Chromium SwiftShader (software WebGPU)", {preferWebGPU: true}, 1);
  return rows;
}
