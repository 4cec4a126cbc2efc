// Geometric transforms of a model input (rotation about its centre, zoom into a box around a point), and
// the exact correspondence of cells between transformed copies of one picture. The same code makes a
// dataset's transformed sets at build time (data-loaders/snapshot.ts) and an upload's in the browser
// (workers/uploads.ts); the similarity worker and the page map cells with it. No DOM, no Node APIs.
//
// Coordinates are continuous input pixels with pixel p spanning [p, p + 1] (its centre at p + 0.5), the
// convention of receptiveFieldRect in cells.ts: a cell's centre is offset + i·stride + 0.5. A transform
// maps a point of the untransformed picture (the "base", W × H) to the transformed picture of the same
// size; outside the base's [0, W] × [0, H] there is no content, and the transformed picture is black there
// (RGB 0, what zero padding of the photo would give).

import type {Cell, Size} from "./cells.js";
import type {Rgb8} from "./pixels.js";

/** A rotation by `angle` degrees counter-clockwise on screen about the picture's centre, size kept. */
export interface RotateTransform {
  kind: "rotate";
  angle: number;
}

/** A zoom by `zoom` (≥ 1): the box of side W/zoom × H/zoom around `centre` (fractions of W and H, moved
 * inward as far as needed to stay inside the picture), resized back up to W × H. Zoom 1 is the picture. */
export interface ScaleTransform {
  kind: "scale";
  zoom: number;
  centre: [number, number];
}

export type Transform = RotateTransform | ScaleTransform;

/** How the transformed picture is sampled: bilinear (default) or nearest neighbour. */
export type Interpolation = "bilinear" | "nearest";

/** A point in input pixels. */
export interface Point {
  x: number;
  y: number;
}

/** The layer geometry the correspondence needs (a LayerSpec has it): distance between cell centres and cell 0's centre. */
export interface CellGeometry {
  stride: number;
  offset: number;
}

/** cos and sin of `degrees`, exact for multiples of 90° (so a quarter turn maps pixel centres onto pixel centres). */
function cosSin(degrees: number): [number, number] {
  const turns = (((degrees % 360) + 360) % 360) / 90;
  if (Number.isInteger(turns)) return ([[1, 0], [0, 1], [-1, 0], [0, -1]] as Array<[number, number]>)[turns];
  const r = (degrees * Math.PI) / 180;
  return [Math.cos(r), Math.sin(r)];
}

/** The zoom box in base pixels: its left and top edges and its side (width, height). */
export function zoomBox(t: ScaleTransform, size: Size): {left: number; top: number; width: number; height: number} {
  const width = size.width / t.zoom;
  const height = size.height / t.zoom;
  const cx = Math.min(size.width - width / 2, Math.max(width / 2, t.centre[0] * size.width));
  const cy = Math.min(size.height - height / 2, Math.max(height / 2, t.centre[1] * size.height));
  return {left: cx - width / 2, top: cy - height / 2, width, height};
}

/** Where the base point `p` lands in the picture transformed by `t` (W × H = `size`). */
export function forwardPoint(t: Transform, p: Point, size: Size): Point {
  if (t.kind === "rotate") {
    const [c, s] = cosSin(t.angle);
    const cx = size.width / 2, cy = size.height / 2;
    const dx = p.x - cx, dy = p.y - cy;
    // Counter-clockwise on screen, where y points down.
    return {x: cx + c * dx + s * dy, y: cy - s * dx + c * dy};
  }
  const box = zoomBox(t, size);
  return {x: ((p.x - box.left) * size.width) / box.width, y: ((p.y - box.top) * size.height) / box.height};
}

/** The base point that lands on `q` of the picture transformed by `t`: the exact inverse of forwardPoint. */
export function inversePoint(t: Transform, q: Point, size: Size): Point {
  if (t.kind === "rotate") {
    const [c, s] = cosSin(t.angle);
    const cx = size.width / 2, cy = size.height / 2;
    const dx = q.x - cx, dy = q.y - cy;
    return {x: cx + c * dx - s * dy, y: cy + s * dx + c * dy};
  }
  const box = zoomBox(t, size);
  return {x: box.left + (q.x * box.width) / size.width, y: box.top + (q.y * box.height) / size.height};
}

