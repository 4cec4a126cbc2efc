// The query a figure shows, as plain data: cells named by image, column and row (in the grid of the layer
// on screen), the pinned ones and the one under the pointer or keyboard cursor. The overlay shows the
// similarity to the pinned cells (max over them) when there are any, else to the cell under the pointer.
// Pages turn references into the global cell indices the worker takes (cellStart[image] + row · w + col).
import {cellIndex, mapCell, type Cell, type Size} from "../../core/cells.js";

/** A cell of one image of the set, in the grid of the current layer (or of `layer`, on the across-layers page). */
export interface CellRef {
  image: number;
  col: number;
  row: number;
  /** The layer whose grid col and row refer to, where a page shows several. */
  layer?: string;
}

/** Whether a and b name the same cell. */
export function sameRef(a: CellRef, b: CellRef): boolean {
  return a.image === b.image && a.col === b.col && a.row === b.row && a.layer === b.layer;
}

/** `pins` with `ref` added, or removed if it was pinned already (a new array; pins stay in click order). */
export function togglePin(pins: readonly CellRef[], ref: CellRef): CellRef[] {
  return pins.some((p) => sameRef(p, ref)) ? pins.filter((p) => !sameRef(p, ref)) : [...pins, ref];
}

/** The cells the overlay compares with: the pins if any, else the hovered cell, else none. */
export function queryRefs(pins: readonly CellRef[], hover: CellRef | null): readonly CellRef[] {
  return pins.length ? pins : hover ? [hover] : [];
}

/** The global index of a reference: cellStart[image] plus its row-major index in that image's grid. */
export function globalCell(ref: CellRef, cellStart: Int32Array, grids: readonly Size[]): number {
  if (!isValidRef(ref, grids)) throw new RangeError(`invalid cell: image ${ref.image}, col ${ref.col}, row ${ref.row}`);
  return cellStart[ref.image] + cellIndex(ref, grids[ref.image]);
}

/** The reference of global cell `cell`: which image holds it (binary search over cellStart), and where. */
export function refOf(cell: number, cellStart: Int32Array, grids: readonly Size[]): CellRef {
  const images = cellStart.length - 1;
  if (!(cell >= 0 && cell < cellStart[images])) throw new RangeError(`invalid cell: ${cell} (the set has ${cellStart[images]})`);
  let lo = 0, hi = images - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (cellStart[mid] <= cell) lo = mid;
    else hi = mid - 1;
  }
  const k = cell - cellStart[lo];
  const {width} = grids[lo];
  return {image: lo, col: k % width, row: Math.floor(k / width)};
}

/** Whether ref names a cell of one of `grids`' images. */
export function isValidRef(ref: CellRef, grids: readonly Size[]): boolean {
  const grid = grids[ref.image];
  return grid !== undefined && Number.isInteger(ref.col) && Number.isInteger(ref.row) && ref.col >= 0 && ref.row >= 0 && ref.col < grid.width && ref.row < grid.height;
}

/**
 * References carried over to another layer of the same images: each moves to the cell of the new grid
 * that contains its centre (mapCell). References to images the new grids lack are dropped; duplicates
 * (several small cells falling into one large cell) are kept once. `imageIn` says where image i of `from`
 * is in `to` (-1: not there), when images were taken out or moved (uploads removed).
 */
export function remapRefs(refs: readonly CellRef[], from: readonly Size[], to: readonly Size[], imageIn: (image: number) => number = (i) => i): CellRef[] {
  const out: CellRef[] = [];
  for (const ref of refs) {
    const image = isValidRef(ref, from) ? imageIn(ref.image) : -1;
    if (!to[image]) continue;
    const cell = mapCell(ref, from[ref.image], to[image]);
    const moved = {image, ...cell};
    if (!out.some((r) => sameRef(r, moved))) out.push(moved);
  }
  return out;
}

/** Arrow keys move a cell by one within its grid (clamped at the edges); other keys return null. */
export function moveCell(cell: Cell, key: string, grid: Size): Cell | null {
  const step: Record<string, [number, number]> = {ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1]};
  const d = step[key];
  if (!d) return null;
  return {col: Math.min(grid.width - 1, Math.max(0, cell.col + d[0])), row: Math.min(grid.height - 1, Math.max(0, cell.row + d[1]))};
}

/** What the pins do, for a readout: "", "1 pinned cell. " or "3 pinned cells (the overlay shows the largest similarity to any). " */
export function describePins(count: number): string {
  return count === 0 ? "" : count === 1 ? "1 pinned cell. " : `${count} pinned cells (the overlay shows the largest similarity to any). `;
}
