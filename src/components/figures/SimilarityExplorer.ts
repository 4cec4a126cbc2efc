// The across-images figure: every image of a set at one layer with its similarity overlay. The page's
// QueryEngine holds the query (the hovered cell, or the pinned ones) and takes the images' input; this view
// subscribes to it, asks the worker for each new query's values (workers/similarity.ts through
// SimilarityClient) and paints. Around the images: the colour bar, the value under the pointer, the closest
// cells of the set, Clear pins and Export PNG. After each paint the root dispatches "overlaypaint" (see
// figureParts.ts).
import {type Size} from "../../core/cells.js";
import {fixedDomain} from "../../core/similarity.js";
import type {LayerSummary} from "../../../workers/similarity.js";
import {colormapWords, resolveColormap} from "../overlay/colormaps.js";
import type {DecodedImage} from "../images/decodeImages.js";
import {downloadBlob, exportPng} from "../overlay/exportPng.js";
import {OnScreenFirst} from "../overlay/OnScreenFirst.js";
import {OverlayImage, unitField} from "../overlay/OverlayImage.js";
import type {Look} from "../inputs/OverlayControls.js";
import {describeScale, formatValue, kindLabel, scaleDomains, SIGNED_NOTE} from "../overlay/overlayScale.js";
import type {Query, QueryEngine} from "../query/QueryEngine.js";
import {globalCell, isValidRef, refOf, remapRefs, sameRef, describePins, type CellRef} from "../query/queryState.js";
import type {SimilarityClient, SimilarityRequest} from "../clients/similarityClient.js";
import {TopMatches} from "./TopMatches.js";
import {figureCsv} from "./figureCsv.js";
import {creditText} from "../images/credit.js";
import {dispatchPaint, figureHeader, followLook, imageRows, inputWords, pointerOutliner, queryOutliner, type LookInput} from "./figureParts.js";

/** Options of SimilarityExplorer. */
export interface SimilarityExplorerOptions {
  /** The worker client the layer was loaded into, and the key it was loaded under. */
  client: SimilarityClient;
  key: string;
  /** What the worker's load() returned (grids and cellStart count the copies). */
  summary: LayerSummary;
  /** Name of the dataset, for the export's title and for carrying queries across layers. */
  dataset: string;
  /** The page's query: this figure's images report to it, and it says what to show. */
  engine: QueryEngine;
  /** The page's overlay controls (OverlayControls): the look is read from them, and follows their changes; or a fixed Look. */
  controls: LookInput | Look;
  /** Width available, in CSS pixels. */
  width: number;
  /** Resolves when the figure is replaced or its cell re-runs: it then stops listening. */
  invalidation: Promise<unknown>;
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
  /** Compute every image on each hover, not those on screen first (a chart that reads all of them follows the hover). */
  computeAll?: boolean;
  /** Called after each paint, before the paint is reported, with the values of every image (cellStart
   * gives each image's first cell), and with null when the overlay is cleared; e.g. the transforms page's
   * chart and its corresponding-cell outlines, so they change in the same frame as the overlay. */
  onPaint?: (values: Float32Array | null, figure: {frames: readonly OverlayImage[]; query: Readonly<Query>; kind: Look["kind"]}) => void;
  /** SVGs that Export PNG draws below the colour bar (e.g. charts beside the figure). */
  exportBelow?: () => SVGSVGElement[];
  /** Another view that draws the same overlay on its own pictures of the same images (the factor pictures). */
  mirror?: OverlayMirror;
}

/** What a mirror is told: each image painted (the same arguments as OverlayImage.paint), each paint done, the overlays cleared. */
export interface OverlayMirror {
  /** The mirror's element for each image: an image is on screen (computed first) when either of its pictures is. */
  elements: readonly Element[];
  paintImage(image: number, values: Float32Array, start: number, lo: number, hi: number, words: Uint32Array): void;
  /** After a paint of the images on screen: the outlines may move. */
  painted(): void;
  cleared(): void;
}

/** Where each engine's cell references were made, so a new layer can move them (see remapRefs). */
const madeIn = new WeakMap<QueryEngine, {dataset: string; grids: readonly Size[]; pictures: readonly string[]}>();

