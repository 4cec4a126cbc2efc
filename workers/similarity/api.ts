// The similarity worker's production API (workers/similarity.ts exposes it; bench.ts adds the benchmark's
// timing). A page loads a layer file once (the worker fetches and decodes it through layerFiles.ts, so its
// bytes never pass through the page); each hover then sends only the query cells and a Float32Array that
// travels back and forth by transfer, so the hover path copies and allocates nothing large. Dot products
// run in the WebAssembly SIMD kernel (src/core/codeDots.ts) where the browser has it, else in the
// TypeScript loop they are tested against (src/core/similarity.ts).
//
// Every install of a layer (a file loaded, uploads added or removed, a user's model run) gets a new
// version. A request names the version it was made for; a request for another version is not computed
// (its cell numbers may point past the table's end, or into other images) and its reply says so.
import {transfer} from "comlink";
import {WasmCodeDots, wasmSimdSupported} from "../../src/core/codeDots.js";
import type {Size} from "../../src/core/cells.js";
import {cellStarts, type LayerData, type LayerInfo} from "../../src/core/layerTable.js";
import {quantizeCells, quantizeCellsWithStep} from "../../src/core/quantize.js";
import {deadLayerMessage, firstNonFinite, nonFiniteMessage} from "../../src/core/userModel.js";
import {codeDots, maxInto, queryScratch, toSimilarity, type QueryScratch, type SimilarityKind} from "../../src/core/similarity.js";
import {topK} from "../../src/core/topK.js";
import {layerFile} from "./layerFiles.js";

/** What a loaded layer holds, without its vectors. */
export interface LayerSummary {
  info: LayerInfo;
  /** Cells over all images (after copies). */
  cells: number;
  /** Index of each image's first cell, with the total at the end. */
  cellStart: Int32Array;
  /** Largest cell norm, for the fixed scales of dot product and distance. */
  maxNorm: number;
  /** Size of the file in bytes. */
  bytes: number;
  /** Which loop computes the dot products: "wasm-simd" or "js". */
  backend: "wasm-simd" | "js";
  /** Images added after the file (live uploads), at the end of `info.grids`. */
  added: number;
  /** Their ids, in order. */
  addedIds: string[];
  /** Components of the added images' unit vectors beyond the table's code range (clipped to 255). */
  clipped: number;
  /** This table's version: requests name it, and one made for another version is not answered with these cells. */
  version: number;
}

/** An image added to a loaded layer: its cell-major activations at that layer. */
export interface AddedImage {
  /** Names the image across calls: an image sent once is kept (coded) and later named by id alone. */
  id: string;
  grid: Size;
  /** grid.height × grid.width rows of `channels` floats (≥ 0 for a non-negative layer). */
  values: Float32Array;
}

/** An added image already sent to this layer, named by its id. */
export type AddedRef = {id: string; grid?: undefined; values?: undefined};

/** An image's cell-major values at a layer computed in the browser (a user's model), for loadValues(). */
export interface ComputedImage {
  grid: Size;
  /** grid.height × grid.width rows of `channels` floats. */
  values: Float32Array;
}

/** compute()'s reply: the values (untouched when `version` is not the request's) and the table's version. */
export interface ComputeReply {
  values: Float32Array;
  version: number;
}

/** An added image's codes, kept per layer by id. */
interface CodedImage {
  grid: Size;
  codes: Uint8Array | Int8Array;
  norms: Float32Array;
  scales?: Float32Array;
  clipped: number;
}

/** A layer installed under a key, with what its compute needs. */
export interface InstalledLayer {
  /** The file's cells (with copies), before any added images. */
  base: LayerData;
  bytes: number;
  /** What is compared: the file's cells and the added images'. */
  data: LayerData;
  version: number;
  /** Added images in order, and every added image coded so far, by id. */
  addedIds: string[];
  coded: Map<string, CodedImage>;
  clipped: number;
  kernel: WasmCodeDots | null;
  scratch: QueryScratch;
  single: Float32Array;
  ranked: Int32Array;
}

const layers = new Map<string, InstalledLayer>();
const simd = wasmSimdSupported();
let versions = 0;

/** The layer installed under `key` (other kinds of compute in this worker read its `data` from here). */
export function installedLayer(key: string): InstalledLayer {
  const layer = layers.get(key);
  if (!layer) throw new Error(`layer ${key} is not loaded`);
  return layer;
}

/** Repeats a layer's cells `copies` times (benchmarks measure 100 images with copies of a set). */
function repeat(data: LayerData, copies: number): LayerData {
  if (copies === 1) return data;
  const grids = Array.from({length: copies}, () => data.info.grids).flat();
  return joinCells({...data.info, grids}, Array.from({length: copies}, () => data));
}

