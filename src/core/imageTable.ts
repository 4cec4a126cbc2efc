// The Arrow schema of a dataset's images: one row per image, carrying the exact pixels the model saw
// (8-bit RGB at the model input size, as a lossless PNG) so pages draw what the activations describe.
//
//   id utf8, file utf8                       stable id (file name without extension) and source file
//   width, height Int32                      model input size (= size of the stored PNG)
//   originalWidth, originalHeight Int32      size of the source file
//   credit utf8, licence utf8                where the photo comes from and under which licence
//   png Binary                               the model input, PNG-encoded: decoded, the exact bytes the model was fed
//
// Schema metadata: "dataset" = DatasetConfig as JSON, "model" = ModelSpec as JSON.

import {Binary, Field, Schema, Table, Utf8, vectorFromArray} from "apache-arrow";
import {tableFromBytes} from "./arrowLz4.js";
import type {DatasetConfig} from "./datasetConfig.js";
import type {ModelSpec} from "./modelSpec.js";

/** One image of a dataset as stored in the image table. */
export interface ImageRecord {
  id: string;
  file: string;
  width: number;
  height: number;
  originalWidth: number;
  originalHeight: number;
  credit: string;
  licence: string;
  /** The exact 8-bit RGB pixels the model was fed, as a PNG. */
  png: Uint8Array;
}

/** A decoded image table. */
export interface ImageSet {
  dataset: DatasetConfig;
  model: ModelSpec;
  images: ImageRecord[];
}

/** Builds a dataset's image table. */
export function imageTable(set: ImageSet): Table {
  const {images} = set;
  const columns = {
    id: vectorFromArray(images.map((d) => d.id), new Utf8()),
    file: vectorFromArray(images.map((d) => d.file), new Utf8()),
    width: vectorFromArray(Int32Array.from(images, (d) => d.width)),
    height: vectorFromArray(Int32Array.from(images, (d) => d.height)),
    originalWidth: vectorFromArray(Int32Array.from(images, (d) => d.originalWidth)),
    originalHeight: vectorFromArray(Int32Array.from(images, (d) => d.originalHeight)),
    credit: vectorFromArray(images.map((d) => d.credit), new Utf8()),
    licence: vectorFromArray(images.map((d) => d.licence), new Utf8()),
    png: vectorFromArray(images.map((d) => d.png), new Binary())
  };
  const table = new Table(columns);
  const meta = new Map([
    ["dataset", JSON.stringify(set.dataset)],
    ["model", JSON.stringify(set.model)]
  ]);
  return new Table(new Schema(table.schema.fields as Field[], meta), table.batches);
}

/** Reads an image table back, checking its metadata. */
export function decodeImageTable(table: Table): ImageSet {
  const dataset = table.schema.metadata.get("dataset");
  const model = table.schema.metadata.get("model");
  if (!dataset || !model) throw new Error("not an image table: the schema lacks \"dataset\" or \"model\" metadata");
  const images = table.toArray().map((row) => {
    const r = row.toJSON() as Record<string, unknown>;
    return {
      id: String(r.id), file: String(r.file), width: Number(r.width), height: Number(r.height),
      originalWidth: Number(r.originalWidth), originalHeight: Number(r.originalHeight),
      credit: String(r.credit), licence: String(r.licence), png: r.png as Uint8Array
    };
  });
  return {dataset: JSON.parse(dataset) as DatasetConfig, model: JSON.parse(model) as ModelSpec, images};
}

/** Reads an image file's bytes (Arrow IPC). */
export function readImageTable(bytes: ArrayBuffer | Uint8Array): ImageSet {
  return decodeImageTable(tableFromBytes(bytes));
}
