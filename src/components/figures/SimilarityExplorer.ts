// The across-images figure: every image of a set at one layer with its similarity overlay. Hovering (or
// touching, or moving the keyboard cursor over) a cell makes it the query and every image lights up where
// the layer's activation vectors point the same way; clicking pins cells, and the overlay then shows the
// maximum similarity to the pinned cells while the pointer reads values. Around the images: the colour
// bar, the value under the pointer, the closest cells of the set, Clear pins and Export PNG.
//
// The worker computes (workers/similarity.ts through SimilarityClient); this file only paints. After each
// paint the root dispatches "overlaypaint" with {start, end}: the timeStamp of the event that asked for it
// and performance.now() right after the last putImageData of the frames on screen (benchmarks listen for it).
import {receptiveFieldRect, type Cell, type Size} from "../../core/cells.js";
import {fixedDomain} from "../../core/similarity.js";
import type {LayerSummary} from "../../../workers/similarity.js";
import {ColorBar} from "../ColorBar.js";
import {colormapWords} from "../overlay/colormaps.js";
import type {DecodedImage} from "../images/decodeImages.js";
import {downloadBlob, exportPng} from "../exportPng.js";
import {OnScreenFirst} from "../overlay/OnScreenFirst.js";
import {OverlayImage} from "../overlay/OverlayImage.js";
import type {Look} from "../inputs/OverlayControls.js";
import {describeScale, formatValue, kindLabel, scaleDomains} from "../overlay/overlayScale.js";
import {globalCell, isValidRef, queryRefs, refOf, remapRefs, sameRef, togglePin, describePins, type CellRef} from "../query/queryState.js";
import type {SimilarityClient, SimilarityRequest} from "../clients/similarityClient.js";
import {textButton} from "../inputs/textButton.js";
import {TopMatches} from "./TopMatches.js";
import type {ViewState} from "../url/viewState.js";

/** Options of SimilarityExplorer. */
export interface SimilarityExplorerOptions {
  /** The worker client the layer was loaded into, and the key it was loaded under. */
  client: SimilarityClient;
  key: string;
  /** What the worker's load() returned (grids and cellStart count the copies). */
  summary: LayerSummary;
  /** Name of the dataset, for the export's title and for carrying queries across layers. */
  dataset: string;
  /** The view: look, query and pins are read from it and written back as they change. */
  state: ViewState;
  /** Width available, in CSS pixels. */
  width: number;
  /** Smallest width of one image (images grow to fill each row). */
  imageWidth?: number;
  /** Gap between images, in CSS pixels. */
  gap?: number;
  /** How many closest cells to list; 0 shows no list. */
  topMatches?: number;
  /** Show the Export PNG button. */
  exportButton?: boolean;
  /** Images added after the set's (and its copies'): the user's uploads, in the order the worker holds them. */
  extra?: readonly DecodedImage[];
  /** Called when the query or pins change (e.g. to write the URL); `soon` marks pointer moves. */
  onChange?: (soon: boolean) => void;
}

/** The figure's node, with a method to apply new controls without rebuilding it. */
export type SimilarityExplorerNode = HTMLElement & {setLook(look: Look): void};

/** Where each state's cell references were made, so a new layer can move them (see remapRefs). */
const madeIn = new WeakMap<ViewState, {dataset: string; grids: readonly Size[]}>();