/** True when `p` lies on the picture `size` (edges included). */
export function inside(p: Point, size: Size): boolean {
  return p.x >= 0 && p.y >= 0 && p.x <= size.width && p.y <= size.height;
}

/** True when the point `q` of the transformed picture shows the base picture (not the black fill). */
export function isContent(t: Transform, q: Point, size: Size): boolean {
  return inside(q, size) && inside(inversePoint(t, q, size), size);
}

/** Checks a transform's parameters; `where` names it in messages. */
export function checkTransform(t: Transform, where: string): Transform {
  if (t.kind === "rotate") {
    if (!Number.isFinite(t.angle)) throw new RangeError(`${where}: the angle must be a number of degrees, got ${JSON.stringify(t.angle)}`);
  } else if (t.kind === "scale") {
    if (!(Number.isFinite(t.zoom) && t.zoom >= 1 && t.zoom <= 16)) throw new RangeError(`${where}: the zoom must be a number from 1 to 16, got ${JSON.stringify(t.zoom)}`);
    const [x, y] = t.centre ?? [];
    if (!(Number.isFinite(x) && Number.isFinite(y) && x >= 0 && x <= 1 && y >= 0 && y <= 1)) {
      throw new RangeError(`${where}: the centre must be [x, y] in fractions of the picture's width and height (0 to 1), got ${JSON.stringify(t.centre)}`);
    }
  } else {
    throw new RangeError(`${where}: unknown transform ${JSON.stringify((t as {kind?: unknown}).kind)} (use "rotate" or "scale")`);
  }
  return t;
}

/**
 * The picture `input` transformed by `t`, same size: each output pixel's centre is mapped back to the base
 * and sampled there (bilinear or nearest); where that point is off the base the pixel is black. The
 * identity (0°, zoom 1) and quarter turns of a square picture give back exactly the input's pixels.
 */
export function transformImage(input: Rgb8, t: Transform, interpolation: Interpolation = "bilinear"): Rgb8 {
  const {width: W, height: H, data} = input;
  const size = {width: W, height: H};
  const out = new Uint8Array(W * H * 3);
  const nearest = interpolation === "nearest";
  for (let y = 0; y < H; ++y) {
    for (let x = 0; x < W; ++x) {
      const p = inversePoint(t, {x: x + 0.5, y: y + 0.5}, size);
      if (!inside(p, size)) continue; // black: no content here
      // Pixel index space: pixel i's centre at i. Points within half a pixel of the edge take the edge pixel.
      const u = Math.min(W - 1, Math.max(0, p.x - 0.5));
      const v = Math.min(H - 1, Math.max(0, p.y - 0.5));
      const o = (y * W + x) * 3;
      if (nearest) {
        const s = (Math.min(H - 1, Math.round(v)) * W + Math.min(W - 1, Math.round(u))) * 3;
        out[o] = data[s], out[o + 1] = data[s + 1], out[o + 2] = data[s + 2];
        continue;
      }
      const x0 = Math.floor(u), y0 = Math.floor(v);
      const x1 = Math.min(W - 1, x0 + 1), y1 = Math.min(H - 1, y0 + 1);
      const fx = u - x0, fy = v - y0;
      const a = (y0 * W + x0) * 3, b = (y0 * W + x1) * 3, c = (y1 * W + x0) * 3, d = (y1 * W + x1) * 3;
      for (let k = 0; k < 3; ++k) {
        const top = data[a + k] + fx * (data[b + k] - data[a + k]);
        const bottom = data[c + k] + fx * (data[d + k] - data[c + k]);
        out[o + k] = Math.round(top + fy * (bottom - top));
      }
    }
  }
  return {data: out, width: W, height: H, channels: 3};
}

