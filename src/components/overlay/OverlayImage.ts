// One image with its similarity overlay: the photo (an <img>: a canvas per photo made every frame cost
// more to composite, see docs/design.md), a canvas with one pixel per cell of the layer's grid
// (scaled up by CSS with image-rendering: pixelated, so painting touches w × h pixels, not the display's),
// and outlines for the query cells, the cell under the pointer and its receptive field. It turns mouse,
// touch and keyboard input into "the pointer is on cell c" and "toggle the pin on cell c"; what those mean
// is the page's business.
import {cellAt, cellRect, type Cell, type Size} from "../../core/cells.js";
import {paintCells} from "./paintCells.js";
import {moveCell} from "../query/queryState.js";

/** What the image reports. `timeStamp` is the triggering event's (performance.now() clock). */
export interface OverlayImageHandlers {
  /** The pointer or keyboard cursor is on `cell`, or has left the image (null). */
  onPointer(image: OverlayImage, cell: Cell | null, timeStamp: number): void;
  /** A click, tap, Enter or Space on `cell`. */
  onToggle(image: OverlayImage, cell: Cell, timeStamp: number): void;
}

/** Options of OverlayImage. */
export interface OverlayImageOptions {
  /** The photo, at the model's input size (drawn into PNG exports). */
  bitmap: ImageBitmap;
  /** A URL of the same photo, shown by an <img>. */
  src: string;
  /** The layer's grid of cells over this image. */
  grid: Size;
  /** Drawn size in CSS pixels. */
  width: number;
  height: number;
  /** Written to data-image-index (the image's row in the set, counting copies). */
  index: number;
  /** Accessible name, e.g. "chelsea, 17×17 cells". */
  label: string;
  /** Caption under the image. */
  caption?: string;
  /** Tooltip of the figure (credit and licence). */
  title?: string;
  handlers: OverlayImageHandlers;
}

/** A rectangle in fractions of the image, 0 to 1. */
export interface UnitRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export class OverlayImage {
  /** The figure: the frame and its caption. */
  readonly figure: HTMLElement;
  /** The focusable element that holds the pictures and takes input (data-image-index). */
  readonly frame: HTMLElement;
  readonly photo: HTMLImageElement;
  /** The photo as decoded, for exports. */
  readonly bitmap: ImageBitmap;
  /** The grid-resolution overlay canvas, grid.width × grid.height pixels. */
  readonly cells: HTMLCanvasElement;
  readonly grid: Size;
  readonly index: number;
  readonly width: number;
  readonly height: number;
  /** Where the keyboard cursor is, while the frame has focus. */
  private cursor: Cell | null = null;
  private lastCell: Cell | null = null;
  private readonly context: CanvasRenderingContext2D;
  private readonly imageData: ImageData;
  private readonly pixels: Uint32Array;
  private readonly queryLayer: HTMLElement;
  private readonly pointerBox: HTMLElement;
  private readonly fieldBox: HTMLElement;
  private painted = false;

  constructor({bitmap, src, grid, width, height, index, label, caption, title, handlers}: OverlayImageOptions) {
    this.bitmap = bitmap;
    this.grid = grid;
    this.index = index;
    this.width = width;
    this.height = height;
    const frame = (this.frame = el("div", "overlay-frame"));
    frame.tabIndex = 0;
    frame.dataset.imageIndex = String(index);
    frame.dataset.gridWidth = String(grid.width);
    frame.dataset.gridHeight = String(grid.height);
    frame.setAttribute("role", "img");
    frame.setAttribute("aria-label", `${label}. Arrow keys move the query cell, Enter pins it.`);
    frame.style.width = `${width}px`;
    frame.style.height = `${height}px`;

    const photo = (this.photo = el("img", "overlay-photo"));
    photo.alt = "";
    photo.draggable = false;
    photo.src = src;

    const cells = (this.cells = el("canvas", "overlay-cells"));
    cells.width = grid.width;
    cells.height = grid.height;
    const context = cells.getContext("2d", {willReadFrequently: false});
    if (!context) throw new Error("no 2d context for the overlay canvas");
    this.context = context;
    this.imageData = context.createImageData(grid.width, grid.height);
    this.pixels = new Uint32Array(this.imageData.data.buffer);

    this.fieldBox = el("div", "overlay-outline overlay-field");
    this.queryLayer = el("div", "overlay-queries");
    this.pointerBox = el("div", "overlay-outline overlay-pointer");
    for (const box of [this.fieldBox, this.pointerBox]) box.hidden = true;
    frame.append(photo, cells, this.fieldBox, this.queryLayer, this.pointerBox);

    const figure = (this.figure = el("figure", "overlay-image"));
    // The size the figure takes while it is skipped (content-visibility: auto): the frame and a caption line.
    figure.style.containIntrinsicSize = `auto ${width}px auto ${height + (caption !== undefined ? 20 : 0)}px`;
    if (title) figure.title = title;
    figure.append(frame);
    if (caption !== undefined) {
      const text = el("figcaption", "");
      text.textContent = caption;
      text.style.width = `${width}px`;
      figure.append(text);
    }
    this.listen(handlers);
  }

