// Exports a figure as one PNG: each image with its overlay and outlines, placed as on screen, a title line
// and the colour bar (its Plot legend, drawn from the page's SVG). The overlay's grid-resolution canvas is
// scaled up without smoothing, as on screen.
import {ColorBar, svgImage} from "./ColorBar.js";
import type {OverlayImage} from "./OverlayImage.js";

/** Options of exportPng. */
export interface ExportOptions {
  colorBar: ColorBar;
  /** The overlay's opacity. */
  opacity: number;
  /** A line above the images, e.g. "animals · mixed4 · cosine similarity". */
  title: string;
  /** Output pixels per CSS pixel. */
  scale?: number;
  /** SVGs drawn below the colour bar, side by side at their size on the page (e.g. the transforms page's charts). */
  below?: readonly SVGSVGElement[];
}

const pad = 16;
const font = "13px system-ui, sans-serif";
const outlineStyles: Record<string, {color: string; width: number; dash: number[]}> = {
  "overlay-query": {color: "#ffd400", width: 2, dash: []},
  "overlay-pointer": {color: "#ffffff", width: 1, dash: [3, 2]},
  "overlay-match": {color: "#00e5ff", width: 2, dash: []},
  "overlay-field": {color: "rgba(255, 212, 0, 0.85)", width: 1, dash: [4, 3]}
};

/** Draws the figure made of `images` onto a new canvas and returns it as a PNG blob. */
export async function exportPng(images: readonly OverlayImage[], {colorBar, opacity, title, scale = 2, below = []}: ExportOptions): Promise<Blob> {
  if (!images.length) throw new RangeError("invalid export: no images");
  const rects = images.map((image) => image.frame.getBoundingClientRect());
  const left = Math.min(...rects.map((r) => r.left)), top = Math.min(...rects.map((r) => r.top));
  const width = Math.max(...rects.map((r) => r.right)) - left, height = Math.max(...rects.map((r) => r.bottom)) - top;
  const titleHeight = 28;
  const extras = below.map((svg) => svg.getBoundingClientRect());
  const extraWidth = extras.reduce((w, r) => w + r.width + pad, -pad);
  const extraHeight = extras.length ? Math.max(...extras.map((r) => r.height)) + pad : 0;
  const total = {width: Math.max(width, colorBar.exportWidth, extraWidth) + 2 * pad, height: pad + titleHeight + height + pad + ColorBar.exportHeight + pad + extraHeight};
  const canvas = document.createElement("canvas");
  canvas.width = Math.ceil(total.width * scale);
  canvas.height = Math.ceil(total.height * scale);
  const context = canvas.getContext("2d")!;
  context.scale(scale, scale);
  context.fillStyle = "#fff";
  context.fillRect(0, 0, total.width, total.height);
  context.font = font;
  context.fillStyle = "#222";
  context.textBaseline = "top";
  context.fillText(title, pad, pad);
  const y0 = pad + titleHeight;
  images.forEach((image, i) => {
    const x = pad + rects[i].left - left, y = y0 + rects[i].top - top, w = rects[i].width, h = rects[i].height;
    context.drawImage(image.bitmap, x, y, w, h);
    context.save();
    context.imageSmoothingEnabled = image.smooth; // as on screen: the cell grid, or smoothed bilinearly
    context.globalAlpha = opacity;
    context.drawImage(image.cells, x, y, w, h);
    context.restore();
    for (const box of image.frame.querySelectorAll<HTMLElement>(".overlay-outline")) {
      if (box.hidden || box.closest("[hidden]")) continue;
      const style = Object.entries(outlineStyles).find(([name]) => box.classList.contains(name))?.[1];
      if (!style) continue;
      const f = (v: string) => parseFloat(v) / 100;
      context.save();
      context.strokeStyle = style.color;
      context.lineWidth = style.width;
      context.setLineDash(style.dash);
      context.strokeRect(x + f(box.style.left) * w, y + f(box.style.top) * h, f(box.style.width) * w, f(box.style.height) * h);
      context.restore();
    }
  });
  await colorBar.drawTo(context, pad, y0 + height + pad, font, total.width - 2 * pad);
  let x = pad;
  for (let i = 0; i < below.length; ++i) {
    context.drawImage(await svgImage(below[i]), x, y0 + height + pad + ColorBar.exportHeight + pad, extras[i].width, extras[i].height);
    x += extras[i].width + pad;
  }
  return new Promise((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("the browser could not encode the PNG"))), "image/png"));
}

/** Offers `blob` as a download named `filename` (an <a download> clicked in code). */
export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = Object.assign(document.createElement("a"), {href: url, download: filename});
  link.style.display = "none";
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