/** One table of the cells of `parts` in turn (codes, norms and, for a signed layer, scales), with `info`'s grids. */
function joinCells(info: LayerInfo, parts: ReadonlyArray<Pick<LayerData, "codes" | "norms" | "scales">>): LayerData {
  const length = (key: "codes" | "norms") => parts.reduce((n, p) => n + p[key].length, 0);
  const codes = info.signed ? new Int8Array(length("codes")) : new Uint8Array(length("codes"));
  const norms = new Float32Array(length("norms"));
  const scales = info.signed ? new Float32Array(norms.length) : undefined;
  let at = 0;
  for (const p of parts) {
    codes.set(p.codes, at * info.channels), norms.set(p.norms, at);
    if (scales) scales.set(p.scales!, at);
    at += p.norms.length;
  }
  return {info, codes, norms, cellStart: cellStarts(info.grids), ...(scales ? {scales} : {})};
}

/** Similarity of cell `query` to cells from … to−1, into `out` (the TypeScript loop computes every cell). */
export function single(layer: InstalledLayer, query: number, kind: SimilarityKind, out: Float32Array, from = 0, to = layer.data.norms.length): Float32Array {
  const {data, kernel, scratch} = layer;
  const index = {codes: data.codes, norms: data.norms, step: data.info.step, channels: data.info.channels, scales: data.scales};
  const dots = kernel ? kernel.dotsWithCell(query, from, to) : codeDots(index, query, scratch.dots, scratch);
  return toSimilarity(dots, index, query, kind, out, from, to);
}

/** Similarity to several pinned queries at once: the maximum over them, per cell (of cells from … to−1). */
function combined(layer: InstalledLayer, queries: ArrayLike<number>, kind: SimilarityKind, out: Float32Array, from = 0, to = layer.data.norms.length): Float32Array {
  if (queries.length === 0) throw new RangeError("no query cells");
  single(layer, queries[0], kind, out, from, to);
  for (let q = 1; q < queries.length; ++q) maxInto(out, single(layer, queries[q], kind, layer.single, from, to), to, from);
  return out;
}

/** Makes `data` the layer's cells under a new version: the kernel's memory, scratch and buffers follow its size (transforms.ts installs sets with it). */
export function install(key: string, base: LayerData, bytes: number, data: LayerData, addedIds: string[], coded: Map<string, CodedImage>, clipped: number): LayerSummary {
  const cells = data.norms.length;
  const kernel = simd ? new WasmCodeDots(data.codes, data.info.channels) : null;
  const version = ++versions;
  layers.set(key, {base, bytes, data, version, addedIds, coded, clipped, kernel, scratch: queryScratch(data.info.channels, cells), single: new Float32Array(cells), ranked: new Int32Array(0)});
  let maxNorm = 0;
  for (let i = 0; i < cells; ++i) if (data.norms[i] > maxNorm) maxNorm = data.norms[i];
  return {info: data.info, cells, cellStart: data.cellStart, maxNorm, bytes, backend: kernel ? "wasm-simd" : "js", added: addedIds.length, addedIds, clipped, version};
}

/** The file's cells followed by the added images' codes. */
function withAdded(base: LayerData, images: readonly CodedImage[]): LayerData {
  return joinCells({...base.info, grids: [...base.info.grids, ...images.map((image) => image.grid)]}, [base, ...images]);
}

/** A layer table built from values computed in the browser, and its size in bytes. */
function valuesLayer(info: Omit<LayerInfo, "grids" | "step">, images: readonly ComputedImage[], opType?: string): {data: LayerData; bytes: number} {
  const {channels} = info;
  if (!images.length) throw new RangeError(`layer ${info.name}: no images`);
  let total = 0;
  images.forEach(({grid, values}, i) => {
    if (values.length !== grid.width * grid.height * channels) {
      throw new RangeError(`layer ${info.name}, image ${i}: ${values.length} values for a ${grid.width}×${grid.height} grid of ${channels} channels`);
    }
    const nonFinite = firstNonFinite(values, channels);
    if (nonFinite) throw new RangeError(nonFiniteMessage(info.name, {image: i, channel: nonFinite.channel, value: nonFinite.value}, opType));
    total += values.length;
  });
  const all = new Float32Array(total);
  let at = 0;
  for (const {values} of images) all.set(values, at), (at += values.length);
  const {codes, norms, step, scales} = quantizeCells(all, channels);
  if (norms.every((n) => n === 0)) throw new RangeError(deadLayerMessage(info.name, images.length, opType));
  const grids = images.map((image) => ({width: image.grid.width, height: image.grid.height}));
  // A layer with any value below zero gets signed codes (quantize.ts), and says so like a signed file.
  const data: LayerData = {info: {...info, step, grids, ...(scales ? {signed: true} : {})}, codes, norms, cellStart: cellStarts(grids), ...(scales ? {scales} : {})};
  return {data, bytes: codes.byteLength + norms.byteLength};
}