  /** Paints cells values[start …] (this image's, row-major) with the colour table `words` over [lo, hi]. */
  paint(values: Float32Array, start: number, lo: number, hi: number, words: Uint32Array): void {
    paintCells(values, start, this.grid.width * this.grid.height, lo, hi, words, this.pixels);
    this.context.putImageData(this.imageData, 0, 0);
    this.painted = true;
  }

  /** Removes the overlay (no query). */
  clear(): void {
    if (!this.painted) return;
    this.context.clearRect(0, 0, this.grid.width, this.grid.height);
    this.painted = false;
  }

  /** Opacity of the overlay, 0 to 1. */
  setOpacity(opacity: number): void {
    this.cells.style.opacity = String(opacity);
  }

  /** Outlines these cells of this image as the query (yellow). */
  showQueries(cells: readonly Cell[]): void {
    const boxes = this.queryLayer.children;
    while (boxes.length < cells.length) this.queryLayer.append(el("div", "overlay-outline overlay-query"));
    for (let i = 0; i < boxes.length; ++i) {
      const box = boxes[i] as HTMLElement;
      box.hidden = i >= cells.length;
      if (i < cells.length) place(box, this.unitCell(cells[i]));
    }
  }

  /** Outlines the cell under the pointer (thin, dashed) and its receptive field; null hides them. */
  showPointer(cell: Cell | null, field: UnitRect | null, outlineCell = true): void {
    this.pointerBox.hidden = !cell || !outlineCell;
    if (cell && outlineCell) place(this.pointerBox, this.unitCell(cell));
    this.fieldBox.hidden = !field;
    if (field) place(this.fieldBox, clampUnit(field));
  }

  /** A cell's rectangle in fractions of the image. */
  unitCell(cell: Cell): UnitRect {
    return cellRect(cell, {width: 1, height: 1}, this.grid);
  }

  /** Moves keyboard focus here and puts the cursor on `cell`. */
  focusCell(cell: Cell): void {
    this.cursor = cell;
    this.frame.focus();
  }

  private listen(handlers: OverlayImageHandlers): void {
    const frame = this.frame;
    const report = (cell: Cell | null, timeStamp: number) => {
      if (cell === this.lastCell || (cell && this.lastCell && cell.col === this.lastCell.col && cell.row === this.lastCell.row)) return;
      this.lastCell = cell;
      handlers.onPointer(this, cell, timeStamp);
    };
    // Children ignore the pointer (CSS), so offsetX/Y are always relative to the frame.
    const cellOf = (event: PointerEvent | MouseEvent) => cellAt(event.offsetX, event.offsetY, this, this.grid);
    frame.addEventListener("pointerdown", (event) => {
      // A touch captures the pointer to where it started; release it, so a drag reaches other images.
      if (event.pointerType === "touch" && frame.hasPointerCapture(event.pointerId)) frame.releasePointerCapture(event.pointerId);
      report(cellOf(event), event.timeStamp);
    });
    // Chrome holds pointermove back until the next animation frame (up to 16 ms); pointerrawupdate comes as
    // soon as the pointer moves, so the worker can compute while that frame is being drawn.
    const move = "onpointerrawupdate" in frame ? "pointerrawupdate" : "pointermove";
    frame.addEventListener(move, (event) => report(cellOf(event as PointerEvent), event.timeStamp));
    // A lifted finger leaves too; keep its cell (a touch overlay should stay where it was put).
    frame.addEventListener("pointerleave", (event) => event.pointerType !== "touch" && report(null, event.timeStamp));
    frame.addEventListener("click", (event) => handlers.onToggle(this, cellOf(event), event.timeStamp));
    frame.addEventListener("focus", (event) => {
      this.cursor ??= this.lastCell ?? {col: this.grid.width >> 1, row: this.grid.height >> 1};
      report(this.cursor, event.timeStamp);
    });
    frame.addEventListener("blur", (event) => {
      this.cursor = null;
      report(null, event.timeStamp);
    });
    frame.addEventListener("keydown", (event) => {
      if (!this.cursor) return;
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        handlers.onToggle(this, this.cursor, event.timeStamp);
        return;
      }
      const moved = moveCell(this.cursor, event.key, this.grid);
      if (!moved) return;
      event.preventDefault(); // no scrolling
      this.cursor = moved;
      report(moved, event.timeStamp);
    });
  }
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  return node;
}

/** The part of `r` inside the image (the frame does not clip its children). */
function clampUnit(r: UnitRect): UnitRect {
  const x0 = Math.max(0, r.x), y0 = Math.max(0, r.y);
  const x1 = Math.min(1, r.x + r.width), y1 = Math.min(1, r.y + r.height);
  return {x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0)};
}

/** Positions an absolutely placed box over a rectangle given in fractions of its parent. */
function place(box: HTMLElement, r: UnitRect): void {
  box.style.left = `${r.x * 100}%`;
  box.style.top = `${r.y * 100}%`;
  box.style.width = `${r.width * 100}%`;
  box.style.height = `${r.height * 100}%`;
}
