// Each image of a dataset drawn on a canvas, with the grid of cells a layer sees it in drawn on top. Cell
// (col, row) of a gw × gh grid covers x ∈ [col·W/gw, (col+1)·W/gw) of an image drawn W wide (see
// src/core/cells.ts), so the lines sit at x = k·W/gw and y = k·H/gh.
import type {Size} from "../../core/cells.js";
import type {DecodedImage} from "../images/decodeImages.js";
import {caption, creditText} from "../images/credit.js";

/** Options of ImageGrid. */
export interface ImageGridOptions {
  /** Width available for the whole grid of images, in CSS pixels. */
  width: number;
  /** Grid size of each image, in the order of `images` (LayerInfo.grids). */
  grids: readonly Size[];
  /** Smallest width of one image in CSS pixels (unless `width` is smaller); images grow to fill each row. */
  imageWidth?: number;
  /** Gap between images in CSS pixels (keep it in step with .image-grid's gap in style.css). */
  gap?: number;
  /** Colour of the grid lines. */
  lineColor?: string;
}

/** Returns a node holding one captioned canvas per image, with its cell grid drawn on top. */
export function ImageGrid(images: readonly DecodedImage[], {width, grids, imageWidth = 220, gap = 16, lineColor = "rgba(255, 255, 255, 0.55)"}: ImageGridOptions): HTMLElement {
  if (grids.length !== images.length) throw new RangeError(`invalid grids: ${grids.length} grids for ${images.length} images`);
  const columns = Math.max(1, Math.floor((width + gap) / (imageWidth + gap)));
  const displayWidth = Math.max(1, Math.floor((width - gap * (columns - 1)) / columns));
  const root = document.createElement("div");
  root.className = "image-grid";
  images.forEach((image, i) => root.append(figure(image, grids[i], displayWidth, lineColor)));
  return root;
}

/** One image: its canvas and a caption with its credit and licence. */
function figure(image: DecodedImage, grid: Size, displayWidth: number, lineColor: string): HTMLElement {
  const displayHeight = Math.round((displayWidth * image.height) / image.width);
  const canvas = document.createElement("canvas");
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(displayWidth * dpr);
  canvas.height = Math.round(displayHeight * dpr);
  canvas.style.width = `${displayWidth}px`;
  canvas.style.height = `${displayHeight}px`;
  // What the grid is, for tests and for anyone reading the DOM.
  canvas.dataset.image = image.id;
  canvas.dataset.gridWidth = String(grid.width);
  canvas.dataset.gridHeight = String(grid.height);
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", `${image.id}, ${grid.width}×${grid.height} cells`);
  drawImageWithGrid(canvas, image.bitmap, grid, lineColor);

  const fig = document.createElement("figure");
  fig.append(canvas, caption(creditText(image), displayWidth));
  return fig;
}

/** Draws `bitmap` to fill `canvas`, then the lines between the cells of `grid`, each one device pixel wide. */
function drawImageWithGrid(canvas: HTMLCanvasElement, bitmap: ImageBitmap, grid: Size, lineColor: string): void {
  const context = canvas.getContext("2d");
  if (!context) throw new Error("no 2d context for the image canvas");
  const {width, height} = canvas;
  context.imageSmoothingQuality = "high";
  context.drawImage(bitmap, 0, 0, width, height);
  context.fillStyle = lineColor;
  for (let k = 1; k < grid.width; ++k) context.fillRect(Math.round((k * width) / grid.width), 0, 1, height);
  for (let k = 1; k < grid.height; ++k) context.fillRect(0, Math.round((k * height) / grid.height), width, 1);
}