/** The centre of `cell` in input pixels. */
export function cellCentre(cell: Cell, layer: CellGeometry): Point {
  return {x: layer.offset + cell.col * layer.stride + 0.5, y: layer.offset + cell.row * layer.stride + 0.5};
}

/** The cell of `grid` whose centre is nearest to `q`, and the distance (input pixels) from `q` to that centre. */
export function nearestCell(q: Point, layer: CellGeometry, grid: Size): {cell: Cell; distance: number} {
  const index = (v: number, n: number) => Math.min(n - 1, Math.max(0, Math.round((v - 0.5 - layer.offset) / layer.stride)));
  const cell = {col: index(q.x, grid.width), row: index(q.y, grid.height)};
  const c = cellCentre(cell, layer);
  return {cell, distance: Math.hypot(q.x - c.x, q.y - c.y)};
}

/** A corresponding cell: the nearest cell to where the point went, and how far its centre is from it (input pixels). */
export interface Correspondence {
  cell: Cell;
  distance: number;
}

/**
 * The cell of the picture transformed by `to` that shows what the centre of `cell` of the picture
 * transformed by `from` shows: the centre is mapped back to the base by the exact inverse of `from`, then
 * forward by `to`, and the nearest cell taken. Null when that point is not part of both pictures' real
 * content (it lies in a black fill, or off the picture). A cell corresponds to itself in its own picture.
 */
export function correspondingCell(cell: Cell, from: Transform, to: Transform, layer: CellGeometry, grid: Size, size: Size): Correspondence | null {
  if (sameTransform(from, to)) return {cell: {col: cell.col, row: cell.row}, distance: 0};
  const p = inversePoint(from, cellCentre(cell, layer), size);
  if (!inside(p, size)) return null;
  const q = forwardPoint(to, p, size);
  if (!inside(q, size)) return null;
  return nearestCell(q, layer, grid);
}

/** True when `t` leaves the picture as it is (0°, a whole turn, zoom 1). */
export function isIdentity(t: Transform): boolean {
  return t.kind === "rotate" ? t.angle % 360 === 0 : t.zoom === 1;
}

/** True when two transforms are the same map. */
export function sameTransform(a: Transform, b: Transform): boolean {
  if (isIdentity(a) || isIdentity(b)) return isIdentity(a) && isIdentity(b);
  if (a.kind === "rotate" && b.kind === "rotate") return (((a.angle - b.angle) % 360) + 360) % 360 === 0;
  return a.kind === "scale" && b.kind === "scale" && a.zoom === b.zoom && a.centre[0] === b.centre[0] && a.centre[1] === b.centre[1];
}

/** How many cells `cell` is from the grid's nearest edge (0 on the border row or column). */
export function borderDistance(cell: Cell, grid: Size): number {
  return Math.min(cell.col, cell.row, grid.width - 1 - cell.col, grid.height - 1 - cell.row);
}

/** The summary's bands of distance from the border: the border row, 1–2 cells in, and the centre. */
export const BORDER_BANDS = ["border row", "1–2 cells in", "centre (3+ cells in)"] as const;

/** The band of a cell (an index into BORDER_BANDS). */
export function borderBand(cell: Cell, grid: Size): number {
  const d = borderDistance(cell, grid);
  return d === 0 ? 0 : d <= 2 ? 1 : 2;
}

/** The transform's value on the chart's x axis: the angle in degrees, or the zoom. */
export function transformValue(t: Transform): number {
  return t.kind === "rotate" ? t.angle : t.zoom;
}

/** The transform in words, e.g. "rotated 45°" or "zoom ×2". */
export function describeTransform(t: Transform): string {
  return t.kind === "rotate" ? (t.angle === 0 ? "not rotated (0°)" : `rotated ${t.angle}°`) : t.zoom === 1 ? "not zoomed (×1)" : `zoom ×${t.zoom}`;
}
