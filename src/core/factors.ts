// Matrix factors of a set's layer: the NMF (nmf.ts) of every cell of every image, stored by the build as
// an Arrow file per (layer, k) and computed live in the similarity worker; both go through factorize()
// here, so the snapshot and the live run are the same code on the same matrix (dequantised codes).
//
// The Arrow file, one row per factor, in factor order (largest share first):
//
//   factor  Uint8                           the factor's number, 0 … k−1 (its rank by share)
//   share   Float64                         ‖w_t h_tᵀ‖²_F / Σ_s ‖w_s h_sᵀ‖²_F
//   h       FixedSizeList<Float32>[C]       H's row: the factor's direction in channel space, unit norm
//   w       FixedSizeList<Float32>[cells]   W's column: the factor's weight at every cell, in the layer
//                                           table's cell order (image, row, col)
//
// Schema metadata "factors" holds FactorInfo as JSON (dataset, layer, model, k, cells, channels, the grids,
// relativeError, iterations, converged, tol, maxIterations). W and H are computed in float64 and stored as
// float32.

import {Field, FixedSizeList, Float32, Float64, makeData, RecordBatch, Schema, Struct, Table, Uint8} from "apache-arrow";
import {tableFromBytes} from "./arrowLz4.js";
import type {Size} from "./cells.js";
import type {LayerData} from "./layerTable.js";
import {nmfAsync, type NmfAsyncOptions, type NmfResult} from "./nmf.js";
import {dequantizeCells} from "./quantize.js";
import {topK} from "./topK.js";

/** What the "factors" metadata of a factor table holds. */
export interface FactorInfo {
  dataset: string;
  layer: string;
  model: string;
  k: number;
  cells: number;
  channels: number;
  /** Grid of each image, in image-table order (the cells of W follow them). */
  grids: Size[];
  /** ‖X − WH‖_F / ‖X‖_F */
  relativeError: number;
  iterations: number;
  converged: boolean;
  tol: number;
  maxIterations: number;
}

/** A factorisation as the page uses it: W cell-major (cells × k), H factor-major (k × channels). */
export interface Factors {
  info: FactorInfo;
  /** W[i * k + t]: cell i's weight on factor t. */
  W: Float32Array;
  /** H[t * channels + c]. */
  H: Float32Array;
  /** Each factor's share of the reconstruction; factors are ordered by it, largest first. */
  shares: Float64Array;
}

/** The scikit-learn stopping rule nmf() uses by default, recorded in the metadata. */
const TOL = 1e-4;
const MAX_ITERATIONS = 200;

/** NMF of a layer table's cells (norm · step · code, uploads included when the table has them), with k factors. */
export async function factorize(data: LayerData, names: {dataset: string}, k: number, options: NmfAsyncOptions = {}): Promise<Factors> {
  const {codes, norms, info} = data;
  // Signed layers (codes below zero: no ReLU at that output) cannot be factorised into non-negative parts.
  if ((codes as ArrayBufferView) instanceof Int8Array) {
    throw new RangeError(`layer ${info.name} of ${names.dataset} has values below zero, and non-negative matrix factors need activations after a ReLU: choose another layer`);
  }
  const X = dequantizeCells({codes, norms, step: info.step, channels: info.channels});
  const result = await nmfAsync(X, norms.length, info.channels, k, {tol: TOL, maxIterations: MAX_ITERATIONS, ...options});
  return fromResult(result, {dataset: names.dataset, layer: info.name, model: info.model, grids: info.grids, tol: options.tol ?? TOL, maxIterations: options.maxIterations ?? MAX_ITERATIONS});
}

function fromResult(r: NmfResult, about: Pick<FactorInfo, "dataset" | "layer" | "model" | "grids" | "tol" | "maxIterations">): Factors {
  const info: FactorInfo = {...about, k: r.k, cells: r.cells, channels: r.channels, relativeError: r.relativeError, iterations: r.iterations, converged: r.converged};
  return {info, W: Float32Array.from(r.W), H: Float32Array.from(r.H), shares: Float64Array.from(r.shares)};
}

