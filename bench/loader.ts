// Loader throughput. benchLoader: one layer loader (decode, resize, preprocess, inference, 8-bit codes, LZ4
// Arrow) against a bare onnxruntime-node loop over the same images, prepared inputs and output, in one
// process. benchSnapshot: a whole dataset, every layer file from a cold cache, with the shared activation
// cache (each image through the model once) and without it (each layer file on its own, as before), against
// one bare onnxruntime-node pass over the same images to the deepest layer.

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

/** A bare onnxruntime-node session on the model pruned to `output`, run over the dataset's prepared inputs
 * (not timed: preparing them, creating the session and one warm-up run). */
async function bareRuns(dataset: string, output: string, repeats: number) {
  const {dataset: ds, model} = await openDataset(dataset);
  const prepared = await prepareImages(ds, model.spec, {cacheDir: null});
  const inputs = prepared.map(({input}) => toInputTensor(input, model.spec.input));
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(tapModel(model.bytes, [output]), {intraOpNumThreads: 2});
  const sessionMs = performance.now() - t0;
  const feed = (i: number) => ({[model.spec.input.name]: new ort.Tensor("float32", inputs[i].data, inputs[i].dims)});
  await session.run(feed(0), [output]); // warm-up
  const ms = await best(repeats, async () => {
    for (let i = 0; i < inputs.length; ++i) await session.run(feed(i), [output]);
  });
  await session.release();
  return {ms, sessionMs, images: inputs.length, layers: ds.config.layers};
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
 * Every layer file of `dataset` from a cold cache (a fresh cache folder each run), the loaders called one
 * after another in this process as the build calls them, with and without the shared activation cache;
 * and images.arrow. Baseline: session.run alone over the images, to the deepest layer.
 */
export async function benchSnapshot(dataset: string, repeats = 2) {
  const {dataset: ds, model} = await openDataset(dataset);
  const deepest = ds.config.layers.map((name) => findLayer(model.spec, name)).sort((a, b) => model.spec.layers.indexOf(b) - model.spec.layers.indexOf(a))[0];
  const bare = await bareRuns(dataset, deepest.output, repeats);
  const layers = ds.config.layers;
  let cacheDir = "";
  const fresh = async () => {
    if (cacheDir) await rm(cacheDir, {recursive: true, force: true});
    cacheDir = await mkdtemp(join(tmpdir(), "activation-cache-"));
  };
  const allLayers = (dir: () => string | null) => async () => {
    for (const layer of layers) await layerArrow(dataset, layer, {cacheDir: dir()});
  };
  const shared = await best(repeats, allLayers(() => cacheDir), fresh);
  const warm = await best(repeats, allLayers(() => cacheDir));
  const images = await best(repeats, () => imagesArrow(dataset, {cacheDir}), fresh);
  const alone = await best(1, allLayers(() => null));
  await rm(cacheDir, {recursive: true, force: true});
  const n = bare.images;
  const row = (run: string, files: number, ms: number) => ({run, files, "ms total": ms, "ms per image": ms / n, "× bare": ms / bare.ms, "× bare + session": ms / (bare.ms + bare.sessionMs)});
  return {
    rows: [
      row(`bare onnxruntime-node to ${deepest.name}, ${n} images (baseline; session ${Math.round(bare.sessionMs)} ms not included)`, 0, bare.ms),
      row(`all ${layers.length} layer files, shared activation cache, cold`, layers.length, shared),
      row(`all ${layers.length} layer files, shared activation cache, warm (model not run)`, layers.length, warm),
      row(`all ${layers.length} layer files, each on its own (no cache, as before)`, layers.length, alone),
      row("images.arrow (PNG), cold input cache", 1, images)
    ],
    notes: [`goal: all layer files from a cold cache ≤ 1.5× the bare pass: ${shared / bare.ms <= 1.5 ? "met" : "not met"} (${(shared / bare.ms).toFixed(2)}×; each file on its own: ${(alone / bare.ms).toFixed(2)}×)`]
  };
}
