// Live uploads: time per image for InceptionV3 (pruned to one layer, 299 × 299 input) in headless Chromium
// through the real built worker (workers/uploads.ts), on WebAssembly with 1 thread and with every core
// (the static server makes the site cross-origin isolated), and on WebGPU where Chromium has an adapter
// (here only SwiftShader's software one: a correctness check, not a speed to expect on a GPU), beside
// onnxruntime-node on the same model and image (the baseline) and TensorFlow.js's wasm backend running the
// original Keras model cut at the same layer, in the same Chromium (bench/tfjsWasm.ts), with its own choice
// of threads (half the logical cores) and with every core (bench/tfjsWasm.ts lifts that cap). Both run once
// more from a server without COOP/COEP, as on a static host without those headers: no SharedArrayBuffer, so
// no WebAssembly threads. Each browser row also gives the largest difference of its activations from the
// Node path's. Columns: init = downloading model and runtime (here from localhost) and creating the
// session, which compiles the runtime; inference = session.run (TF.js: predict() + data()); embed = the
// whole embed() call (decode, resize, run, cell-major, JPEG); first run = the first embed() after init
// (TF.js: the first predict()), before V8 has optimised the WebAssembly; × node = inference against
// onnxruntime-node on 2 threads; × TF.js = inference against the fastest TF.js wasm row.
import {readFileSync} from "node:fs";
import {availableParallelism} from "node:os";
import {join} from "node:path";
import {CHROMIUM_FLAGS, openSite, SWIFTSHADER_WEBGPU_FLAGS} from "../tests/e2e/browser.js";
import {buildUploadsSite, comlinkPath, embedInBrowser, floats, maxAbsDiff, median, nodeEmbedding, startUploads, stopUploads} from "../tests/e2e/uploadsHarness.js";
import {animalsUploads, CHECKPOINTS, GROWTH_MB, measureUploadsMemory, RSS_GROWTH_MB} from "../tests/e2e/uploadsMemory.js";
import {buildTfjsSite, runTfjsWasm} from "./tfjsWasm.js";

/** The goals of issue 4: onnxruntime-web in the browser at most this many times onnxruntime-node… */
export const GOAL_NODE_RATIO = 2;
/** …and at most this fraction of TensorFlow.js's wasm backend on the original Keras model. */
export const GOAL_TFJS_RATIO = 0.5;

/** The uploads table and the lines printed under it (goals and whether the fastest browser row meets them). */
export interface UploadsBench {
  rows: Array<Record<string, string | number>>;
  notes: string[];
}

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
  /** Also run the TensorFlow.js wasm rows (default true). */
  tfjs?: boolean;
}