/** The Arrow table of a factorisation (schema above). */
export function factorTable(f: Factors): Table {
  const {k, cells, channels} = f.info;
  if (f.W.length !== cells * k || f.H.length !== k * channels || f.shares.length !== k) throw new RangeError(`factors: W, H or shares do not match k = ${k}, ${cells} cells, ${channels} channels`);
  const wByFactor = new Float32Array(k * cells);
  for (let i = 0; i < cells; ++i) for (let t = 0; t < k; ++t) wByFactor[t * cells + i] = f.W[i * k + t];
  const hType = new FixedSizeList(channels, new Field("c", new Float32(), false));
  const wType = new FixedSizeList(cells, new Field("cell", new Float32(), false));
  const fields = [new Field("factor", new Uint8(), false), new Field("share", new Float64(), false), new Field("h", hType, false), new Field("w", wType, false)];
  const children = [
    makeData({type: new Uint8(), length: k, data: Uint8Array.from({length: k}, (_, t) => t)}),
    makeData({type: new Float64(), length: k, data: f.shares}),
    makeData({type: hType, length: k, child: makeData({type: new Float32(), length: k * channels, data: f.H})}),
    makeData({type: wType, length: k, child: makeData({type: new Float32(), length: k * cells, data: wByFactor})})
  ];
  const schema = new Schema(fields, new Map([["factors", JSON.stringify(f.info)]]));
  return new Table(schema, [new RecordBatch(schema, makeData({type: new Struct(fields), length: k, children}))]);
}

/** Reads a factor file's bytes (Arrow IPC, maybe LZ4-compressed) back, checking that it is one. */
export function readFactorTable(bytes: ArrayBuffer | Uint8Array, where = "factor table"): Factors {
  const table = tableFromBytes(bytes);
  const raw = table.schema.metadata.get("factors");
  if (!raw) throw new Error(`${where}: not a factor table (the schema has no "factors" metadata)`);
  const info = JSON.parse(raw) as FactorInfo;
  const {k, cells, channels} = info;
  if (table.numRows !== k) throw new Error(`${where}: ${table.numRows} rows for k = ${k} factors`);
  const column = (name: string, size: number) => {
    const out = new Float32Array(k * size);
    let at = 0;
    for (const d of table.getChild(name)?.data ?? []) {
      const values = (d.children[0].values as Float32Array).subarray(d.offset * size, (d.offset + d.length) * size);
      out.set(values, at);
      at += values.length;
    }
    if (at !== out.length) throw new Error(`${where}: column ${name} holds ${at} values, expected ${out.length}`);
    return out;
  };
  const H = column("h", channels);
  const wByFactor = column("w", cells);
  const W = new Float32Array(cells * k);
  for (let t = 0; t < k; ++t) for (let i = 0; i < cells; ++i) W[i * k + t] = wByFactor[t * cells + i];
  const shares = Float64Array.from(table.getChild("share")!.toArray() as Float64Array);
  return {info, W, H, shares};
}

/**
 * Each factor's 99th percentile of its weights over all cells (the weight that maps to full intensity, as
 * Lucid's building blocks scale factors), into out[t]. A factor whose 99th percentile is 0 uses its
 * largest weight instead (0 if it has none).
 */
export function percentile99(W: Float32Array, cells: number, k: number, out = new Float64Array(k)): Float64Array {
  const column = new Float32Array(cells);
  for (let t = 0; t < k; ++t) {
    for (let i = 0; i < cells; ++i) column[i] = W[i * k + t];
    column.sort();
    const at = column[Math.min(cells - 1, Math.floor(0.99 * (cells - 1)))];
    out[t] = at > 0 ? at : column[cells - 1];
  }
  return out;
}

/** For every factor, the `count` cells where its weight is largest, best first: out[t * count + j] (−1 past the end, or for cells of weight 0). */
export function strongestCells(W: Float32Array, cells: number, k: number, count: number): Int32Array {
  const out = new Int32Array(k * count).fill(-1);
  const column = new Float32Array(cells), best = new Int32Array(count);
  for (let t = 0; t < k; ++t) {
    for (let i = 0; i < cells; ++i) column[i] = W[i * k + t];
    const n = topK(column, best);
    for (let j = 0; j < n && column[best[j]] > 0; ++j) out[t * count + j] = best[j];
  }
  return out;
}
