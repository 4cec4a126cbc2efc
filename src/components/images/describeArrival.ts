// The line that says what arrived, e.g. "11 images · mixed4 · 17×17 cells · 768 channels · 2.4 MB".
import type {Size} from "../../core/cells.js";
import type {LayerSummary} from "../../../workers/layerInfo.js";

/** Describes a dataset's images and one layer's file: counts, grid size, channels and the file's size. */
export function describeArrival(imageCount: number, {info, bytes}: LayerSummary): string {
  const parts = [`${imageCount} image${imageCount === 1 ? "" : "s"}`, info.name, `${gridRange(info.grids)} cells`, `${info.channels} channels`, formatBytes(bytes)];
  if (info.finetuned) parts.push("fine-tuned on another task");
  return parts.join(" · ");
}

/** "17×17" when every image has that grid, else the smallest and largest, e.g. "12×17 to 17×23". */
export function gridRange(grids: readonly Size[]): string {
  const format = (g: Size) => `${g.width}×${g.height}`;
  const sizes = [...new Set(grids.map(format))];
  if (sizes.length <= 1) return sizes[0] ?? "no";
  const byArea = [...grids].sort((a, b) => a.width * a.height - b.width * b.height);
  return `${format(byArea[0])} to ${format(byArea[byArea.length - 1])}`;
}

/** Bytes in decimal units with two significant digits below 10: "980 kB", "2.4 MB", "31 MB". */
export function formatBytes(bytes: number): string {
  const units = ["B", "kB", "MB", "GB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) (value /= 1000), ++unit;
  return `${unit && value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}
