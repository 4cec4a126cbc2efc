// Cell geometry: which cell of a layer's grid a pixel falls in, which pixels a cell covers, how a cell
// maps to a grid of another resolution, and where its receptive field lies.
//
// An image of size W × H shown with a grid of gw × gh cells is split into equal rectangles: cell (col,
// row) covers x ∈ [col·W/gw, (col+1)·W/gw) and y ∈ [row·H/gh, (row+1)·H/gh). This holds for any display
// size, so a pointer position maps to the same cell however large the image is drawn.

/** Width and height of something, in pixels or cells. */
export interface Size {
  width: number;
  height: number;
}

/** A cell of a grid, by column and row. */
export interface Cell {
  col: number;
  row: number;
}

/** The cell under the point (x, y) of an image drawn at `size`; points outside are clamped to the edge. */
export function cellAt(x: number, y: number, size: Size, grid: Size): Cell {
  const col = Math.floor((x / size.width) * grid.width);
  const row = Math.floor((y / size.height) * grid.height);
  return {col: Math.min(grid.width - 1, Math.max(0, col)), row: Math.min(grid.height - 1, Math.max(0, row))};
}

/** The rectangle cell covers in an image drawn at `size`. */
export function cellRect(cell: Cell, size: Size, grid: Size): {x: number; y: number; width: number; height: number} {
  const x0 = (cell.col * size.width) / grid.width;
  const y0 = (cell.row * size.height) / grid.height;
  const x1 = ((cell.col + 1) * size.width) / grid.width;
  const y1 = ((cell.row + 1) * size.height) / grid.height;
  return {x: x0, y: y0, width: x1 - x0, height: y1 - y0};
}

/** Maps a cell to the cell of another grid (over the same image) that contains its centre. */
export function mapCell(cell: Cell, from: Size, to: Size): Cell {
  const u = (cell.col + 0.5) / from.width;
  const v = (cell.row + 0.5) / from.height;
  return {
    col: Math.min(to.width - 1, Math.floor(u * to.width)),
    row: Math.min(to.height - 1, Math.floor(v * to.height))
  };
}

/** Row-major index of a cell. */
export function cellIndex(cell: Cell, grid: Size): number {
  return cell.row * grid.width + cell.col;
}

/** The cell at a row-major index. */
export function cellOf(index: number, grid: Size): Cell {
  return {col: index % grid.width, row: Math.floor(index / grid.width)};
}

/**
 * The receptive field of a cell in model-input pixels, clipped to the input. The centre of cell i's field
 * is offset + i·stride (from the ONNX graph, see receptiveField.ts), its side receptiveField.
 */
export function receptiveFieldRect(
  cell: Cell,
  layer: {stride: number; receptiveField: number; offset: number; wholeImage?: boolean},
  input: Size
): {x: number; y: number; width: number; height: number} {
  // A token layer's cells each see the whole image (attention).
  if (layer.wholeImage) return {x: 0, y: 0, width: input.width, height: input.height};
  const half = layer.receptiveField / 2;
  // Pixel centres sit at integer coordinates, so pixel p spans [p − 0.5, p + 0.5].
  const cx = layer.offset + cell.col * layer.stride + 0.5;
  const cy = layer.offset + cell.row * layer.stride + 0.5;
  const x0 = Math.max(0, cx - half);
  const y0 = Math.max(0, cy - half);
  const x1 = Math.min(input.width, cx + half);
  const y1 = Math.min(input.height, cy + half);
  return {x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0)};
}
