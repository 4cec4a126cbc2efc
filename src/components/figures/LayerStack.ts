// The across-layers figure: one image shown once per layer, each with its own similarity overlay. The
// cell under the pointer in any panel is carried to every other layer by its centre (mapCell): a 17×17
// cell of mixed4 lands on the 35×35 cell of mixed1 that holds its centre, and on the same cell of mixed3
// or mixed5, which share its grid. Each layer compares that cell with its own cells only (layers have
// different channels), over the whole set; the panels show this image's part.
import {cellIndex, mapCell, receptiveFieldRect, type Cell, type Size} from "../../core/cells.js";
import {fixedDomain} from "../../core/similarity.js";
import {ColorBar} from "../ColorBar.js";
import {colormapWords} from "../overlay/colormaps.js";
import type {DecodedImage} from "../images/decodeImages.js";
import {downloadBlob, exportPng} from "../exportPng.js";
import type {LoadedLayer} from "../clients/layerLoader.js";
import {OverlayImage} from "../overlay/OverlayImage.js";
import type {Look} from "../inputs/OverlayControls.js";
import {formatRange, formatValue, kindLabel, scaleDomains} from "../overlay/overlayScale.js";
import {queryRefs, sameRef, togglePin, describePins, type CellRef} from "../query/queryState.js";
import type {SimilarityRequest} from "../clients/similarityClient.js";
import {textButton} from "../inputs/textButton.js";
import type {ViewState} from "../url/viewState.js";

/** Options of LayerStack. */
export interface LayerStackOptions {
  /** The image's row in the set. */
  imageIndex: number;
  /** The dataset's name, for the export. */
  dataset: string;
  /** The view: look, query and pins (cells name their layer) are read from it and written back. */
  state: ViewState;
  /** Width available, in CSS pixels. */
  width: number;
  /** Smallest width of one panel. */
  panelWidth?: number;
  gap?: number;
  /** Called when the query or pins change; `soon` marks pointer moves. */
  onChange?: (soon: boolean) => void;
}

/** The figure's node, with a method to apply new controls without rebuilding it. */
export type LayerStackNode = HTMLElement & {setLook(look: Look): void};

interface Panel {
  layer: LoadedLayer;
  name: string;
  grid: Size;
  /** This image's first cell in the layer (global index). */
  start: number;
  frame: OverlayImage;
  caption: HTMLElement;
  /** This image's values at the last paint (row-major in `grid`). */
  values: Float32Array;
  domain: [number, number];
  request: SimilarityRequest | null;
  painted: boolean;
}

/** The dataset each state's cells were picked on. */
const madeIn = new WeakMap<ViewState, string>();