export async function benchUploads({image = "skimage-chelsea.png", layer = "mixed4", repeats = 7, warmup = 5, webgpu = true, tfjs = true}: BenchUploadsOptions = {}): Promise<UploadsBench> {
  const path = join(import.meta.dirname, "..", "datasets", "animals", image);
  const bytes = readFileSync(path);
  const type = image.endsWith(".png") ? "image/png" : "image/jpeg";
  const root = buildUploadsSite();
  const comlink = comlinkPath(root);

  const rows: Array<Record<string, string | number>> = [];
  /** Median inference per row, for the ratio columns filled in at the end. */
  const medians = new Map<Record<string, string | number>, number>();
  const tfjsRows: Array<Record<string, string | number>> = [];
  const node2 = await nodeEmbedding(path, layer, {threads: 2, repeats});
  const node1 = await nodeEmbedding(path, layer, {threads: 1, repeats});
  const baseline = median(node2.inferenceMs);
  // Medians, and the best run: on a shared machine the best is the steadier figure.
  const row = (run: string, threads: number | string, inference: number[], total: number[] | null, first: number | null, diff: number | string, init?: number) => {
    const r: Record<string, string | number> = {
      run,
      threads,
      "init ms": init ?? "-",
      "inference ms": median(inference),
      "best ms": Math.min(...inference),
      "embed ms": total ? median(total) : "-",
      "first run ms": first ?? "-",
      "× node": median(inference) / baseline,
      "× TF.js": "-",
      "max abs diff": typeof diff === "number" ? diff.toExponential(1) : diff
    };
    rows.push(r);
    medians.set(r, median(inference));
    return r;
  };
  row("onnxruntime-node (baseline)", 2, node2.inferenceMs, null, null, "-");
  row("onnxruntime-node", 1, node1.inferenceMs, null, null, maxAbsDiff(node1.values, node2.values));

  /** Starts a worker in a fresh page, runs `untimed` + `runs` embeds, and adds its row. */
  const browserRow = async (flags: string[], label: string, init: {numThreads?: number; preferWebGPU: boolean}, untimed: number, runs: number, crossOriginIsolation = true) => {
    const site = await openSite({root, args: flags, crossOriginIsolation});
    try {
      const page = await site.open("");
      await page.waitForLoadState("networkidle"); // the page's own work done
      const ready = await startUploads(page, comlink, "bench", {outputs: [layer], ...init});
      if (init.preferWebGPU && ready.backend !== "webgpu") {
        rows.push({run: label, threads: "-", "init ms": "-", "inference ms": "-", "best ms": "-", "embed ms": "-", "first run ms": "-", "× node": "-", "× TF.js": "-", "max abs diff": `skipped: ${ready.fallback}`});
        return;
      }
      const all = await embedInBrowser(page, "bench", image, bytes, type, untimed + runs);
      const results = all.slice(untimed);
      const values = floats(results.at(-1)!.layers[layer].values);
      row(`${label}, ${ready.backend}`, ready.numThreads, results.map((r) => r.ms.inference), results.map((r) => r.ms.total), all[0].ms.total, maxAbsDiff(values, node2.values), ready.ms.total);
      await stopUploads(page, "bench");
      if (site.errors.length) throw new Error(`the page reported errors: ${site.errors.join("; ")}`);
    } finally {
      await site.close();
    }
  };
  await browserRow(CHROMIUM_FLAGS, "Chromium WebAssembly", {numThreads: 1, preferWebGPU: false}, warmup, repeats);
  await browserRow(CHROMIUM_FLAGS, "Chromium WebAssembly", {preferWebGPU: false}, warmup, repeats);
  // A host without COOP/COEP: the worker's own choice (one thread, as the page is not cross-origin isolated).
  await browserRow(CHROMIUM_FLAGS, "Chromium WebAssembly, served without COOP/COEP", {preferWebGPU: false}, warmup, repeats, false);
  if (webgpu) await browserRow(SWIFTSHADER_WEBGPU_FLAGS, "Chromium SwiftShader (software WebGPU)", {preferWebGPU: true}, 1, 1);

  if (tfjs) {
    // The same pixels as the Node path, in the Keras model's NHWC layout.
    const [, channels, height, width] = node2.input.dims;
    const nhwc = new Float32Array(node2.input.data.length);
    for (let y = 0; y < height; ++y)
      for (let x = 0; x < width; ++x)
        for (let c = 0; c < channels; ++c) nhwc[(y * width + x) * channels + c] = node2.input.data[(c * height + y) * width + x];
    const site = buildTfjsSite();
    const cores = availableParallelism();
    let defaultThreads = 0;
    const runs: Array<{threads?: number; crossOriginIsolation: boolean}> = [{crossOriginIsolation: true}, {threads: cores, crossOriginIsolation: true}, {crossOriginIsolation: false}];
    for (const {threads, crossOriginIsolation} of runs) {
      if (threads !== undefined && threads === defaultThreads) continue; // the default already uses every core
      const t = await runTfjsWasm(site, {layer, input: nhwc, dims: [1, height, width, channels], threads, warmup, repeats, crossOriginIsolation});
      if (threads === undefined && crossOriginIsolation) defaultThreads = t.threads;
      const binary = t.multithread && t.simd ? "SIMD + threads binary" : t.simd ? "SIMD binary" : "plain binary";
      const how = threads === undefined ? "default threads: hardwareConcurrency / 2" : `setThreadsCount(${threads}), cap lifted`;
      const served = crossOriginIsolation ? "" : ", served without COOP/COEP";
      tfjsRows.push(row(`TF.js ${t.tfjsVersion} wasm, Keras model (${binary}, ${how}${served})`, t.threads, t.ms, null, t.firstMs, maxAbsDiff(t.values, node2.values), t.initMs));
    }
  }

  const notes: string[] = [];
  const tfjsBest = tfjsRows.length ? Math.min(...tfjsRows.map((r) => medians.get(r)!)) : null;
  if (tfjsBest !== null) for (const [r, m] of medians) r["× TF.js"] = m / tfjsBest;
  const ortBrowser = [...medians].filter(([r]) => String(r.run).startsWith("Chromium WebAssembly") && !String(r.run).includes("without COOP/COEP"));
  if (ortBrowser.length) {
    // On a shared machine medians move with the load; the best runs are given beside them.
    const [fastest, ms] = ortBrowser.reduce((a, b) => (b[1] < a[1] ? b : a));
    const best = (r: Record<string, string | number>) => Number(r["best ms"]);
    const nodeBest = best(rows[0]);
    const verdict = (ok: boolean) => (ok ? "met" : "not met");
    const label = `${fastest.run}, ${fastest.threads} thread${fastest.threads === 1 ? "" : "s"}`;
    notes.push(`goal: browser onnxruntime-web ≤ ${GOAL_NODE_RATIO}× onnxruntime-node: fastest browser row (${label}) ${(ms / baseline).toFixed(2)}× by medians (${verdict(ms / baseline <= GOAL_NODE_RATIO)}), ${(best(fastest) / nodeBest).toFixed(2)}× by best runs`);
    if (tfjsBest !== null) {
      const tfjsFastest = tfjsRows.find((r) => medians.get(r) === tfjsBest)!;
      notes.push(`goal: browser onnxruntime-web ≤ ${GOAL_TFJS_RATIO}× TF.js wasm (its fastest row, ${tfjsBest.toFixed(0)} ms): ${(ms / tfjsBest).toFixed(2)}× by medians (${verdict(ms / tfjsBest <= GOAL_TFJS_RATIO)}), ${(best(fastest) / best(tfjsFastest)).toFixed(2)}× by best runs`);
    }
  }
  return {rows, notes};
}

