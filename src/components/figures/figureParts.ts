// What the overlay figures (SimilarityExplorer, LayerStack) are built from besides their images: the
// header (colour bar, the live readout, Clear pins and Export PNG), the rows of images that fill the width,
// the look read from the page's controls, and the "overlaypaint" event benchmarks listen for.
import {ColorBar} from "../overlay/ColorBar.js";
import {el} from "../dom/el.js";
import type {Look} from "../inputs/OverlayControls.js";
import {textButton} from "../inputs/textButton.js";
import type {OverlayImage, UnitRect} from "../overlay/OverlayImage.js";
import type {CellRef} from "../query/queryState.js";

/** The figure's header and what is in it. */
export interface FigureHeader {
  node: HTMLElement;
  bar: ColorBar;
  /** The text about the query and the value under the pointer; screen readers announce its changes. */
  readout: HTMLElement;
  clearButton: HTMLButtonElement;
  exportButton: HTMLButtonElement;
  /** Export CSV, when the figure offers it. */
  csvButton: HTMLButtonElement | null;
}

/** Colour bar on the left; the readout and the buttons on the right. */
export function figureHeader(width: number, {onClear, onExport, onCsv}: {onClear(): void; onExport(): void; onCsv?(): void}): FigureHeader {
  const bar = new ColorBar({width: Math.min(320, width - 16)});
  const readout = el("p", "explorer-readout");
  readout.setAttribute("aria-live", "polite");
  const clearButton = textButton("Clear pins", onClear);
  const exportButton = textButton("Export PNG", onExport);
  const buttons = el("div", "explorer-buttons");
  const csvButton = onCsv ? textButton("Export CSV", onCsv) : null;
  buttons.append(clearButton, exportButton, ...(csvButton ? [csvButton] : []));
  const side = el("div", "explorer-side");
  side.append(readout, buttons);
  const node = el("div", "explorer-header");
  node.append(bar.node, side);
  return {node, bar, readout, clearButton, exportButton, csvButton};
}

/** The width of each of `count` images in rows that fill `width` (each at least `minWidth`, `gap` apart), and the node that holds them. */
export function imageRows(width: number, minWidth: number, gap: number, count: number): {displayWidth: number; node: HTMLElement} {
  const columns = Math.max(1, Math.min(count, Math.floor((width + gap) / (minWidth + gap))));
  const node = el("div", "overlay-grid");
  node.style.gap = `${gap}px`;
  return {displayWidth: Math.max(1, Math.floor((width - gap * (columns - 1)) / columns)), node};
}

/** The page's overlay controls (OverlayControls), an input whose value is the Look. */
export type LookInput = EventTarget & {value: Look; forLayer?: (signed: boolean) => void};

/** Calls `onLook(next, old)` whenever the controls change, until `invalidation`; returns the look now. A page without controls passes a fixed Look. */
export function followLook(controls: LookInput | Look, invalidation: Promise<unknown>, onLook: (next: Look, old: Look) => void): Look {
  if (!("addEventListener" in controls)) return {...controls};
  let look = {...controls.value};
  const listener = () => {
    const old = look;
    look = {...controls.value};
    onLook(look, old);
  };
  controls.addEventListener("input", listener);
  void invalidation.then(() => controls.removeEventListener("input", listener));
  return look;
}

/** Tells benchmarks a paint is done: `start` is the triggering event's timeStamp, `end` performance.now() after the last putImageData. */
export function dispatchPaint(root: HTMLElement, start: number, end: number): void {
  root.dispatchEvent(new CustomEvent("overlaypaint", {bubbles: true, detail: {start, end}}));
}

/** Outlines the query cells on `frames` (image i is frames[i]); touches only the frames that had or get one. */
export function queryOutliner(frames: readonly OverlayImage[]): (refs: readonly CellRef[]) => void {
  const outlined = new Uint8Array(frames.length);
  return (refs) => {
    for (let i = 0; i < frames.length; ++i) {
      let now = false;
      for (const r of refs) if (r.image === i) now = true;
      if (now || outlined[i]) frames[i].showQueries(now ? refs.filter((r) => r.image === i) : []);
      outlined[i] = now ? 1 : 0;
    }
  };
}

/** Moves the outline of the cell under the pointer (and its receptive field) between `frames`; null hides it. */
export function pointerOutliner(frames: readonly OverlayImage[]): (at: CellRef | null, field: UnitRect | null, outlineCell: boolean) => void {
  let shown: OverlayImage | null = null;
  return (at, field, outlineCell) => {
    const frame = at ? frames[at.image] : null;
    if (shown && shown !== frame) shown.showPointer(null, null);
    shown = frame;
    if (frame && at) frame.showPointer(at, field, outlineCell);
  };
}

/** The words for the device the page is used on: on a touch screen one taps, drags and presses and holds;
 * with a mouse one hovers, moves and clicks; Enter pins with the keyboard on both. */
export function inputWords(): {hover: string; point: string; pin: string} {
  const touch = typeof matchMedia === "function" && matchMedia("(pointer: coarse)").matches;
  return touch
    ? {hover: "Tap", point: "Drag over", pin: "Press and hold (or press Enter)"}
    : {hover: "Hover over", point: "Move the pointer over", pin: "Click (or press Enter)"};
}