/** The figure for `image` at each of `layers` (loaded into the worker by layerLoader). */
export function LayerStack(image: DecodedImage, layers: readonly LoadedLayer[], options: LayerStackOptions): LayerStackNode {
  const {imageIndex, dataset, state, width, panelWidth = 200, gap = 12, onChange} = options;
  // Cells picked on another dataset mean nothing here.
  const before = madeIn.get(state);
  if (before !== undefined && before !== dataset) (state.query = null), (state.pins = []);
  madeIn.set(state, dataset);
  if (!layers.length) {
    const note = Object.assign(document.createElement("p"), {textContent: "Choose at least one layer."}) as unknown as LayerStackNode;
    note.setLook = () => {};
    return note;
  }
  let look: Look = {kind: state.kind, colormap: state.colormap, scale: state.scale, opacity: state.opacity, field: state.field};

  const root = document.createElement("div") as unknown as LayerStackNode;
  root.className = "explorer layer-stack";
  root.dataset.testid = "overlay-figure";
  const bar = new ColorBar({width: Math.min(320, width - 16)});
  const readout = Object.assign(document.createElement("p"), {className: "explorer-readout"});
  const clearButton = textButton("Clear pins", () => {
    state.pins = [];
    hover = pointer;
    update(performance.now());
  });
  const exportButton = textButton("Export PNG", async () => {
    const blob = await exportPng(
      panels.map((p) => p.frame),
      {colorBar: bar, opacity: look.opacity, title: `${dataset} · ${image.id} · ${panels.map((p) => p.name).join(", ")} · ${kindLabel(look.kind)}`}
    );
    downloadBlob(blob, `similarity-${dataset}-${image.id}-layers.png`);
  });
  const side = Object.assign(document.createElement("div"), {className: "explorer-side"});
  const buttons = Object.assign(document.createElement("div"), {className: "explorer-buttons"});
  buttons.append(clearButton, exportButton);
  side.append(readout, buttons);
  const header = Object.assign(document.createElement("div"), {className: "explorer-header"});
  header.append(bar.node, side);

  const columns = Math.max(1, Math.min(layers.length, Math.floor((width + gap) / (panelWidth + gap))));
  const displayWidth = Math.max(1, Math.floor((width - gap * (columns - 1)) / columns));
  const displayHeight = Math.round((displayWidth * image.height) / image.width);
  const handlers = {onPointer, onToggle};
  const panels: Panel[] = layers.map((layer) => {
    const {info, cellStart} = layer.summary;
    const grid = info.grids[imageIndex];
    if (!grid) throw new RangeError(`invalid image: ${imageIndex} (layer ${info.name} has ${info.grids.length} images)`);
    const frame = new OverlayImage({
      bitmap: image.bitmap, src: image.url, grid, width: displayWidth, height: displayHeight, index: imageIndex, handlers,
      label: `${image.id} at ${info.name}, ${grid.width}×${grid.height} cells`, caption: "", title: `${image.credit}\nLicence: ${image.licence}`
    });
    frame.frame.dataset.layer = info.name;
    const caption = frame.figure.querySelector("figcaption")!;
    caption.className = "layer-caption";
    return {layer, name: info.name, grid, start: cellStart[imageIndex], frame, caption, values: new Float32Array(grid.width * grid.height), domain: [0, 1], request: null, painted: false};
  });
  const byFrame = new Map(panels.map((p) => [p.frame, p]));
  const gridNode = Object.assign(document.createElement("div"), {className: "overlay-grid"});
  gridNode.style.gap = `${gap}px`;
  gridNode.append(...panels.map((p) => p.frame.figure));
  root.append(header, gridNode);

  // Only cells of this image, in layers on show, can be carried over.
  const shown = (ref: CellRef) => ref.image === imageIndex && panels.some((p) => p.name === ref.layer && ref.col < p.grid.width && ref.row < p.grid.height);
  state.pins = state.pins.filter(shown);
  let hover: CellRef | null = state.query && shown(state.query) ? state.query : null;
  let pointer: CellRef | null = null;

  /** Where `ref` (a cell of one layer) falls in `panel`'s grid. */
  function carry(ref: CellRef, panel: Panel): Cell {
    const from = panels.find((p) => p.name === ref.layer)!;
    return from === panel ? ref : mapCell(ref, from.grid, panel.grid);
  }

  function onPointer(frame: OverlayImage, cell: Cell | null, timeStamp: number): void {
    // A panel left after the pointer reached another (pointerrawupdate comes before pointerleave) changes nothing.
    if (!cell && pointer && pointer.layer !== byFrame.get(frame)!.name) return;
    pointer = cell ? {image: imageIndex, col: cell.col, row: cell.row, layer: byFrame.get(frame)!.name} : null;
    if (state.pins.length) return void (showOutlines(), showText());
    hover = pointer;
    update(timeStamp, true);
  }

  function onToggle(frame: OverlayImage, cell: Cell, timeStamp: number): void {
    const ref = {image: imageIndex, col: cell.col, row: cell.row, layer: byFrame.get(frame)!.name};
    state.pins = togglePin(state.pins, ref);
    pointer = ref;
    if (!state.pins.length) hover = ref;
    update(timeStamp);
  }

  function update(timeStamp: number, soon = false): void {
    state.query = hover;
    clearButton.disabled = !state.pins.length;
    showOutlines();
    request(timeStamp);
    onChange?.(soon);
  }

  let clearTimer: ReturnType<typeof setTimeout> | undefined;
  function request(timeStamp: number): void {
    const refs = queryRefs(state.pins, hover);
    clearTimeout(clearTimer);
    if (!refs.length) {
      // No query: plain images after a moment (crossing between panels does not flash); not a paint.
      for (const panel of panels) panel.request = null;
      clearTimer = setTimeout(() => {
        for (const panel of panels) (panel.painted = false), panel.frame.clear();
        showText();
      }, 100);
      return;
    }
    for (const panel of panels) {
      const {summary, key, client} = panel.layer;
      const queries = refs.map((ref) => panel.start + cellIndex(carry(ref, panel), panel.grid));
      // Only this image's cells, unless the scale is stretched over the whole set.
      const ranges = look.scale === "set" ? undefined : [panel.start, panel.start + panel.values.length];
      panel.request = {key, queries, kind: look.kind, start: timeStamp, ranges};
      client.request(panel.request, (values, request) => onValues(panel, values, request, summary.cellStart));
    }
  }

  const setDomain = new Float64Array(2);
  function onValues(panel: Panel, values: Float32Array, request: SimilarityRequest, cellStart: Int32Array): void {
    if (request !== panel.request) return;
    panel.values.set(values.subarray(panel.start, panel.start + panel.values.length));
    // The set's range is taken before the copy, over every image of the layer.
    if (look.scale === "set") scaleDomains(values, Int32Array.of(0, cellStart[cellStart.length - 1]), "set", [0, 1], setDomain);
    panel.domain = look.scale === "set" ? [setDomain[0], setDomain[1]] : domainOf(panel);
    panel.painted = true;
    paint(panel, request.start ?? performance.now());
  }

  /** This panel's domain for the fixed and per-image scales. */
  function domainOf(panel: Panel): [number, number] {
    if (look.scale === "fixed") return fixedDomain(look.kind, panel.layer.summary.maxNorm);
    let lo = Infinity, hi = -Infinity;
    for (const v of panel.values) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
    return [lo, hi];
  }

  function paint(panel: Panel, start: number): void {
    panel.frame.paint(panel.values, 0, panel.domain[0], panel.domain[1], colormapWords(look.colormap));
    const end = performance.now();
    showText();
    root.dispatchEvent(new CustomEvent("overlaypaint", {bubbles: true, detail: {start, end}}));
  }

  /** Yellow outlines on the query (carried to every layer), the pointer's cell and its receptive field. */
  function showOutlines(): void {
    const refs = queryRefs(state.pins, hover);
    const at = pointer ?? (state.pins.length ? null : hover);
    for (const panel of panels) {
      panel.frame.showQueries(refs.map((ref) => carry(ref, panel)));
      if (!at) {
        panel.frame.showPointer(null, null);
        continue;
      }
      const cell = carry(at, panel);
      const field = look.field ? receptiveFieldRect(cell, panel.layer.summary.info, image) : null;
      const unit = field && {x: field.x / image.width, y: field.y / image.height, width: field.width / image.width, height: field.height / image.height};
      panel.frame.showPointer(cell, unit, state.pins.length > 0 && !state.pins.some((p) => sameRef(p, at)));
    }
  }

  /** Captions (layer, grid, the value under the pointer), the readout and the colour bar. */
  function showText(): void {
    const at = pointer ?? queryRefs(state.pins, hover)[0] ?? null;
    for (const panel of panels) {
      const cell = at && carry(at, panel);
      const value = cell && panel.painted ? formatValue(look.kind, panel.values[cellIndex(cell, panel.grid)]) : null;
      const range = panel.painted && look.scale !== "fixed" ? ` · shown ${formatRange(look.kind, panel.domain)}` : "";
      panel.caption.textContent = `${panel.name} · ${panel.grid.width}×${panel.grid.height}${cell ? ` · cell (${cell.col}, ${cell.row})` : ""}${value === null ? "" : ` · ${value}`}${range}`;
      panel.caption.dataset.value = value === null || !cell ? "" : String(panel.values[cellIndex(cell, panel.grid)]);
    }
    const pinned = describePins(state.pins.length);
    readout.textContent = at
      ? `${pinned}${pointer ? "Pointer" : "Query"}: ${at.layer} cell (${at.col}, ${at.row}), carried to every layer by its centre; each caption gives that layer's ${kindLabel(look.kind)} there.`
      : "Hover over any panel: the same place is outlined in every layer, and each layer shows what it finds similar to it.";
    const panel = panels.find((p) => p.name === at?.layer) ?? panels[0];
    const domain = look.scale === "fixed" || !panel.painted ? fixedDomain(look.kind, panel.layer.summary.maxNorm) : panel.domain;
    const how = look.scale === "fixed" ? `fixed scale ${look.kind === "cosine" ? "0–1" : `${formatRange(look.kind, domain)} (${panel.name}; each layer its own bound)`}` : look.scale === "set" ? `stretched per layer to the set's min–max (${panel.name}: ${formatRange(look.kind, domain)})` : `stretched per layer to this image's min–max (${panel.name}: ${formatRange(look.kind, domain)})`;
    bar.update({colormap: look.colormap, opacity: look.opacity, kind: look.kind, domain, label: `${kindLabel(look.kind)}, ${how}`});
    const cell = at && panel.painted ? carry(at, panel) : null;
    bar.mark(cell ? panel.values[cellIndex(cell, panel.grid)] : null);
  }

  root.setLook = (next: Look) => {
    const old = look;
    look = next;
    for (const panel of panels) panel.frame.setOpacity(next.opacity);
    if (next.field !== old.field) showOutlines();
    if (next.kind !== old.kind || next.scale !== old.scale) request(performance.now());
    else if (next.colormap !== old.colormap) for (const panel of panels) if (panel.painted) paint(panel, performance.now());
    showText();
  };

  for (const panel of panels) panel.frame.setOpacity(look.opacity);
  clearButton.disabled = !state.pins.length;
  showOutlines();
  showText();
  request(performance.now());
  onChange?.(false); // the state may have changed (cells carried to this layer, or dropped with another set)
  return root;
}
