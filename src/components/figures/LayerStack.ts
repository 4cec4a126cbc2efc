// The across-layers figure: one image shown once per layer, each with its own similarity overlay. The
// cell under the pointer in any panel is carried to every other layer by its centre (mapCell): a 17×17
// cell of mixed4 lands on the 35×35 cell of mixed1 that holds its centre, and on the same cell of mixed3
// or mixed5, which share its grid. Each layer compares that cell with its own cells only (layers have
// different channels), over the whole set; the panels show this image's part. The page's QueryEngine
// holds the query and takes the panels' input; this view subscribes to it and paints.
import {cellIndex, mapCell, type Cell, type Size} from "../../core/cells.js";
import {fixedDomain} from "../../core/similarity.js";
import {colormapWords, resolveColormap} from "../overlay/colormaps.js";
import type {DecodedImage} from "../images/decodeImages.js";
import {downloadBlob, exportPng} from "../overlay/exportPng.js";
import type {LoadedLayer} from "../clients/layerLoader.js";
import {OverlayImage, unitField} from "../overlay/OverlayImage.js";
import type {Look} from "../inputs/OverlayControls.js";
import {fixedBound, formatRange, formatValue, kindLabel, scaleDomains, SIGNED_NOTE} from "../overlay/overlayScale.js";
import type {Query, QueryEngine} from "../query/QueryEngine.js";
import {sameRef, describePins, type CellRef} from "../query/queryState.js";
import type {SimilarityRequest} from "../clients/similarityClient.js";
import {dispatchPaint, figureHeader, followLook, imageRows, inputWords, type LookInput} from "./figureParts.js";
import {caption, creditText} from "../images/credit.js";
import {el} from "../dom/el.js";

/** What LayerStack shows: one image (its row in the set) at each of the layers loaded by layerLoader. */
export interface LayerStackData {
  image: DecodedImage;
  imageIndex: number;
  layers: readonly LoadedLayer[];
}

/** Options of LayerStack. */
export interface LayerStackOptions {
  /** The dataset's name, for the export. */
  dataset: string;
  /** The page's query (cells name their layer): the panels report to it, and it says what to show. */
  engine: QueryEngine;
  /** The page's overlay controls (OverlayControls): the look is read from them, and follows their changes; or a fixed Look. */
  controls: LookInput | Look;
  /** Width available, in CSS pixels. */
  width: number;
  /** Resolves when the figure is replaced or its cell re-runs: it then stops listening. */
  invalidation: Promise<unknown>;
  /** Smallest width of one panel. */
  panelWidth?: number;
  gap?: number;
}

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
  /** Every image's domain at the last paint (scaleDomains), and this image's. */
  domains: Float64Array;
  domain: [number, number];
  request: SimilarityRequest | null;
  painted: boolean;
}

/** The dataset each engine's cells were picked on. */
const madeIn = new WeakMap<QueryEngine, string>();

