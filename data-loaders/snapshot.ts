// Builds a dataset's Arrow files: the image table (what the model saw) and one activation table per layer.
// Every image goes the one way the browser's uploads go too (src/core/embedImage.ts: modelInput, then
// embedInput). The first layer loader of a dataset runs each image through the model once, tapped at all
// the dataset's layers, and stores the activations in the shared cache (activationCache.ts); the other
// layers' loaders read them. Each function returns the whole file's bytes; the loader entries write them to
// stdout only at the end, so a failure leaves nothing half-written.

import {tableToIPC} from "apache-arrow";
import {readFile} from "node:fs/promises";
import {createRequire} from "node:module";
import {join} from "node:path";
import {tableToCompressedIPC} from "../src/core/arrowLz4.js";
import {embedInput, modelInput, type LayerCells} from "../src/core/embedImage.js";
import {imageId} from "../src/core/datasetConfig.js";
import {imageTable, type ImageRecord} from "../src/core/imageTable.js";
import {layerTable} from "../src/core/layerTable.js";
import {findLayer, type LayerSpec, type ModelSpec} from "../src/core/modelSpec.js";
import type {Rgb8} from "../src/core/pixels.js";
import {quantizeCells} from "../src/core/quantize.js";
import {expandTransforms} from "../src/core/transformSets.js";
import {transformImage} from "../src/core/transforms.js";
import {ACTIVATION_CACHE_DIR, cachedInput, cellsContext, cellsKey, readCells, withLock, writeCells} from "./activationCache.js";
import {readDataset, type Dataset} from "./dataset.js";
import {decodeImage, encodePng} from "./decodeImage.js";
import {loadDatasetModel, type LoadedModel} from "./ownModel.js";

/** Where the shared cache lives; null: no cache (every loader decodes and runs the model on its own). */
export interface SnapshotOptions {
  cacheDir?: string | null;
}

/** An image of a dataset as the model is fed it: the exact 8-bit RGB input, and its table record. */
export interface PreparedImage {
  record: Omit<ImageRecord, "png">;
  input: Rgb8;
}

/** How many images are decoded at once: sharp decodes on libuv's threads while the next image is resized. */
const DECODE_CONCURRENCY = 4;

/** Decodes and sizes every image of a dataset, in config order, followed by its transformed sets' images (through the input cache unless it is off). A
 * few at a time; when some fail, the first in config order is reported. */
export async function prepareImages(dataset: Dataset, model: ModelSpec, {cacheDir = ACTIVATION_CACHE_DIR}: SnapshotOptions = {}): Promise<PreparedImage[]> {
  const policy = dataset.config.sizePolicy ?? model.sizePolicy;
  const images = dataset.config.images;
  const out: Array<PromiseSettledResult<PreparedImage>> = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < images.length; i = next++) out[i] = await prepareImage(i).then((value) => ({status: "fulfilled", value}), (reason: unknown) => ({status: "rejected", reason}));
  };
  const prepareImage = async (i: number): Promise<PreparedImage> => {
    const image = images[i];
    const path = join(dataset.dir, image.file);
    const make = async () => {
      const pixels = await decodeImage(path);
      return {...modelInput(pixels, policy), originalWidth: pixels.width, originalHeight: pixels.height};
    };
    const source = cacheDir ? await readFile(path).catch(() => null) : null;
    // A file that cannot be read is decodeImage's to report.
    const {originalWidth, originalHeight, ...input} = source ? await cachedInput(cacheDir!, source, JSON.stringify(policy), make) : await make();
    return {
      input,
      record: {id: imageId(image.file), file: image.file, width: input.width, height: input.height, originalWidth, originalHeight, credit: image.credit, licence: image.licence}
    };
  };
  await Promise.all(Array.from({length: Math.min(DECODE_CONCURRENCY, images.length)}, worker));
  const listed = out.map((r) => {
    if (r.status === "rejected") throw r.reason;
    return r.value;
  });
  // Then every transformed set's images, made from the listed image's model input (src/core/transforms.ts).
  const transformed = expandTransforms(dataset.config.transforms ?? [], images).map(({id, file, credit, licence, transform, interpolation}): PreparedImage => {
    const source = listed[images.findIndex((d) => d.file === file)];
    const input = transformImage(source.input, transform, interpolation);
    return {input, record: {...source.record, id, credit, licence}};
  });
  return [...listed, ...transformed];
}

/** Loads a dataset and its model, checking that the model offers every layer the dataset asks for. */
export async function openDataset(name: string) {
  const dataset = await readDataset(name);
  const model = await loadDatasetModel(dataset);
  for (const layer of dataset.config.layers) {
    try {
      findLayer(model.spec, layer);
    } catch (error) {
      throw new Error(`${join(dataset.dir, "dataset.json")}: ${(error as Error).message}`);
    }
  }
  return {dataset, model};
}