/**
 * Memory over 100 uploads in a row (the animals set in turn) through the built worker on every core: JS
 * heaps of the page and the worker, the worker's ArrayBuffers, and the renderer processes' resident memory,
 * after a forced GC at each checkpoint (tests/e2e/uploadsMemory.ts; the e2e test asserts the bounds).
 */
export async function benchUploadsMemory(): Promise<UploadsBench> {
  const root = buildUploadsSite();
  const site = await openSite({root});
  try {
    const page = await site.open("");
    await page.waitForLoadState("networkidle");
    const ready = await startUploads(page, comlinkPath(root), "memory", {outputs: ["mixed4"], preferWebGPU: false});
    const samples = await measureUploadsMemory(site, page, "memory", animalsUploads(), CHECKPOINTS);
    await stopUploads(page, "memory");
    const rows = samples.map((s) => ({
      uploads: s.uploads,
      "page heap MB": s.pageHeap,
      "worker heap MB": s.workerHeap,
      "worker ArrayBuffers MB": s.workerBuffers,
      "renderer RSS MB": Math.round(s.rendererRss)
    }));
    const at = (n: number) => samples.find((s) => s.uploads === n)!;
    const growth = (key: "pageHeap" | "workerHeap" | "workerBuffers" | "rendererRss") => {
      const mb = at(100)[key] - at(10)[key];
      return `${mb < 0 ? "−" : "+"}${Math.abs(mb).toFixed(2)}`;
    };
    return {
      rows,
      notes: [
        `${ready.backend}, ${ready.numThreads} threads. Growth from upload 10 to 100: page heap ${growth("pageHeap")} MB, worker heap ${growth("workerHeap")} MB, worker ArrayBuffers ${growth("workerBuffers")} MB, renderer RSS ${growth("rendererRss")} MB`,
        `bound (tests/e2e/uploadsMemory.test.ts): < ${GROWTH_MB} MB for each JS measure, < ${RSS_GROWTH_MB} MB for renderer RSS`
      ]
    };
  } finally {
    await site.close();
  }
}
