// Loader throughput: the whole layer loader (decode, resize, preprocess, inference, 8-bit codes, LZ4 Arrow)
// against a bare onnxruntime-node loop over the same images, prepared inputs and output, in one process.

import * as ort from "onnxruntime-node";
import {layerArrow, openDataset, prepareImages} from "../data-loaders/snapshot.js";
import {tapModel} from "../src/core/layerTap.js";
import {findLayer} from "../src/core/modelSpec.js";
import {toInputTensor} from "../src/core/preprocess.js";

export async function benchLoader(dataset: string, layerName: string, repeats = 3) {
  const {dataset: ds, model} = await openDataset(dataset);
  const layer = findLayer(model.spec, layerName);
  const images = ds.config.images.length;

  // Baseline: one session on the model pruned to the layer (as the loader runs it), inputs prepared
  // beforehand, only session.run timed.
  const prepared = await prepareImages(ds, model.spec);
  const inputs = prepared.map(({rgb}) => toInputTensor(rgb, model.spec.input));
  const session = await ort.InferenceSession.create(tapModel(model.bytes, [layer.output]), {intraOpNumThreads: 2});
  const feed = (i: number) => ({[model.spec.input.name]: new ort.Tensor("float32", inputs[i].data, inputs[i].dims)});
  await session.run(feed(0), [layer.output]); // warm-up
  let bare = Infinity;
  for (let r = 0; r < repeats; ++r) {
    const t0 = performance.now();
    for (let i = 0; i < images; ++i) await session.run(feed(i), [layer.output]);
    bare = Math.min(bare, performance.now() - t0);
  }
  await session.release();

  let full = Infinity;
  let bytes = 0;
  for (let r = 0; r < repeats; ++r) {
    const t0 = performance.now();
    bytes = (await layerArrow(dataset, layerName)).length;
    full = Math.min(full, performance.now() - t0);
  }
  return [
    {run: `bare onnxruntime-node (baseline)`, images, "ms total": bare, "images/s": (1000 * images) / bare, ratio: 1, "file bytes": "-"},
    {run: `layer loader ${dataset}/${layerName}`, images, "ms total": full, "images/s": (1000 * images) / full, ratio: full / bare, "file bytes": bytes}
  ];
}
