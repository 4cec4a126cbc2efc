// The summary of a transformed set over every cell of its untransformed picture: for each transform, the
// mean cosine similarity (of the 8-bit codes, divided by their lengths) of each cell to its corresponding cell in the transformed picture (transforms.ts),
// one mean per band of distance from the border. The similarity worker runs it on the codes it holds
// (workers/similarity/transforms.ts); tests run it in Node.
import type {LayerData} from "./layerTable.js";
import {codeCosine} from "./quantize.js";
import {BORDER_BANDS, borderBand, correspondingCell, isIdentity, type Transform} from "./transforms.js";

/** Per band (BORDER_BANDS) and transform: the mean similarity (NaN with no cell) and how many cells had a correspondence. */
export interface TransformSummary {
  bands: readonly string[];
  /** means[band][k]: mean over the band's cells of the untransformed picture, for transform k. */
  means: number[][];
  /** counts[band][k]: cells of that band with a corresponding cell in transform k's picture. */
  counts: number[][];
  /** Cells of each band. */
  cells: number[];
}

/**
 * The summary of the images `images` of `data` (table indices), made by `transforms` (same order) from one
 * picture of `size` (input pixels). The untransformed one (0°, zoom 1) is the reference.
 */
export function transformSummary(data: LayerData, images: readonly number[], transforms: readonly Transform[], size: {width: number; height: number}): TransformSummary {
  if (images.length !== transforms.length) throw new RangeError(`${images.length} images for ${transforms.length} transforms`);
  const ref = transforms.findIndex(isIdentity);
  if (ref < 0) throw new RangeError("the set has no untransformed picture (0° or zoom 1)");
  const grid = data.info.grids[images[ref]];
  const coded = {codes: data.codes, norms: data.norms, channels: data.info.channels, step: data.info.step};
  const start = (i: number) => data.cellStart[images[i]];
  const sums = BORDER_BANDS.map(() => new Float64Array(transforms.length));
  const counts = BORDER_BANDS.map(() => new Array<number>(transforms.length).fill(0));
  const cells = BORDER_BANDS.map(() => 0);
  for (let row = 0; row < grid.height; ++row) {
    for (let col = 0; col < grid.width; ++col) {
      const band = borderBand({col, row}, grid);
      ++cells[band];
      const a = start(ref) + row * grid.width + col;
      transforms.forEach((t, k) => {
        const there = correspondingCell({col, row}, transforms[ref], t, data.info, data.info.grids[images[k]], size);
        if (!there) return;
        const b = start(k) + there.cell.row * data.info.grids[images[k]].width + there.cell.col;
        // Divided by the codes' lengths, as the hover chart is: a cell against itself is exactly 1.
        const self = codeCosine(coded, a, a) * codeCosine(coded, b, b);
        sums[band][k] += self > 0 ? codeCosine(coded, a, b) / Math.sqrt(self) : 0;
        ++counts[band][k];
      });
    }
  }
  return {bands: BORDER_BANDS, means: sums.map((s, b) => Array.from(s, (v, k) => (counts[b][k] ? v / counts[b][k] : NaN))), counts, cells};
}

/** One point of the hover chart: the hovered cell against its corresponding cell in one transformed picture. */
export interface HoverPoint {
  transform: Transform;
  /** Index of the picture in the set. */
  image: number;
  /** The corresponding cell, and how far (input pixels) its centre is from the mapped point; null when missing. */
  cell: {col: number; row: number} | null;
  distance: number | null;
  /** The similarity to that cell, and the best within its 3 × 3 neighbourhood; null when missing. */
  similarity: number | null;
  best: number | null;
}

/**
 * The hover chart's points: for the cell `query` of picture `query.image` of a set (the pictures made by
 * `transforms`, in order), the similarity values already computed for that query (`values`, image i's
 * cells from cellStart[i], row-major) at each picture's corresponding cell and the best around it. With
 * `self` (each cell's cosine with itself from its codes, for cosine values) each value is divided by the two
 * cells' code lengths, so the hovered cell against itself is exactly 1.
 */
export function hoverCurve(
  values: ArrayLike<number>,
  cellStart: ArrayLike<number>,
  grids: readonly {width: number; height: number}[],
  query: {image: number; col: number; row: number},
  transforms: readonly Transform[],
  layer: {stride: number; offset: number},
  size: {width: number; height: number},
  self?: ArrayLike<number>
): HoverPoint[] {
  const q = cellStart[query.image] + query.row * grids[query.image].width + query.col;
  // With each cell's own value (cosine with itself from the codes), values are divided by the codes' lengths.
  const value = (cell: number) => (self ? (self[q] > 0 && self[cell] > 0 ? values[cell] / Math.sqrt(self[q] * self[cell]) : 0) : values[cell]);
  return transforms.map((t, image) => {
    const grid = grids[image];
    const there = correspondingCell(query, transforms[query.image], t, layer, grid, size);
    if (!there) return {transform: t, image, cell: null, distance: null, similarity: null, best: null};
    const {col, row} = there.cell;
    let best = -Infinity;
    for (let r = Math.max(0, row - 1); r <= Math.min(grid.height - 1, row + 1); ++r) {
      for (let c = Math.max(0, col - 1); c <= Math.min(grid.width - 1, col + 1); ++c) best = Math.max(best, value(cellStart[image] + r * grid.width + c));
    }
    return {transform: t, image, cell: there.cell, distance: there.distance, similarity: value(cellStart[image] + row * grid.width + col), best};
  });
}
