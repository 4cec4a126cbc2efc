// Live uploads: time per image for InceptionV3 (pruned to one layer, 299 × 299 input) in headless Chromium
// through the real built worker (workers/uploads.ts), on WebAssembly with 1 thread and with every core
// (the static server makes the site cross-origin isolated), and on WebGPU where Chromium has an adapter
// (here only SwiftShader's software one: a correctness check, not a speed to expect on a GPU), beside
// onnxruntime-node on the same model and image (the baseline). Each browser row also gives the largest
// difference of its activations from the Node path's. Columns: init = downloading model and runtime (here
// from localhost) and creating the session, which compiles the 28 MB runtime; inference = session.run;
// embed = the whole embed() call (decode, resize, run, cell-major, JPEG); first embed = the first call
// after init, before V8 has optimised the WebAssembly.
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {CHROMIUM_FLAGS, openSite, SWIFTSHADER_WEBGPU_FLAGS} from "../tests/e2e/browser.js";
import {buildUploadsSite, comlinkPath, embedInBrowser, floats, maxAbsDiff, median, nodeEmbedding, startUploads, stopUploads} from "../tests/e2e/uploadsHarness.js";

export interface BenchUploadsOptions {
  /** A file of datasets/animals (default skimage-chelsea.png, a PNG, so both paths decode it alike). */
  image?: string;
  layer?: string;
  /** Timed runs per row (default 7; the software WebGPU row runs once). */
  repeats?: number;
  /** Untimed runs before them (default 5): V8 first runs the WebAssembly on its baseline compiler and
   * optimises hot functions in the background, which on two cores competes with the threads, so the first
   * few runs are up to twice as slow. The first run's time is reported on its own. */
  warmup?: number;
  /** Also run the WebGPU row on SwiftShader (default true; it takes about a minute). */
  webgpu?: boolean;
}

export async function benchUploads({image = "skimage-chelsea.png", layer = "mixed4", repeats = 7, warmup = 5, webgpu = true}: BenchUploadsOptions = {}) {
  const path = join(import.meta.dirname, "..", "datasets", "animals", image);
  const bytes = readFileSync(path);
  const type = image.endsWith(".png") ? "image/png" : "image/jpeg";
  const root = buildUploadsSite();
  const comlink = comlinkPath(root);

  const rows: Array<Record<string, string | number>> = [];
  const node2 = await nodeEmbedding(path, layer, {threads: 2, repeats});
  const node1 = await nodeEmbedding(path, layer, {threads: 1, repeats});
  const baseline = median(node2.inferenceMs);
  // Medians, and the best run: on a shared machine the best is the steadier figure.
  const row = (run: string, threads: number | string, inference: number[], total: number[] | null, first: number | null, diff: number | string, init?: number) =>
    rows.push({
      run,
      threads,
      "init ms": init ?? "-",
      "inference ms": median(inference),
      "best ms": Math.min(...inference),
      "embed ms": total ? median(total) : "-",
      "first embed ms": first ?? "-",
      "× node": median(inference) / baseline,
      "max abs diff": typeof diff === "number" ? diff.toExponential(1) : diff
    });
  row("onnxruntime-node (baseline)", 2, node2.inferenceMs, null, null, "-");
  row("onnxruntime-node", 1, node1.inferenceMs, null, null, maxAbsDiff(node1.values, node2.values));

  /** Starts a worker in a fresh page, runs `untimed` + `runs` embeds, and adds its row. */
  const browserRow = async (flags: string[], label: string, init: {numThreads?: number; preferWebGPU: boolean}, untimed: number, runs: number) => {
    const site = await openSite({root, args: flags});
    try {
      const page = await site.open("");
      await page.waitForLoadState("networkidle"); // the page's own work done
      const ready = await startUploads(page, comlink, "bench", {outputs: [layer], ...init});
      if (init.preferWebGPU && ready.backend !== "webgpu") {
        rows.push({run: label, threads: "-", "init ms": "-", "inference ms": "-", "best ms": "-", "embed ms": "-", "first embed ms": "-", "× node": "-", "max abs diff": `skipped: ${ready.fallback}`});
        return;
      }
      const all = await embedInBrowser(page, "bench", image, bytes, type, untimed + runs);
      const results = all.slice(untimed);
      const values = floats(results.at(-1)!.layers[layer].values);
      row(`${label}, ${ready.backend}`, ready.numThreads, results.map((r) => r.ms.inference), results.map((r) => r.ms.total), all[0].ms.total, maxAbsDiff(values, node2.values), ready.ms.download + ready.ms.session);
      await stopUploads(page, "bench");
      if (site.errors.length) throw new Error(`the page reported errors: ${site.errors.join("; ")}`);
    } finally {
      await site.close();
    }
  };
  await browserRow(CHROMIUM_FLAGS, "Chromium WebAssembly", {numThreads: 1, preferWebGPU: false}, warmup, repeats);
  await browserRow(CHROMIUM_FLAGS, "Chromium WebAssembly", {preferWebGPU: false}, warmup, repeats);
  if (webgpu) await browserRow(SWIFTSHADER_WEBGPU_FLAGS, "Chromium SwiftShader (software WebGPU)", {preferWebGPU: true}, 1, 1);
  return rows;
}
