// "Export CSV": the numbers behind an overlay figure, one row per cell of every image (its similarity to
// the query, or with pins the largest similarity to any of them) and one per closest cell listed, each row
// carrying the view's parameters (set, layer, similarity, scale, query), so the file stands on its own in
// any spreadsheet or data frame. Written by the one CSV writer, src/core/csv.ts.
import type {Size} from "../../core/cells.js";
import {toCsv, type CsvField} from "../../core/csv.js";
import type {CellRef} from "../query/queryState.js";

/** The view a CSV was exported from. */
export interface CsvView {
  set: string;
  layer: string;
  kind: string;
  scale: string;
  /** The query cells, in words: "chelsea (14, 8)", pins joined by "; "; "" without a query. */
  query: string;
}

/** The columns, in order. */
export const CSV_COLUMNS = ["part", "set", "layer", "similarity", "scale", "query", "image", "image_id", "col", "row", "value", "rank"] as const;

/**
 * The CSV text: `values` (every cell of every image, row-major per image from `cellStart`; null without a
 * query) as "overlay" rows, then `closest` as "closest" rows ranked from 1.
 */
export function figureCsv(view: CsvView, images: readonly {id: string}[], grids: readonly Size[], cellStart: ArrayLike<number>, values: Float32Array | null, closest: readonly {ref: CellRef; value: number}[]): string {
  const common = [view.set, view.layer, view.kind, view.scale, view.query];
  function* rows(): Generator<CsvField[]> {
    for (let i = 0; i < grids.length; ++i) {
      const {width, height} = grids[i];
      for (let row = 0; row < height; ++row)
        for (let col = 0; col < width; ++col) yield ["overlay", ...common, i, images[i].id, col, row, values ? values[cellStart[i] + row * width + col] : null, null];
    }
    for (const [rank, {ref, value}] of closest.entries()) yield ["closest", ...common, ref.image, images[ref.image].id, ref.col, ref.row, value, rank + 1];
  }
  return toCsv(CSV_COLUMNS, rows());
}