export const similarityApi = {
  /** Decodes the layer file at `url` (fetched once per worker, see layerFiles.ts) under `key`; `copies` repeats its images (benchmarks). */
  async load(key: string, url: string, copies = 1): Promise<LayerSummary> {
    const {data: file, bytes} = await layerFile(url);
    const data = repeat(file, copies);
    return install(key, data, bytes, data, [], new Map(), 0);
  },

  /**
   * Replaces the images added to layer `key` (live uploads) with `images`, after the file's own. An image
   * sent with its values is coded with the file's step (so it compares with the file's cells exactly as
   * they do with each other) and kept under its id; later calls may name it by id alone. Images left out
   * are forgotten. Pass [] to drop them all. The layer gets a new version.
   */
  setAdded(key: string, images: Array<AddedImage | AddedRef>): LayerSummary {
    const {base, bytes, coded: before} = installedLayer(key);
    const {channels, step} = base.info;
    const coded = new Map<string, CodedImage>();
    for (const image of images) {
      if (coded.has(image.id)) throw new RangeError(`added image ${image.id} appears twice`);
      if (image.values) {
        const {grid, values} = image;
        if (values.length !== grid.width * grid.height * channels) {
          throw new RangeError(`added image ${image.id}: ${values.length} values for a ${grid.width}×${grid.height} grid of ${channels} channels`);
        }
        const q = quantizeCellsWithStep(values, channels, step, base.info.signed);
        coded.set(image.id, {grid, codes: q.codes, norms: q.norms, scales: q.scales, clipped: q.clipped});
      } else {
        const known = before.get(image.id);
        if (!known) throw new RangeError(`added image ${image.id} was never sent to layer ${key}: send its values`);
        coded.set(image.id, known);
      }
    }
    const ids = images.map((image) => image.id);
    const list = ids.map((id) => coded.get(id)!);
    const data = list.length ? withAdded(base, list) : base;
    return install(key, base, bytes, data, ids, coded, list.reduce((n, q) => n + q.clipped, 0));
  },

  /**
   * Installs under `key` a layer computed in the browser (a user's own model): every image's cell-major
   * values are quantised together (one step for the whole table, as the build does for a file), then the
   * layer is used like a loaded file. A layer with values below zero gets signed codes (summary.info.signed).
   * The buffers are only read.
   */
  /** `opType` (the layer's operator) only names it in messages. */
  loadValues(key: string, info: Omit<LayerInfo, "grids" | "step">, images: ComputedImage[], opType?: string): LayerSummary {
    const {data, bytes} = valuesLayer(info, images, opType);
    return install(key, data, bytes, data, [], new Map(), 0);
  },

  /**
   * Similarity of every cell to the query cells (max over several) of version `version` of layer `key`,
   * written into `out` and transferred back. Pass `out` with Comlink's transfer(); a buffer of the wrong
   * size is replaced. `ranges` (cell ranges as [from, to, from, to, …]) limits the work to those cells, e.g.
   * the images on screen; the rest of `out` is then left as it was. When the layer is now another version
   * (uploads were added or removed since the query was made) nothing is computed, and the reply's version
   * says so.
   */
  compute(key: string, version: number, queries: number[], kind: SimilarityKind, out: Float32Array, ranges?: number[]): ComputeReply {
    const layer = installedLayer(key);
    if (version !== layer.version) return transfer({values: out, version: layer.version}, [out.buffer]);
    const cells = layer.data.norms.length;
    const values = out.length === cells ? out : new Float32Array(cells);
    if (!ranges) combined(layer, queries, kind, values);
    else for (let r = 0; r + 1 < ranges.length; r += 2) combined(layer, queries, kind, values, Math.max(0, ranges[r]), Math.min(cells, ranges[r + 1]));
    return transfer({values, version}, [values.buffer]);
  },

  /** The k cells of version `version` of layer `key` most similar to the query cells, best first; null when the layer is now another version. */
  top(key: string, version: number, queries: number[], kind: SimilarityKind, k: number): Array<{cell: number; value: number}> | null {
    const layer = installedLayer(key);
    if (version !== layer.version) return null;
    const values = combined(layer, queries, kind, new Float32Array(layer.data.norms.length));
    if (layer.ranked.length !== k) layer.ranked = new Int32Array(k);
    const n = topK(values, layer.ranked);
    return Array.from(layer.ranked.subarray(0, n), (cell) => ({cell, value: values[cell]}));
  },

  /** Frees a loaded layer (the decoded file stays, for other keys and kinds of compute). */
  unload(key: string): void {
    layers.delete(key);
  }
};
