// The similarity worker's part for transformed sets (the Rotation and scale page): a set's rows of a
// dataset's layer file installed as a layer of their own, so the page's figure shows and compares just
// them, and the set's summary over every cell (src/core/transformSummary.ts).
import {codeCosine} from "../../src/core/quantize.js";
import {cellStarts, type LayerData} from "../../src/core/layerTable.js";
import type {Transform} from "../../src/core/transforms.js";
import {transformSummary, type TransformSummary} from "../../src/core/transformSummary.js";
import {install, installedLayer, type LayerSummary} from "./api.js";
import {layerFile} from "./layerFiles.js";

/** Images `rows` of `file`, in that order, as a table of their own. */
function rowsOf(file: LayerData, rows: readonly number[]): LayerData {
  const {info, codes, norms, cellStart} = file;
  const C = info.channels;
  const grids = rows.map((r) => {
    if (!(r >= 0 && r < info.grids.length)) throw new RangeError(`layer ${info.name}: no image ${r} (the file has ${info.grids.length})`);
    return info.grids[r];
  });
  const starts = cellStarts(grids);
  const out = {codes: new Uint8Array(starts[rows.length] * C), norms: new Float32Array(starts[rows.length])};
  rows.forEach((r, i) => {
    out.codes.set(codes.subarray(cellStart[r] * C, cellStart[r + 1] * C), starts[i] * C);
    out.norms.set(norms.subarray(cellStart[r], cellStart[r + 1]), starts[i]);
  });
  return {info: {...info, grids}, ...out, cellStart: starts};
}

export const transformsApi = {
  /** Installs images `rows` of the layer file at `url` (fetched and decoded once per worker) under `key`. */
  async loadRows(key: string, url: string, rows: number[]): Promise<LayerSummary> {
    const {data: file, bytes} = await layerFile(url);
    const data = rowsOf(file, rows);
    return install(key, data, bytes, data, [], new Map(), 0);
  },

  /**
   * The summary of layer `key` (version `version`), whose images are one picture under `transforms`, in
   * order, of `size` input pixels: mean cosine to the corresponding cell per transform and border band.
   * Null when the layer is now another version.
   */
  /**
   * Each cell's cosine with itself from its codes (step² · Σ code², 1 up to the codes' rounding), so the
   * hover chart can divide by the codes' lengths: a cell against itself is then exactly 1.
   */
  selfCosines(key: string, version: number): Float32Array | null {
    const layer = installedLayer(key);
    if (version !== layer.version) return null;
    const {codes, norms, info} = layer.data;
    const out = new Float32Array(norms.length);
    for (let i = 0; i < out.length; ++i) out[i] = codeCosine({codes, norms, channels: info.channels, step: info.step}, i, i);
    return out;
  },

  transformSummary(key: string, version: number, transforms: Transform[], size: {width: number; height: number}): TransformSummary | null {
    const layer = installedLayer(key);
    if (version !== layer.version) return null;
    return transformSummary(layer.data, transforms.map((_, i) => i), transforms, size);
  }
};