/** The image table of a dataset, as Arrow IPC bytes: each image's model input as a lossless PNG. */
export async function imagesArrow(name: string, options: SnapshotOptions = {}): Promise<Uint8Array> {
  const {dataset, model} = await openDataset(name);
  const prepared = await prepareImages(dataset, model.spec, options);
  const images: ImageRecord[] = [];
  for (const {record, input} of prepared) images.push({...record, png: await encodePng(input.data, input.width, input.height)});
  return tableToIPC(imageTable({dataset: dataset.config, model: model.spec, images}), "file");
}

type Model = LoadedModel;

// onnxruntime and the tap session (with the ONNX protobuf code) are loaded only by the loader that runs the
// model: a layer file read from the cache needs only onnxruntime's version, for the key.
const ORT_VERSION = (createRequire(import.meta.url)("onnxruntime-node/package.json") as {version: string}).version;

/**
 * Runs each input through the model tapped at `layers` (one session, pruned to what they need), handing
 * each image's layers to `each` as soon as they are computed.
 */
export async function embedImages(model: Model, inputs: readonly Rgb8[], layers: readonly LayerSpec[], each: (i: number, cells: Record<string, LayerCells>) => Promise<void> | void): Promise<void> {
  const [ort, {createTapSession}] = await Promise.all([import("onnxruntime-node"), import("../src/core/tapSession.js")]);
  const session = await createTapSession(ort, model.bytes, layers.map((l) => l.output), {intraOpNumThreads: 2}, `${model.spec.id}.onnx`);
  try {
    for (let i = 0; i < inputs.length; ++i) await each(i, await embedInput(session, inputs[i], model.spec, layers));
  } finally {
    await session.dispose();
  }
}

/** One layer's cells for each prepared image: from the shared cache, filling it (all layers at once) when needed. */
async function layerCells(model: Model, dataset: Dataset, prepared: readonly PreparedImage[], layer: LayerSpec, cacheDir: string | null): Promise<LayerCells[]> {
  const inputs = prepared.map((p) => p.input);
  if (!cacheDir) {
    // Without the cache: the model pruned to this layer, for this file alone.
    const out: LayerCells[] = [];
    await embedImages(model, inputs, [layer], (_, cells) => void out.push(cells[layer.name]));
    return out;
  }
  const all = dataset.config.layers.map((name) => findLayer(model.spec, name));
  const context = await cellsContext({model: `${model.key} ${model.bytes.length}`, input: model.spec.input, layers: all.map(({name, output, layout, channels}) => ({name, output, layout, channels})), runtime: `onnxruntime-node ${ORT_VERSION}`});
  const keys = inputs.map((input) => cellsKey(context, input));
  const found = await Promise.all(keys.map((k) => readCells(cacheDir, k, layer.name)));
  if (found.some((c) => !c)) {
    // One loader runs the model; the others wait for it, then read the entries it wrote.
    await withLock(cacheDir, `cells-${context.slice(0, 16)}`, async () => {
      for (let i = 0; i < keys.length; ++i) found[i] ??= await readCells(cacheDir, keys[i], layer.name);
      const todo = keys.flatMap((_, i) => (found[i] ? [] : [i]));
      if (!todo.length) return;
      // Entries are written while the model runs on the next image; the first failure is reported.
      const writes: Promise<void>[] = [];
      let failure: unknown = null;
      await embedImages(model, todo.map((i) => inputs[i]), all, (j, cells) => {
        found[todo[j]] = cells[layer.name];
        writes.push(writeCells(cacheDir, keys[todo[j]], cells).catch((error) => void (failure ??= error)));
      });
      await Promise.all(writes);
      if (failure) throw failure;
    });
  }
  return found as LayerCells[];
}

/** The activation table of one layer of a dataset, as Arrow IPC bytes. */
export async function layerArrow(name: string, layerName: string, {cacheDir = ACTIVATION_CACHE_DIR}: SnapshotOptions = {}): Promise<Uint8Array> {
  const {dataset, model} = await openDataset(name);
  if (!dataset.config.layers.includes(layerName)) {
    throw new Error(`invalid layer: ${layerName} (dataset ${name} lists ${dataset.config.layers.join(", ")})`);
  }
  const layer = findLayer(model.spec, layerName);
  const prepared = await prepareImages(dataset, model.spec, {cacheDir});
  const cells = await layerCells(model, dataset, prepared, layer, cacheDir);
  const values = new Float32Array(cells.reduce((s, c) => s + c.values.length, 0));
  cells.reduce((o, c) => (values.set(c.values, o), o + c.values.length), 0);
  let codes;
  try {
    codes = quantizeCells(values, layer.channels);
  } catch (error) {
    // Name the layer and the file to edit: the message alone says only which cell failed.
    throw new Error(`${join(dataset.dir, "dataset.json")}: layer ${JSON.stringify(layerName)} of model ${model.spec.id}: ${(error as Error).message}: list another layer in \"layers\", or leave this one out`);
  }
  const table = layerTable({...layer, model: model.spec.id, grids: cells.map((c) => c.grid)}, codes);
  return tableToCompressedIPC(table);
}
