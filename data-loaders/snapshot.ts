// Builds a dataset's Arrow files: the image table (what the model saw) and one activation table per layer.
// Each function returns the whole file's bytes; the loader entries write them to stdout only at the end,
// so a failure leaves nothing half-written.

import {tableToIPC} from "apache-arrow";
import {join} from "node:path";
import * as ort from "onnxruntime-node";
import {tableToCompressedIPC} from "../src/core/arrowLz4.js";
import {toCellMajor} from "../src/core/cellMajor.js";
import {createTapSession} from "../src/core/layerTap.js";
import {imageId} from "../src/core/datasetConfig.js";
import {imageTable, type ImageRecord} from "../src/core/imageTable.js";
import {layerTable} from "../src/core/layerTable.js";
import {findLayer, type ModelSpec} from "../src/core/modelSpec.js";
import {rgbToBytes, type RgbFloat} from "../src/core/pixels.js";
import {toInputTensor} from "../src/core/preprocess.js";
import {quantizeCells} from "../src/core/quantize.js";
import {cropResize} from "../src/core/resize.js";
import {planInput} from "../src/core/sizePolicy.js";
import {readDataset, type Dataset} from "./dataset.js";
import {decodeImage, encodeJpeg} from "./decodeImage.js";
import {loadModel} from "./models/catalogue.js";

/** An image decoded, cropped and resized to the model input. */
export interface PreparedImage {
  record: Omit<ImageRecord, "jpeg">;
  rgb: RgbFloat;
}

/** Decodes and sizes every image of a dataset, in config order. */
export async function prepareImages(dataset: Dataset, model: ModelSpec): Promise<PreparedImage[]> {
  const policy = dataset.config.sizePolicy ?? model.sizePolicy;
  const out: PreparedImage[] = [];
  for (const image of dataset.config.images) {
    const path = join(dataset.dir, image.file);
    const pixels = await decodeImage(path);
    const plan = planInput(policy, pixels.width, pixels.height);
    const rgb = cropResize(pixels, plan.crop, plan.width, plan.height);
    out.push({
      rgb,
      record: {
        id: imageId(image.file), file: image.file, width: plan.width, height: plan.height,
        originalWidth: pixels.width, originalHeight: pixels.height, credit: image.credit, licence: image.licence
      }
    });
  }
  return out;
}

/** Loads a dataset and its model, checking that the model offers every layer the dataset asks for. */
export async function openDataset(name: string) {
  const dataset = await readDataset(name);
  const model = await loadModel(dataset.config.model);
  for (const layer of dataset.config.layers) findLayer(model.spec, layer);
  return {dataset, model};
}

/** The image table of a dataset, as Arrow IPC bytes. */
export async function imagesArrow(name: string): Promise<Uint8Array> {
  const {dataset, model} = await openDataset(name);
  const prepared = await prepareImages(dataset, model.spec);
  const images: ImageRecord[] = [];
  for (const {record, rgb} of prepared) images.push({...record, jpeg: await encodeJpeg(rgbToBytes(rgb), rgb.width, rgb.height)});
  return tableToIPC(imageTable({dataset: dataset.config, model: model.spec, images}), "file");
}

/** The activation table of one layer of a dataset, as Arrow IPC bytes. */
export async function layerArrow(name: string, layerName: string): Promise<Uint8Array> {
  const {dataset, model} = await openDataset(name);
  if (!dataset.config.layers.includes(layerName)) {
    throw new Error(`invalid layer: ${layerName} (dataset ${name} lists ${dataset.config.layers.join(", ")})`);
  }
  const layer = findLayer(model.spec, layerName);
  const prepared = await prepareImages(dataset, model.spec);
  // The model pruned to this layer's inputs: shallow layers skip the rest of the network.
  const session = await createTapSession(ort, model.bytes, [layer.output], {intraOpNumThreads: 2}, `${model.spec.id}.onnx`);
  try {
    const grids = [];
    const chunks: Float32Array[] = [];
    for (const {rgb, record} of prepared) {
      const input = toInputTensor(rgb, model.spec.input);
      const tensor = (await session.run(input.data, input.dims)).get(layer.output)!;
      const cells = toCellMajor(tensor.data, tensor.dims, layer.layout);
      if (cells.channels !== layer.channels) throw new Error(`${record.file}: layer ${layerName} gave ${cells.channels} channels, the model description says ${layer.channels}`);
      grids.push({width: cells.width, height: cells.height});
      chunks.push(cells.values);
    }
    const values = new Float32Array(chunks.reduce((s, c) => s + c.length, 0));
    chunks.reduce((o, c) => (values.set(c, o), o + c.length), 0);
    const table = layerTable({...layer, model: model.spec.id, grids}, quantizeCells(values, layer.channels));
    return tableToCompressedIPC(table);
  } finally {
    await session.dispose();
  }
}