/** The figure for `images` (the set, once; copies are repeated here) at the layer of `summary`. */
export function SimilarityExplorer(images: readonly DecodedImage[], options: SimilarityExplorerOptions): SimilarityExplorerNode {
  const {client, key, summary, dataset, state, width, imageWidth = 200, gap = 12, topMatches = 12, exportButton = true, extra = [], onChange} = options;
  const {grids} = summary.info;
  const {cellStart} = summary;
  const count = grids.length;
  const bundled = count - extra.length; // the set's images times its copies
  if (!images.length || bundled <= 0 || bundled % images.length !== 0) throw new RangeError(`invalid layer: ${count} grids for ${images.length} images and ${extra.length} added`);
  const imageOf = (i: number) => (i < bundled ? images[i % images.length] : extra[i - bundled]);
  const copiesOfSet = bundled / images.length;
  /** Which picture image i shows (copies of the set show the same ones), and a cell named by its picture. */
  const pictureOf = (i: number) => (i < bundled ? i % images.length : i - bundled + images.length);
  const cellKey = (ref: CellRef) => `${pictureOf(ref.image)}:${ref.col}:${ref.row}`;
  adoptRefs(state, dataset, grids);

  let look: Look = {kind: state.kind, colormap: state.colormap, scale: state.scale, opacity: state.opacity, field: state.field};
  let hover: CellRef | null = state.query;
  let pointer: CellRef | null = null;
  let lastRequest: SimilarityRequest | null = null;
  let painted: SimilarityRequest | null = null;
  const values = new Float32Array(summary.cells);
  const domains = new Float64Array(2 * count);

  const root = document.createElement("div") as unknown as SimilarityExplorerNode;
  root.className = "explorer";
  root.dataset.testid = "overlay-figure";
  root.dataset.layer = summary.info.name;
  root.dataset.dataset = dataset;

  // Header: colour bar on the left; the value under the pointer and the buttons on the right.
  const bar = new ColorBar({width: Math.min(320, width - 16)});
  const readout = Object.assign(document.createElement("p"), {className: "explorer-readout"});
  readout.setAttribute("aria-live", "polite");
  const clearButton = textButton("Clear pins", () => {
    state.pins = [];
    hover = pointer;
    update(performance.now());
  });
  const exportLink = textButton("Export PNG", async () => {
    await onScreen.finish();
    const blob = await exportPng(frames, {colorBar: bar, opacity: look.opacity, title: `${dataset} · ${summary.info.name} · ${kindLabel(look.kind)} · ${describeQuery()}`});
    downloadBlob(blob, `similarity-${dataset}-${summary.info.name}.png`);
  });
  exportLink.hidden = !exportButton;
  const side = Object.assign(document.createElement("div"), {className: "explorer-side"});
  side.append(readout, Object.assign(document.createElement("div"), {className: "explorer-buttons"}));
  side.lastElementChild!.append(clearButton, exportLink);
  const header = Object.assign(document.createElement("div"), {className: "explorer-header"});
  header.append(bar.node, side);

  // The images, in rows that fill the width.
  const columns = Math.max(1, Math.floor((width + gap) / (imageWidth + gap)));
  const displayWidth = Math.max(1, Math.floor((width - gap * (columns - 1)) / columns));
  const handlers = {onPointer, onToggle};
  const frames = grids.map((grid, i) => {
    const image = imageOf(i);
    const height = Math.round((displayWidth * image.height) / image.width);
    const copy = bundled > images.length && i < bundled ? ` (copy ${Math.floor(i / images.length) + 1})` : "";
    return new OverlayImage({
      bitmap: image.bitmap, src: image.url, grid, width: displayWidth, height, index: i, handlers,
      label: `${image.id}${copy}, ${grid.width}×${grid.height} cells`, caption: image.credit, title: `${image.credit}\nLicence: ${image.licence}`
    });
  });
  const gridNode = Object.assign(document.createElement("div"), {className: "overlay-grid"});
  gridNode.style.gap = `${gap}px`;
  gridNode.append(...frames.map((f) => f.figure));
  root.append(header, gridNode);

  const matches = topMatches > 0 ? new TopMatches({images: grids.map((_, i) => imageOf(i)), grids, onPick}) : null;
  if (matches) {
    const title = Object.assign(document.createElement("h3"), {textContent: "Closest cells in the set"});
    root.append(title, matches.node);
  }

  /** The query the overlay shows, as text for the export title. */
  function describeQuery(): string {
    const refs = queryRefs(state.pins, hover);
    return refs.length ? `query ${refs.map((r) => `${imageOf(r.image).id} (${r.col}, ${r.row})`).join(", ")}` : "no query";
  }

  function onPointer(frame: OverlayImage, cell: Cell | null, timeStamp: number): void {
    // An image left after the pointer reached another (pointerrawupdate comes before pointerleave) changes nothing.
    if (!cell && pointer && pointer.image !== frame.index) return;
    pointer = cell ? {image: frame.index, col: cell.col, row: cell.row} : null;
    if (state.pins.length) return void (showPointer(), showReadout());
    hover = pointer;
    update(timeStamp, true);
  }

  function onToggle(frame: OverlayImage, cell: Cell, timeStamp: number): void {
    const ref = {image: frame.index, col: cell.col, row: cell.row};
    state.pins = togglePin(state.pins, ref);
    pointer = ref;
    if (!state.pins.length) hover = ref;
    update(timeStamp);
  }

  function onPick(ref: CellRef, timeStamp: number): void {
    state.pins = [ref];
    update(timeStamp);
  }

  /**
   * The query changed: ask the worker, outline it, and tell the page. The outlines move with the overlay
   * they belong to (in paint()), so one hover makes one rendering frame, not two: a frame drawn in between
   * would hold up the worker's reply. Without a query they go at once.
   */
  function update(timeStamp: number, soon = false): void {
    state.query = hover;
    clearButton.disabled = !state.pins.length;
    if (!request(timeStamp)) showOutlines();
    onChange?.(soon);
  }

  function showOutlines(): void {
    showQueries();
    showPointer();
  }

  let clearTimer: ReturnType<typeof setTimeout> | undefined;
  /** Asks the worker for the overlay of the current query; false if there is none (the overlay is cleared). */
  function request(timeStamp: number): boolean {
    const refs = queryRefs(state.pins, hover);
    clearTimeout(clearTimer);
    if (!refs.length) {
      // No query: show the plain images, after a moment, so that crossing the gap between two images does
      // not flash. Replies still on their way are dropped. Clearing is not a paint (no overlaypaint).
      lastRequest = null;
      clearTimer = setTimeout(() => {
        painted = null;
        clearAll();
        showBar();
        showReadout();
      }, 100);
      return false;
    }
    const queries = refs.map((r) => globalCell(r, cellStart, grids));
    // A set-wide stretch needs every image's values.
    lastRequest = {key, queries, kind: look.kind, start: timeStamp, ranges: look.scale === "set" ? undefined : onScreen.visibleRanges()};
    client.request(lastRequest, onValues);
    requestTop(queries, refs);
    return true;
  }

  function onValues(result: Float32Array, request: SimilarityRequest): void {
    if (request !== lastRequest) return; // the query was cleared or changed meanwhile
    if (result.length !== values.length) return; // the layer changed under this figure (uploads added); a new one is coming
    values.set(result);
    painted = request;
    onScreen.received(request.ranges);
    paint(request.start ?? performance.now());
  }

  // With many images the images near the viewport are computed and painted first (see OnScreenFirst.ts).
  let words = colormapWords(look.colormap);
  const onScreen = new OnScreenFirst({
    cellStart,
    elements: frames.map((f) => f.frame),
    paint: (i) => frames[i].paint(values, cellStart[i], domains[2 * i], domains[2 * i + 1], words),
    fetch(ranges, done) {
      const base = painted;
      if (!base) return done(null);
      let answered = false;
      const answer = (result: Float32Array | null) => {
        if (answered) return;
        answered = true;
        clearTimeout(timeout);
        if (!result || painted !== base || result.length !== values.length) return done(null); // a newer query came first
        for (let r = 0; r < ranges.length; r += 2) values.set(result.subarray(ranges[r], ranges[r + 1]), ranges[r]);
        scaleDomains(values, cellStart, look.scale, fixedDomain(base.kind, summary.maxNorm), domains);
        done(result);
      };
      // The client drops a reply when the pointer has moved on, and then never calls back.
      const timeout = setTimeout(() => answer(null), 5000);
      client.request({...base, ranges, start: performance.now()}, (result) => answer(result));
    },
    onPending: (n) => (root.dataset.pending = String(n))
  });

  /** Paints every image from `values` (those off screen later); cheap enough to redo for a new colour map or scale. */
  function paint(start: number): void {
    if (!painted) return;
    const fixed = fixedDomain(painted.kind, summary.maxNorm);
    scaleDomains(values, cellStart, look.scale, fixed, domains);
    words = colormapWords(look.colormap);
    showOutlines();
    onScreen.paint();
    const end = performance.now();
    showBar();
    showReadout();
    root.dispatchEvent(new CustomEvent("overlaypaint", {bubbles: true, detail: {start, end}}));
  }

  function clearAll(): void {
    onScreen.clear();
    for (const frame of frames) frame.clear();
  }

  /** The colour bar for the current look; a per-image scale shows the image under the pointer (or the first query's). */
  function showBar(): void {
    const fixed = fixedDomain(look.kind, summary.maxNorm);
    const at = pointer ?? queryRefs(state.pins, hover)[0] ?? null;
    const i = at?.image ?? 0;
    const domain: [number, number] = painted && look.scale !== "fixed" ? [domains[2 * i], domains[2 * i + 1]] : fixed;
    const label = painted || look.scale === "fixed" ? describeScale(look.kind, look.scale, domain, imageOf(i).id) : `${kindLabel(look.kind)}, ${look.scale === "set" ? "stretched to this set's min–max" : "stretched per image"} (hover to see the range)`;
    bar.update({colormap: look.colormap, opacity: look.opacity, kind: look.kind, domain, label});
  }

  function showReadout(): void {
    const refs = queryRefs(state.pins, hover);
    const pinned = describePins(state.pins.length);
    if (pointer && painted) {
      const value = values[globalCell(pointer, cellStart, grids)];
      const where = `${imageOf(pointer.image).id}, cell (${pointer.col}, ${pointer.row})`;
      readout.textContent = state.pins.length
        ? `${pinned}Pointer: ${where}: ${kindLabel(painted.kind)} ${formatValue(painted.kind, value)}`
        : `Query: ${where} (${kindLabel(painted.kind)} ${formatValue(painted.kind, value)} with itself). Click to pin it, then move the pointer to read values.`;
      readout.dataset.value = String(value);
      bar.mark(value);
    } else {
      readout.textContent = refs.length ? `${pinned}Move the pointer over an image to read values.` : "Hover over an image: every image lights up where the network sees something similar. Click to pin.";
      delete readout.dataset.value;
      bar.mark(null);
    }
  }

  let outlined = new Set<number>();
  function showQueries(): void {
    const refs = queryRefs(state.pins, hover);
    const now = new Set(refs.map((r) => r.image));
    for (const i of new Set([...outlined, ...now])) frames[i].showQueries(refs.filter((r) => r.image === i));
    outlined = now;
  }

  let pointerFrame: OverlayImage | null = null;
  function showPointer(): void {
    const at = pointer ?? (state.pins.length ? null : hover);
    const frame = at ? frames[at.image] : null;
    if (pointerFrame && pointerFrame !== frame) pointerFrame.showPointer(null, null);
    pointerFrame = frame;
    if (!frame || !at) return;
    const image = imageOf(at.image);
    const field = look.field ? receptiveFieldRect(at, summary.info, image) : null;
    const unit = field && {x: field.x / image.width, y: field.y / image.height, width: field.width / image.width, height: field.height / image.height};
    frame.showPointer(at, unit, state.pins.length > 0 && !state.pins.some((p) => sameRef(p, at)));
  }

  // The closest cells: asked for once the query has rested briefly, one request at a time, the newest wins.
  // The list stays when the pointer leaves the images, so that its cells can be clicked.
  let topTimer: ReturnType<typeof setTimeout> | undefined;
  let topBusy = false;
  let topWanted: {queries: number[]; kind: Look["kind"]; label: string} | null = null;
  function requestTop(queries: number[], refs: readonly CellRef[]): void {
    if (!matches) return;
    const label = refs.length === 1 ? `${imageOf(refs[0].image).id}, cell (${refs[0].col}, ${refs[0].row})` : `the ${refs.length} pinned cells`;
    topWanted = {queries, kind: look.kind, label};
    clearTimeout(topTimer);
    topTimer = setTimeout(runTop, 120);
  }
  function runTop(): void {
    if (topBusy || !topWanted || !matches) return;
    const job = topWanted;
    topWanted = null;
    topBusy = true;
    client
      // With copies of the set (benchmarks), each match comes once per copy: ask for enough to list distinct cells.
      .top({key, queries: job.queries, kind: job.kind}, (topMatches + job.queries.length) * copiesOfSet)
      .then((found) => {
        if (topWanted) return; // a newer query is waiting; the list keeps showing the last query's matches
        // The query cells, and a copy's cell after the original's, are left out.
        const seen = new Set(job.queries.map((q) => cellKey(refOf(q, cellStart, grids))));
        const others = found.map((m) => ({ref: refOf(m.cell, cellStart, grids), value: m.value})).filter(({ref}) => !seen.has(cellKey(ref)) && seen.add(cellKey(ref)));
        matches.show(others.slice(0, topMatches), job.kind, job.label);
      })
      .catch((error) => console.error(error))
      .finally(() => {
        topBusy = false;
        if (topWanted) runTop();
      });
  }

  root.setLook = (next: Look) => {
    const old = look;
    look = next;
    if (next.opacity !== old.opacity || frames[0].cells.style.opacity === "") for (const frame of frames) frame.setOpacity(next.opacity);
    if (next.field !== old.field) showPointer();
    const start = performance.now();
    // A set-wide stretch needs every image's values; a hover may have computed only those on screen.
    if (next.kind !== old.kind || (next.scale === "set" && painted?.ranges)) request(start);
    else if (painted && (next.colormap !== old.colormap || next.scale !== old.scale)) paint(start);
    else showBar();
  };

  // First paint: the query the state carries (from the URL, or from the previous layer).
  for (const frame of frames) frame.setOpacity(look.opacity);
  clearButton.disabled = !state.pins.length;
  showOutlines();
  showBar();
  showReadout();
  request(performance.now());
  onChange?.(false); // the state may have changed (cells carried to this layer, or dropped with another set)
  return root;
}

/**
 * Makes the state's query and pins refer to `grids`: dropped when the dataset changed, moved by cell
 * centres when only the layer changed, and kept if valid when they come from the URL.
 */
function adoptRefs(state: ViewState, dataset: string, grids: readonly Size[]): void {
  const before = madeIn.get(state);
  if (before && before.dataset !== dataset) {
    state.query = null;
    state.pins = [];
  } else if (before) {
    state.query = state.query && (remapRefs([state.query], before.grids, grids)[0] ?? null);
    state.pins = remapRefs(state.pins, before.grids, grids);
  } else {
    if (state.query && !isValidRef(state.query, grids)) state.query = null;
    state.pins = state.pins.filter((p) => isValidRef(p, grids));
  }
  madeIn.set(state, {dataset, grids});
}
