// The Arrow schema of a layer's activations: one row per cell of every image, with 8-bit codes of the
// cell's unit vector (quantize.ts) and its norm. Schema metadata "layer" holds LayerInfo as JSON.
//
//   image  Uint16                    index of the image in the dataset's image table
//   row    Uint16, col Uint16        the cell's position in that image's grid
//   norm   Float32                   ‖v‖ of the float activation vector
//   code   FixedSizeList<Uint8>[C]   round(v / ‖v‖ / step), step in the metadata
//
// A signed layer (metadata "signed": true) has code FixedSizeList<Int8>[C] instead: round(127 · v / max|v|)
// per cell, read back as a unit vector by code / ‖code‖ (quantize.ts). Nothing else differs.
//
// Rows are ordered by image, then row, then col, so image i's cells are one contiguous block.

import {Field, FixedSizeList, Float32, Int8, Schema, Table, Uint16, Uint8, makeData, RecordBatch, Struct} from "apache-arrow";
import {tableFromBytes} from "./arrowLz4.js";
import type {LayerSpec} from "./modelSpec.js";
import {codeScales, type QuantizedCells} from "./quantize.js";
import type {Size} from "./cells.js";

/** What the "layer" metadata of a layer table holds. */
export interface LayerInfo extends LayerSpec {
  /** Model id the activations come from. */
  model: string;
  /** Value of one code step (see quantize.ts). */
  step: number;
  /** Grid size of each image, in image-table order. */
  grids: Size[];
  /** True when the layer has values below zero: signed codes, cosines in [−1, 1]. Absent otherwise. */
  signed?: boolean;
}

/** A decoded layer table: flat typed arrays ready for similarity loops. */
export interface LayerData {
  info: LayerInfo;
  codes: Uint8Array | Int8Array;
  norms: Float32Array;
  /** Signed layers: each cell's factor 1 / ‖code‖ (see quantize.ts). */
  scales?: Float32Array;
  /** Index of each image's first cell; cellStart[images] = total cells. */
  cellStart: Int32Array;
}

/** Index of each image's first cell for the given grids (with the total at the end). */
export function cellStarts(grids: readonly Size[]): Int32Array {
  const start = new Int32Array(grids.length + 1);
  for (let i = 0; i < grids.length; ++i) start[i + 1] = start[i] + grids[i].width * grids[i].height;
  return start;
}

/** Builds the Arrow table for one layer of a dataset. */
export function layerTable(info: Omit<LayerInfo, "step" | "signed">, cells: QuantizedCells): Table {
  const starts = cellStarts(info.grids);
  const n = starts[info.grids.length];
  const C = info.channels;
  if (cells.channels !== C) throw new RangeError(`codes have ${cells.channels} channels, layer ${info.name} has ${C}`);
  if (cells.norms.length !== n) throw new RangeError(`${cells.norms.length} cells for grids that hold ${n}`);
  const image = new Uint16Array(n), row = new Uint16Array(n), col = new Uint16Array(n);
  info.grids.forEach((g, i) => {
    for (let k = 0; k < g.width * g.height; ++k) {
      image[starts[i] + k] = i;
      row[starts[i] + k] = Math.floor(k / g.width);
      col[starts[i] + k] = k % g.width;
    }
  });
  const signed = cells.codes instanceof Int8Array;
  const byte = signed ? new Int8() : new Uint8();
  const codeType = new FixedSizeList(C, new Field("c", byte, false));
  const fields = [
    new Field("image", new Uint16(), false),
    new Field("row", new Uint16(), false),
    new Field("col", new Uint16(), false),
    new Field("norm", new Float32(), false),
    new Field("code", codeType, false)
  ];
  const children = [
    makeData({type: new Uint16(), length: n, data: image}),
    makeData({type: new Uint16(), length: n, data: row}),
    makeData({type: new Uint16(), length: n, data: col}),
    makeData({type: new Float32(), length: n, data: cells.norms}),
    makeData({type: codeType, length: n, child: makeData({type: byte, length: n * C, data: cells.codes})})
  ];
  // Unsigned layers' metadata is as it always was; signed ones say so.
  const meta = new Map([["layer", JSON.stringify(signed ? {...info, step: cells.step, signed} : {...info, step: cells.step})]]);
  const schema = new Schema(fields, meta);
  const batch = new RecordBatch(schema, makeData({type: new Struct(fields), length: n, children}));
  return new Table(schema, [batch]);
}

/** Concatenates the chunks of a column's values into one typed array (no copy for a single chunk). */
function flat<T extends Uint8Array | Int8Array | Float32Array>(chunks: T[], make: (n: number) => T): T {
  if (chunks.length === 1) return chunks[0];
  const out = make(chunks.reduce((s, c) => s + c.length, 0));
  let o = 0;
  for (const c of chunks) out.set(c, (o += c.length) - c.length);
  return out;
}

/** Reads a layer table back, checking that it is one. */
export function decodeLayerTable(table: Table): LayerData {
  const raw = table.schema.metadata.get("layer");
  if (!raw) throw new Error("not a layer table: the schema has no \"layer\" metadata");
  const info = JSON.parse(raw) as LayerInfo;
  const norm = table.getChild("norm");
  const code = table.getChild("code");
  if (!norm || !code) throw new Error(`layer table ${info.name} lacks the norm or code column`);
  const cellStart = cellStarts(info.grids);
  if (table.numRows !== cellStart[info.grids.length]) throw new Error(`layer table ${info.name} has ${table.numRows} rows, its grids hold ${cellStart[info.grids.length]}`);
  const norms = flat(norm.data.map((d) => (d.values as Float32Array).subarray(d.offset, d.offset + d.length)), (n) => new Float32Array(n));
  // A FixedSizeList's values live in its child; slice by the chunk's offset in case it is a view.
  const values = (d: (typeof code.data)[number]) => d.children[0].values as Uint8Array | Int8Array;
  const signed = code.data.length ? values(code.data[0]) instanceof Int8Array : info.signed === true;
  if (signed !== (info.signed === true)) throw new Error(`layer table ${info.name}: its codes are ${signed ? "signed" : "unsigned"} but its metadata says otherwise`);
  const codes = flat<Uint8Array | Int8Array>(
    code.data.map((d) => values(d).subarray(d.offset * info.channels, (d.offset + d.length) * info.channels)),
    (n) => (signed ? new Int8Array(n) : new Uint8Array(n))
  );
  if (codes instanceof Int8Array) return {info, codes, norms, cellStart, scales: codeScales(codes, info.channels)};
  return {info, codes, norms, cellStart};
}

/** Reads a layer file's bytes (Arrow IPC, LZ4-compressed) into flat arrays. */
export function readLayerTable(bytes: ArrayBuffer | Uint8Array): LayerData {
  return decodeLayerTable(tableFromBytes(bytes));
}
