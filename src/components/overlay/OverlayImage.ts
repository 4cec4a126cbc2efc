// One image with its similarity overlay: the photo (an <img>: a canvas per photo made every frame cost
// more to composite, see docs/design.md), a canvas with one pixel per cell of the layer's grid
// (scaled up by CSS with image-rendering: pixelated, so painting touches w × h pixels, not the display's),
// and outlines for the query cells, the cell under the pointer and its receptive field. It only paints:
// its input (the frame is focusable) goes to the page's QueryEngine (query/QueryEngine.ts).
import {cellRect, receptiveFieldRect, type Cell, type Size} from "../../core/cells.js";
import {el} from "../dom/el.js";
import {paintCells} from "./paintCells.js";
import {caption as captionNode} from "../images/credit.js";

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
  /** Caption under the image (the figures pass the credit and licence, images/credit.ts). */
  caption?: string;
  /** A second grid-resolution canvas under the overlay, painted by the caller (the factor pictures' colours). */
  underlay?: boolean;
}

/** A grid-resolution canvas whose pixels the caller writes (32-bit words, as ImageData holds them). */
export interface CellCanvas {
  canvas: HTMLCanvasElement;
  pixels: Uint32Array;
  /** Puts `pixels` on the canvas. */
  put(): void;
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
  private readonly context: CanvasRenderingContext2D;
  private readonly imageData: ImageData;
  private readonly pixels: Uint32Array;
  private readonly queryLayer: HTMLElement;
  private readonly pointerBox: HTMLElement;
  private readonly fieldBox: HTMLElement;
  private matchBox: HTMLElement | null = null;
  /** The canvas under the overlay, when asked for (options.underlay). */
  readonly underlay: CellCanvas | null;
  private painted = false;

  constructor({bitmap, src, grid, width, height, index, label, caption, underlay = false}: OverlayImageOptions) {
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
    this.underlay = underlay ? cellCanvas(grid) : null;
    frame.append(photo, ...(this.underlay ? [this.underlay.canvas] : []), cells, this.fieldBox, this.queryLayer, this.pointerBox);

    const figure = (this.figure = el("figure", "overlay-image"));
    // The size the figure takes while it is skipped (content-visibility: auto): the frame and a caption line.
    figure.style.containIntrinsicSize = `auto ${width}px auto ${height + (caption !== undefined ? 20 : 0)}px`;
    figure.append(frame);
    if (caption !== undefined) figure.append(captionNode(caption, width));
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

  /** Whether the overlay is smoothed (bilinear upsampling of the cell grid) instead of flat cells. */
  get smooth(): boolean {
    return this.cells.classList.contains("overlay-smooth");
  }

  /** Smooths the overlay: the browser upsamples the one-pixel-per-cell canvas bilinearly; false gives flat cells. */
  setSmooth(smooth: boolean): void {
    this.cells.classList.toggle("overlay-smooth", smooth);
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

  /** Outlines the cell that corresponds to the query (the transformed sets' page), or hides it (null). */
  showMatch(cell: Cell | null): void {
    if (!cell && !this.matchBox) return;
    if (!this.matchBox) this.frame.append((this.matchBox = el("div", "overlay-outline overlay-match")));
    this.matchBox.hidden = !cell;
    if (cell) place(this.matchBox, this.unitCell(cell));
  }

  /** A cell's rectangle in fractions of the image. */
  unitCell(cell: Cell): UnitRect {
    return cellRect(cell, {width: 1, height: 1}, this.grid);
  }

}


/** A canvas of grid.width × grid.height pixels stacked like the overlay, with its ImageData preallocated. */
function cellCanvas(grid: Size): CellCanvas {
  const canvas = el("canvas", "overlay-cells overlay-underlay");
  canvas.width = grid.width;
  canvas.height = grid.height;
  const context = canvas.getContext("2d");
  if (!context) throw new Error("no 2d context for the overlay canvas");
  const imageData = context.createImageData(grid.width, grid.height);
  return {canvas, pixels: new Uint32Array(imageData.data.buffer), put: () => context.putImageData(imageData, 0, 0)};
}

/** The receptive field of `cell` of `layer` in fractions of `image` (the model's input). */
export function unitField(cell: Cell, layer: {stride: number; receptiveField: number; offset: number; wholeImage?: boolean}, image: Size): UnitRect {
  const field = receptiveFieldRect(cell, layer, image);
  return {x: field.x / image.width, y: field.y / image.height, width: field.width / image.width, height: field.height / image.height};
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
