// Loader throughput. benchLoader: one layer loader (decode, resize, preprocess, inference, 8-bit codes, LZ4
// Arrow) against a bare onnxruntime-node loop over the same images, prepared inputs and output, in one
// process. benchSnapshot: a whole dataset, every layer file from a cold cache, with the shared activation
// cache (each image through the model once) and without it (each layer file on its own, as before), against
// one bare onnxruntime-node pass over the same images to the deepest layer.

import {spawnSync} from "node:child_process";
import {mkdtemp, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import * as ort from "onnxruntime-node";
import {imagesArrow, layerArrow, openDataset, prepareImages} from "../data-loaders/snapshot.js";
import {tapModel} from "../src/core/layerTap.js";
import {findLayer} from "../src/core/modelSpec.js";
import {toInputTensor} from "../src/core/preprocess.js";

/** Best time of `repeats` runs of `work` (ms), each after `setup`. */
async function best(repeats: number, work: () => Promise<unknown>, setup: () => Promise<unknown> = async () => {}): Promise<number> {
  let ms = Infinity;
  for (let r = 0; r < repeats; ++r) {
    await setup();
    const t0 = performance.now();
    await work();
    ms = Math.min(ms, performance.now() - t0);
  }
  return ms;
}

/** A bare onnxruntime-node session on the model pruned to `output`, and `pass()`, which times one run over the
 * dataset's prepared inputs (not timed: preparing them, creating the session and one warm-up run). */
export async function bareSession(dataset: string, output: string) {
  const {dataset: ds, model} = await openDataset(dataset);
  const prepared = await prepareImages(ds, model.spec, {cacheDir: null});
  const inputs = prepared.map(({input}) => toInputTensor(input, model.spec.input));
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(tapModel(model.bytes, [output]), {intraOpNumThreads: 2});
  const sessionMs = performance.now() - t0;
  const feed = (i: number) => ({[model.spec.input.name]: new ort.Tensor("float32", inputs[i].data, inputs[i].dims)});
  await session.run(feed(0), [output]); // warm-up
  const pass = () => best(1, async () => {
    for (let i = 0; i < inputs.length; ++i) await session.run(feed(i), [output]);
  });
  return {pass, sessionMs, images: inputs.length, release: () => session.release()};
}

async function bareRuns(dataset: string, output: string, repeats: number) {
  const bare = await bareSession(dataset, output);
  let ms = Infinity;
  for (let r = 0; r < repeats; ++r) ms = Math.min(ms, await bare.pass());
  await bare.release();
  return {...bare, ms};
}

export async function benchLoader(dataset: string, layerName: string, repeats = 3) {
  const {model} = await openDataset(dataset);
  const layer = findLayer(model.spec, layerName);
  const bare = await bareRuns(dataset, layer.output, repeats);
  let bytes = 0;
  const full = await best(repeats, async () => (bytes = (await layerArrow(dataset, layerName, {cacheDir: null})).length));
  return [
    {run: `bare onnxruntime-node (baseline)`, images: bare.images, "ms total": bare.ms, "images/s": (1000 * bare.images) / bare.ms, ratio: 1, "file bytes": "-"},
    {run: `layer loader ${dataset}/${layerName}, no cache`, images: bare.images, "ms total": full, "images/s": (1000 * bare.images) / full, ratio: full / bare.ms, "file bytes": bytes}
  ];
}

/**
 * Every layer file of `dataset` from a cold cache (a fresh cache folder each time), the loaders called one
 * after another as the build calls them, with the shared activation cache and without it (each file on its
 * own); in this process and as the loader entries' own processes; and images.arrow. Baseline: session.run
 * alone over the images, to the deepest layer. The machine is shared, so each measurement is taken right
 * after a baseline pass and ratios use the best of each.
 */
export async function benchSnapshot(dataset: string, repeats = 3) {
  const {dataset: ds, model} = await openDataset(dataset);
  const deepest = ds.config.layers.map((name) => findLayer(model.spec, name)).sort((a, b) => model.spec.layers.indexOf(b) - model.spec.layers.indexOf(a))[0];
  const bare = await bareSession(dataset, deepest.output);
  const layers = ds.config.layers;
  let bareMs = Infinity;
  let cacheDir = "";
  const fresh = async () => {
    if (cacheDir) await rm(cacheDir, {recursive: true, force: true});
    cacheDir = await mkdtemp(join(tmpdir(), "activation-cache-"));
  };
  /** Best of `times` runs of `work`, each after `setup` and a baseline pass. */
  const measure = (times: number, work: () => Promise<unknown>, setup?: () => Promise<unknown>) =>
    best(times, work, async () => {
      bareMs = Math.min(bareMs, await bare.pass());
      await setup?.();
    });
  const inProcess = (dir: () => string | null) => async () => {
    for (const layer of layers) await layerArrow(dataset, layer, {cacheDir: dir()});
  };
  // The loader entries as Framework runs them: one process per file, one after another.
  const entries = (cache: () => string) => async () => {
    for (const layer of layers) {
      const r = spawnSync(process.execPath, ["--import", "tsx", "src/data/[dataset]/[layer].arrow.ts", `--dataset=${dataset}`, `--layer=${layer}`], {env: {...process.env, ACTIVATION_CACHE_DIR: cache()}, maxBuffer: 1 << 28});
      if (r.status !== 0) throw new Error(`loader ${dataset}/${layer} failed: ${r.stderr}`);
    }
  };
  const shared = await measure(repeats, inProcess(() => cacheDir), fresh);
  const warm = await measure(repeats, inProcess(() => cacheDir));
  const alone = await measure(1, inProcess(() => null));
  const sharedProcesses = await measure(1, entries(() => cacheDir), fresh);
  const aloneProcesses = await measure(1, entries(() => "none"));
  const images = await measure(repeats, () => imagesArrow(dataset, {cacheDir}), fresh);
  await rm(cacheDir, {recursive: true, force: true});
  await bare.release();
  const n = bare.images;
  const row = (run: string, ms: number) => ({run, "ms total": ms, "ms per image": ms / n, "× bare": ms / bareMs, "× bare + session": ms / (bareMs + bare.sessionMs)});
  const L = layers.length;
  return {
    rows: [
      row(`bare onnxruntime-node to ${deepest.name}, ${n} images (baseline; its session, ${Math.round(bare.sessionMs)} ms, only in the last column)`, bareMs),
      row(`${L} layer files, shared activation cache, cold (in one process)`, shared),
      row(`${L} layer files, shared activation cache, warm: model not run (in one process)`, warm),
      row(`${L} layer files, each on its own, as before (in one process)`, alone),
      row(`${L} loader entries as processes, shared cache, cold`, sharedProcesses),
      row(`${L} loader entries as processes, each on its own, as before`, aloneProcesses),
      row("images.arrow (PNG), cold cache (in one process)", images)
    ],
    notes: [
      `goal: ${L} layer files from a cold cache ≤ 1.5× the bare pass: ${shared / bareMs <= 1.5 ? "met" : "not met"} (${(shared / bareMs).toFixed(2)}×, as before ${(alone / bareMs).toFixed(2)}×; as processes ${(sharedProcesses / bareMs).toFixed(2)}×, as before ${(aloneProcesses / bareMs).toFixed(2)}×)`
    ]
  };
}