/** The figure for `images` (the set, once; copies are repeated here) at the layer of `summary`. */
export function SimilarityExplorer(images: readonly DecodedImage[], options: SimilarityExplorerOptions): HTMLElement {
  const {client, key, summary, dataset, engine, controls, width, invalidation, imageWidth = 200, gap = 12, topMatches = 12, exportButton = true, extra = [], computeAll = false, onPaint, exportBelow, mirror} = options;
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
  const query = engine.query;
  /** What each image is, across tables: the set's i-th image (copies count apart), or an upload by its id. */
  const pictures = grids.map((_, i) => (i < bundled ? `set:${i}` : `upload:${(extra[i - bundled] as {upload?: {id: string}}).upload?.id ?? extra[i - bundled].id}`));

  // The controls' "Auto" map and its opacity depend on whether this layer is signed: said before the look is read.
  if ("forLayer" in controls) controls.forLayer?.(summary.info.signed === true);
  let look: Look = followLook(controls, invalidation, onLook);
  let lastRequest: SimilarityRequest | null = null;
  let painted: SimilarityRequest | null = null;
  const values = new Float32Array(summary.cells);
  /** A signed layer: cosines in [−1, 1], "auto" colours diverging. */
  const signed = summary.info.signed === true;
  const colormapOf = (look: Look) => resolveColormap(look.colormap, signed);
  const domains = new Float64Array(2 * count);

  const root = document.createElement("div");
  root.className = "explorer";
  root.dataset.testid = "overlay-figure";
  root.dataset.signed = String(signed);
  root.dataset.layer = summary.info.name;
  root.dataset.dataset = dataset;

  const header = figureHeader(width, {
    onClear: () => engine.setPins([], performance.now()),
    async onExport() {
      await onScreen.finish();
      const blob = await exportPng(frames, {colorBar: bar, opacity: look.opacity, title: `${dataset} · ${summary.info.name} · ${kindLabel(look.kind)} · ${describeQuery()}`, below: exportBelow?.()});
      downloadBlob(blob, `similarity-${dataset}-${summary.info.name}.png`);
    },
    ...(exportButton ? {onCsv: () => void exportCsv()} : {})
  });
  const {bar, readout, clearButton} = header;
  header.exportButton.hidden = !exportButton;

  // The images, in rows that fill the width; each reports its input to the engine.
  const rows = imageRows(width, imageWidth, gap, Infinity);
  const frames = grids.map((grid, i) => {
    const image = imageOf(i);
    const height = Math.round((rows.displayWidth * image.height) / image.width);
    const copy = bundled > images.length && i < bundled ? ` (copy ${Math.floor(i / images.length) + 1})` : "";
    return new OverlayImage({
      bitmap: image.bitmap, src: image.url, grid, width: rows.displayWidth, height, index: i,
      label: `${image.id}${copy}, ${grid.width}×${grid.height} cells`, caption: creditText(image)
    });
  });
  const detach = frames.map((frame, i) => engine.attach(frame.frame, {grid: frame.grid, width: frame.width, height: frame.height, ref: (cell) => ({image: i, col: cell.col, row: cell.row})}));
  rows.node.append(...frames.map((f) => f.figure));
  root.append(header.node, rows.node);

  const matches = topMatches > 0 ? new TopMatches({images: grids.map((_, i) => imageOf(i)), grids, onPick: (ref, timeStamp) => engine.setPins([ref], timeStamp), onOwnImage: () => query.refs.length && requestTop(query.refs.map((r) => globalCell(r, cellStart, grids)), query.refs)}) : null;

  /** Export CSV: every cell's value for the query on show (all images computed first) and the closest cells listed. */
  async function exportCsv(): Promise<void> {
    await onScreen.finish();
    const view = {set: dataset, layer: summary.info.name, kind: look.kind, scale: look.scale, query: painted ? query.refs.map((r) => `${imageOf(r.image).id} (${r.col}, ${r.row})`).join("; ") : ""};
    const csv = figureCsv(view, grids.map((_, i) => imageOf(i)), grids, cellStart, painted ? values : null, painted ? (matches?.shown ?? []) : []);
    downloadBlob(new Blob([csv], {type: "text/csv"}), `similarity-${dataset}-${summary.info.name}.csv`);
  }
  if (matches) {
    const title = Object.assign(document.createElement("h3"), {textContent: "Closest cells in the set"});
    root.append(title, matches.node);
  }

  /** The query the overlay shows, as text for the export title. */
  function describeQuery(): string {
    const refs = query.refs;
    return refs.length ? `query ${refs.map((r) => `${imageOf(r.image).id} (${r.col}, ${r.row})`).join(", ")}` : "no query";
  }

  /**
   * The engine's news. A new query is asked of the worker; the outlines move with the overlay they belong
   * to (in paint()), so one hover makes one rendering frame, not two: a frame drawn in between would hold
   * up the worker's reply. Without a query they go at once, and the overlay when the engine says "clear".
   */
  function onQuery(q: Readonly<Query>): void {
    if (q.change === "pointer") return void (showPointer(), showReadout());
    if (q.change === "clear") {
      painted = null;
      clearAll();
      onPaint?.(null, {frames, query, kind: look.kind});
      showBar();
      showReadout();
      return;
    }
    clearButton.disabled = !q.pins.length;
    if (!request(q.start)) showOutlines();
  }

  function showOutlines(): void {
    showQueries();
    showPointer();
  }

  /** Asks the worker for the overlay of the current query; false if there is none (replies on their way are dropped). */
  function request(start: number): boolean {
    const refs = query.refs;
    if (!refs.length) return void (lastRequest = null), false;
    const queries = refs.map((r) => globalCell(r, cellStart, grids));
    // A set-wide stretch needs every image's values.
    lastRequest = {key, version: summary.version, seq: query.seq, queries, kind: look.kind, start, ranges: look.scale === "set" || computeAll ? undefined : onScreen.visibleRanges()};
    client.request(lastRequest, onValues);
    requestTop(queries, refs);
    return true;
  }

  function onValues(result: Float32Array | null, request: SimilarityRequest): void {
    if (!result || request !== lastRequest || !engine.isCurrent(request.seq!)) return; // the query was cleared or changed meanwhile
    if (result.length !== values.length) return; // the layer changed under this figure (uploads added); a new one is coming
    values.set(result);
    painted = request;
    onScreen.received(request.ranges);
    paint(request.start ?? performance.now());
  }

  // With many images the images near the viewport are computed and painted first (see OnScreenFirst.ts).
  let words = colormapWords(colormapOf(look));
  const onScreen = new OnScreenFirst({
    cellStart,
    elements: frames.map((f) => f.frame),
    moreElements: mirror?.elements,
    paint(i) {
      frames[i].paint(values, cellStart[i], domains[2 * i], domains[2 * i + 1], words);
      mirror?.paintImage(i, values, cellStart[i], domains[2 * i], domains[2 * i + 1], words);
    },
    fetch(ranges, done) {
      const base = painted;
      // Only for the query on show: a newer one on its way must not be superseded by this (it would never be painted).
      if (!base || base !== lastRequest) return done(null);
      client.request({...base, ranges, start: performance.now()}, (result) => {
        if (!result || painted !== base || result.length !== values.length) return done(null); // a newer query came first
        for (let r = 0; r < ranges.length; r += 2) values.set(result.subarray(ranges[r], ranges[r + 1]), ranges[r]);
        scaleDomains(values, cellStart, look.scale, fixedDomain(base.kind, summary.maxNorm, signed), domains);
        done(result);
      });
    },
    onPending: (n) => (root.dataset.pending = String(n))
  });

  /** Paints every image from `values` (those off screen later); cheap enough to redo for a new colour map or scale. */
  function paint(start: number): void {
    if (!painted) return;
    const fixed = fixedDomain(painted.kind, summary.maxNorm, signed);
    scaleDomains(values, cellStart, look.scale, fixed, domains);
    words = colormapWords(colormapOf(look));
    showOutlines();
    onScreen.paint();
    onPaint?.(values, {frames, query, kind: painted.kind});
    mirror?.painted();
    const end = performance.now();
    showBar();
    showReadout();
    dispatchPaint(root, start, end);
  }

  function clearAll(): void {
    onScreen.clear();
    for (const frame of frames) frame.clear();
    mirror?.cleared();
  }

  /** The colour bar for the current look; a per-image scale shows the image under the pointer (or the first query's). */
  function showBar(): void {
    const fixed = fixedDomain(look.kind, summary.maxNorm, signed);
    // Cells of another table (the figure is drawn before setTable moves the query to this one; an upload
    // under the pointer may just have been removed) name no image here.
    const at = query.version === summary.version ? (query.pointer ?? query.refs[0] ?? null) : null;
    const i = at?.image ?? 0;
    const domain: [number, number] = painted && look.scale !== "fixed" ? [domains[2 * i], domains[2 * i + 1]] : fixed;
    const label = painted || look.scale === "fixed" ? describeScale(look.kind, look.scale, domain, imageOf(i).id, signed) : `${kindLabel(look.kind)}, ${look.scale === "set" ? "stretched to this set's min–max" : "stretched per image"} (point at an image to see the range)${signed ? SIGNED_NOTE : ""}`;
    bar.update({colormap: colormapOf(look), opacity: look.opacity, kind: look.kind, domain, label});
  }

  const say = inputWords();
  function showReadout(): void {
    const {pointer, pins, refs} = query;
    const pinned = describePins(pins.length);
    if (pointer && painted) {
      const value = values[globalCell(pointer, cellStart, grids)];
      const where = `${imageOf(pointer.image).id}, cell (${pointer.col}, ${pointer.row})`;
      readout.textContent = pins.length
        ? `${pinned}Pointer: ${where}: ${kindLabel(painted.kind)} ${formatValue(painted.kind, value)}`
        : `Query: ${where} (${kindLabel(painted.kind)} ${formatValue(painted.kind, value)} with itself). ${say.pin} to pin it, then ${say.point.toLowerCase()} an image to read values.`;
      readout.dataset.value = String(value);
      bar.mark(value);
    } else {
      readout.textContent = refs.length ? `${pinned}${say.point} an image to read values.` : `${say.hover} an image: every image lights up where the network sees something similar. ${say.pin} to pin.`;
      delete readout.dataset.value;
      bar.mark(null);
    }
  }

  const outlineQueries = queryOutliner(frames);
  const outlinePointer = pointerOutliner(frames);
  function showQueries(): void {
    outlineQueries(query.refs);
  }

  function showPointer(): void {
    const {pins, pointer, hover} = query;
    const at = pointer ?? (pins.length ? null : hover);
    outlinePointer(at, at && look.field ? unitField(at, summary.info, imageOf(at.image)) : null, pins.length > 0 && !!at && !pins.some((p) => sameRef(p, at)));
  }

  // The closest cells: asked for once the query has rested briefly, one request at a time, the newest wins.
  // The list stays when the pointer leaves the images, so that its cells can be clicked.
  let topTimer: ReturnType<typeof setTimeout> | undefined;
  let topBusy = false;
  let topWanted: {queries: number[]; kind: Look["kind"]; label: string; own: Set<number> | null; extra: number} | null = null;
  function requestTop(queries: number[], refs: readonly CellRef[]): void {
    if (!matches) return;
    const label = refs.length === 1 ? `${imageOf(refs[0].image).id}, cell (${refs[0].col}, ${refs[0].row})` : `the ${refs.length} pinned cells`;
    // Leaving out the query's own image(s): their pictures, and how many more matches to ask for.
    const own = matches.leaveOutOwnImage ? new Set(refs.map((r) => pictureOf(r.image))) : null;
    const extra = own ? grids.reduce((n, g, i) => n + (own.has(pictureOf(i)) ? g.width * g.height : 0), 0) : 0;
    topWanted = {queries, kind: look.kind, label, own, extra};
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
      .top({key, version: summary.version, queries: job.queries, kind: job.kind}, (topMatches + job.queries.length + job.extra) * copiesOfSet)
      .then((found) => {
        if (topWanted || !found) return; // a newer query is waiting, or the table changed; the list keeps showing the last query's matches
        // The query cells, and a copy's cell after the original's, are left out.
        const seen = new Set(job.queries.map((q) => cellKey(refOf(q, cellStart, grids))));
        const others = found.map((m) => ({ref: refOf(m.cell, cellStart, grids), value: m.value})).filter(({ref}) => !job.own?.has(pictureOf(ref.image)) && !seen.has(cellKey(ref)) && seen.add(cellKey(ref)));
        matches.show(others.slice(0, topMatches), job.kind, job.label);
      })
      .catch((error) => console.error(error))
      .finally(() => {
        topBusy = false;
        if (topWanted) runTop();
      });
  }

  function onLook(next: Look, old: Look): void {
    look = next;
    if (next.opacity !== old.opacity) for (const frame of frames) frame.setOpacity(next.opacity);
    if (next.field !== old.field) showPointer();
    if (next.smooth !== old.smooth) for (const frame of frames) frame.setSmooth(next.smooth);
    const start = performance.now();
    // A set-wide stretch needs every image's values; a hover may have computed only those on screen.
    if (next.kind !== old.kind || (next.scale === "set" && painted?.ranges)) request(start);
    else if (painted && (next.colormap !== old.colormap || next.scale !== old.scale)) paint(start);
    else showBar();
  }

  // First paint: the query the engine carries (from the URL, or from the previous layer), moved to this table.
  for (const frame of frames) frame.setOpacity(look.opacity), frame.setSmooth(look.smooth);
  showBar();
  showReadout();
  const unsubscribe = engine.subscribe(onQuery);
  engine.setTable(summary.version, adopter(engine, dataset, grids, pictures));
  void invalidation.then(() => {
    unsubscribe();
    for (const stop of detach) stop();
    onScreen.dispose();
    clearTimeout(topTimer);
  });
  return root;
}

/**
 * How the engine's query and pins move to `grids`: dropped when the dataset changed; when only the layer or
 * the uploads changed, each follows its picture (an upload removed before it shifts the later ones; a
 * removed upload's cells are dropped) and moves by cell centres; kept if valid when they come from the URL.
 */
function adopter(engine: QueryEngine, dataset: string, grids: readonly Size[], pictures: readonly string[]): (ref: CellRef) => CellRef | null {
  const before = madeIn.get(engine);
  madeIn.set(engine, {dataset, grids, pictures});
  if (before && before.dataset !== dataset) return () => null;
  if (before) return (ref) => remapRefs([ref], before.grids, grids, (i) => pictures.indexOf(before.pictures[i]))[0] ?? null;
  return (ref) => (isValidRef(ref, grids) ? ref : null);
}