/** The figure for `image` at each of `layers`. */
export function LayerStack({image, imageIndex, layers}: LayerStackData, options: LayerStackOptions): HTMLElement {
  const {dataset, engine, controls, width, invalidation, panelWidth = 200, gap = 12} = options;
  if (!layers.length) return Object.assign(document.createElement("p"), {textContent: "Choose at least one layer."});
  const query = engine.query;
  let look: Look = followLook(controls, invalidation, onLook);

  const root = document.createElement("div");
  root.className = "explorer layer-stack";
  root.dataset.testid = "overlay-figure";
  const header = figureHeader(width, {
    onClear: () => engine.setPins([], performance.now()),
    async onExport() {
      const blob = await exportPng(
        panels.map((p) => p.frame),
        {colorBar: bar, opacity: look.opacity, title: `${dataset} · ${image.id} · ${panels.map((p) => p.name).join(", ")} · ${kindLabel(look.kind)}`}
      );
      downloadBlob(blob, `similarity-${dataset}-${image.id}-layers.png`);
    }
  });
  const {bar, readout, clearButton} = header;

  const rows = imageRows(width, panelWidth, gap, layers.length);
  const displayHeight = Math.round((rows.displayWidth * image.height) / image.width);
  const panels: Panel[] = layers.map((layer) => {
    const {info, cellStart} = layer.summary;
    const grid = info.grids[imageIndex];
    if (!grid) throw new RangeError(`invalid image: ${imageIndex} (layer ${info.name} has ${info.grids.length} images)`);
    const frame = new OverlayImage({
      bitmap: image.bitmap, src: image.url, grid, width: rows.displayWidth, height: displayHeight, index: imageIndex,
      label: `${image.id} at ${info.name}, ${grid.width}×${grid.height} cells`, caption: ""
    });
    frame.frame.dataset.layer = info.name;
    const caption = frame.figure.querySelector("figcaption")!;
    caption.className = "layer-caption";
    return {layer, name: info.name, grid, start: cellStart[imageIndex], frame, caption, values: new Float32Array(grid.width * grid.height), domains: new Float64Array(2 * info.grids.length), domain: [0, 1], request: null, painted: false};
  });
  const detach = panels.map((panel) => engine.attach(panel.frame.frame, {grid: panel.grid, width: panel.frame.width, height: panel.frame.height, ref: (cell) => ({image: imageIndex, col: cell.col, row: cell.row, layer: panel.name})}));
  rows.node.append(...panels.map((p) => p.frame.figure));
  // The photo's credit, once for all the panels.
  const credit = el("figure", "layer-credit");
  credit.append(caption(creditText(image)));
  root.append(header.node, rows.node, credit);

  /** Where `ref` (a cell of one layer) falls in `panel`'s grid. */
  function carry(ref: CellRef, panel: Panel): Cell {
    const from = panels.find((p) => p.name === ref.layer)!;
    return from === panel ? ref : mapCell(ref, from.grid, panel.grid);
  }

  /**
   * The engine's news. A new query is asked of every layer; each panel's outlines move when its overlay is
   * painted (one rendering frame per hover, not one for the outlines and one for the overlay). Without a
   * query the outlines go at once, and the overlays when the engine says "clear".
   */
  function onQuery(q: Readonly<Query>): void {
    if (q.change === "pointer") return void (showOutlines(), showText());
    if (q.change === "clear") {
      for (const panel of panels) (panel.painted = false), panel.frame.clear();
      showText();
      return;
    }
    clearButton.disabled = !q.pins.length;
    if (!request(q.start)) showOutlines();
  }

  /** Asks every layer for the current query; false if there is none (replies on their way are dropped). */
  function request(start: number): boolean {
    const refs = query.refs;
    if (!refs.length) {
      for (const panel of panels) panel.request = null;
      return false;
    }
    for (const panel of panels) {
      const {summary, key, client} = panel.layer;
      const queries = refs.map((ref) => panel.start + cellIndex(carry(ref, panel), panel.grid));
      // Only this image's cells, unless the scale is stretched over the whole set.
      const ranges = look.scale === "set" ? undefined : [panel.start, panel.start + panel.values.length];
      panel.request = {key, version: summary.version, seq: query.seq, queries, kind: look.kind, start, ranges};
      client.request(panel.request, (values, request) => onValues(panel, values, request));
    }
    return true;
  }

  function onValues(panel: Panel, values: Float32Array | null, request: SimilarityRequest): void {
    if (!values || request !== panel.request || !engine.isCurrent(request.seq!)) return;
    const {cellStart, maxNorm} = panel.layer.summary;
    // The range is taken before the copy: over the set, or this image's own cells.
    scaleDomains(values, cellStart, look.scale, fixedDomain(look.kind, maxNorm, signedPanel(panel)), panel.domains);
    panel.domain = [panel.domains[2 * imageIndex], panel.domains[2 * imageIndex + 1]];
    panel.values.set(values.subarray(panel.start, panel.start + panel.values.length));
    panel.painted = true;
    paint(panel, request.start ?? performance.now());
  }

  /** Whether the panel's layer is signed (cosines in [−1, 1], "auto" colours diverging). */
  function signedPanel(panel: Panel): boolean {
    return panel.layer.summary.info.signed === true;
  }

  function paint(panel: Panel, start: number): void {
    showPanelOutlines(panel);
    panel.frame.paint(panel.values, 0, panel.domain[0], panel.domain[1], colormapWords(resolveColormap(look.colormap, signedPanel(panel))));
    const end = performance.now();
    showText();
    dispatchPaint(root, start, end);
  }

  /** Yellow outlines on the query (carried to every layer), the pointer's cell and its receptive field. */
  function showOutlines(): void {
    for (const panel of panels) showPanelOutlines(panel);
  }

  function showPanelOutlines(panel: Panel): void {
    const {refs, pins, pointer, hover} = query;
    const at = pointer ?? (pins.length ? null : hover);
    panel.frame.showQueries(refs.map((ref) => carry(ref, panel)));
    if (!at) return panel.frame.showPointer(null, null);
    const cell = carry(at, panel);
    panel.frame.showPointer(cell, look.field ? unitField(cell, panel.layer.summary.info, image) : null, pins.length > 0 && !pins.some((p) => sameRef(p, at)));
  }

  /** Captions (layer, grid, the value under the pointer), the readout and the colour bar. */
  function showText(): void {
    const at = query.pointer ?? query.refs[0] ?? null;
    for (const panel of panels) {
      const cell = at && carry(at, panel);
      const value = cell && panel.painted ? formatValue(look.kind, panel.values[cellIndex(cell, panel.grid)]) : null;
      const range = panel.painted && look.scale !== "fixed" ? ` · shown ${formatRange(look.kind, panel.domain)}` : "";
      panel.caption.textContent = `${panel.name} · ${panel.grid.width}×${panel.grid.height}${cell ? ` · cell (${cell.col}, ${cell.row})` : ""}${value === null ? "" : ` · ${value}`}${range}`;
      panel.caption.dataset.value = value === null || !cell ? "" : String(panel.values[cellIndex(cell, panel.grid)]);
    }
    const pinned = describePins(query.pins.length);
    readout.textContent = at
      ? `${pinned}${query.pointer ? "Pointer" : "Query"}: ${at.layer} cell (${at.col}, ${at.row}), carried to every layer by its centre; each caption gives that layer's ${kindLabel(look.kind)} there.`
      : `${inputWords().hover} any panel: the same place is outlined in every layer, and each layer shows what it finds similar to it.`;
    const panel = panels.find((p) => p.name === at?.layer) ?? panels[0];
    const signed = signedPanel(panel);
    const domain = look.scale === "fixed" || !panel.painted ? fixedDomain(look.kind, panel.layer.summary.maxNorm, signed) : panel.domain;
    const how = look.scale === "fixed" ? `fixed scale ${look.kind === "cosine" ? fixedBound("cosine", domain, signed) : `${formatRange(look.kind, domain)} (${panel.name}; each layer its own bound)`}` : look.scale === "set" ? `stretched per layer to the set's min–max (${panel.name}: ${formatRange(look.kind, domain)})` : `stretched per layer to this image's min–max (${panel.name}: ${formatRange(look.kind, domain)})`;
    bar.update({colormap: resolveColormap(look.colormap, signed), opacity: look.opacity, kind: look.kind, domain, label: `${kindLabel(look.kind)}, ${how}${signed ? SIGNED_NOTE : ""}`});
    const cell = at && panel.painted ? carry(at, panel) : null;
    bar.mark(cell ? panel.values[cellIndex(cell, panel.grid)] : null);
  }

  function onLook(next: Look, old: Look): void {
    look = next;
    for (const panel of panels) panel.frame.setOpacity(next.opacity);
    if (next.field !== old.field) showOutlines();
    if (next.smooth !== old.smooth) for (const panel of panels) panel.frame.setSmooth(next.smooth);
    if (next.kind !== old.kind || next.scale !== old.scale) request(performance.now());
    else if (next.colormap !== old.colormap) for (const panel of panels) if (panel.painted) paint(panel, performance.now());
    showText();
  }

  // First paint: the engine's cells, if they are of this image, on this dataset, in a layer on show.
  for (const panel of panels) panel.frame.setOpacity(look.opacity), panel.frame.setSmooth(look.smooth);
  showText();
  const before = madeIn.get(engine);
  madeIn.set(engine, dataset);
  const shown = (ref: CellRef) => ref.image === imageIndex && panels.some((p) => p.name === ref.layer && ref.col < p.grid.width && ref.row < p.grid.height);
  const unsubscribe = engine.subscribe(onQuery);
  engine.setTable(Math.max(...panels.map((p) => p.layer.summary.version)), (ref) => (before !== undefined && before !== dataset) || !shown(ref) ? null : ref);
  void invalidation.then(() => {
    unsubscribe();
    for (const stop of detach) stop();
  });
  return root;
}
