// The matrix factors figure: a set's images coloured by their NMF factors (src/core/factors.ts, colours in
// overlay/factorColors.ts), with the similarity overlay drawn over them when asked, and beneath them the
// photos with the similarity overlay (the ordinary SimilarityExplorer, which tells this figure each image it
// paints through its `mirror`, so the worker computes each hover once). Both sets of images report to the
// page's QueryEngine, so they follow the same hover, and the query cell is outlined in both. Around them:
// the state of the factorisation (progress, or its error and iterations), the legend (a swatch and share
// per factor, its strongest cells as crops; hovering one shows that factor alone on every image), and the
// hovered cell's loadings as a bar chart beside the readout.
import {percentile99, type Factors} from "../../core/factors.js";
import type {FactorSource, FactorState} from "../clients/factorSource.js";
import {el} from "../dom/el.js";
import type {DecodedImage} from "../images/decodeImages.js";
import {FACTOR_PALETTE_NAME, paintFactors} from "../overlay/factorColors.js";
import {OverlayImage} from "../overlay/OverlayImage.js";
import type {Query} from "../query/QueryEngine.js";
import {globalCell, sameRef} from "../query/queryState.js";
import {FactorLegend, factorLabel, LoadingsChart} from "./FactorLegend.js";
import {imageRows, pointerOutliner, queryOutliner} from "./figureParts.js";
import {SimilarityExplorer, type OverlayMirror, type SimilarityExplorerOptions} from "./SimilarityExplorer.js";

/** How the factor pictures look: the colouring's opacity over the photo, and whether the similarity overlay is drawn over them. */
export interface FactorLook {
  opacity: number;
  overlay: boolean;
}

/** SimilarityExplorer's options for the photos (the figure sets the rest), and the factors' own. */
export interface MatrixFactorsOptions extends Pick<SimilarityExplorerOptions, "client" | "key" | "summary" | "dataset" | "engine" | "controls" | "width" | "invalidation" | "extra" | "imageWidth"> {
  /** The factor pictures' controls: an input whose value is a FactorLook. */
  factorLook: EventTarget & {value: FactorLook};
  source: FactorSource;
}

export function MatrixFactors(images: readonly DecodedImage[], options: MatrixFactorsOptions): HTMLElement {
  const {client, key, summary, dataset, engine, controls, factorLook, source, width, invalidation, extra = [], imageWidth = 140} = options;
  const {grids} = summary.info;
  const {cellStart} = summary;
  const count = grids.length;
  const imageOf = (i: number) => (i < images.length ? images[i] : extra[i - images.length]);
  const query = engine.query;

  const root = el("div", "matrix-factors");
  root.dataset.testid = "factors-figure";
  root.dataset.liveRuns = String(source.liveRuns);
  const status = el("p", "factor-status");
  status.dataset.testid = "factor-status";
  status.setAttribute("aria-live", "polite");
  const progress = el("progress", "factor-progress");
  const about = el("p", "factor-about");
  about.textContent =
    `Colours: ${FACTOR_PALETTE_NAME}, one per factor, factors numbered by their share of the reconstruction, largest first (so the same data always gets the same colours). ` +
    "Scaling: each factor's weight is divided by its 99th percentile over all cells of the set (clamped at 1, as Lucid's building blocks do), the factors are blended by “lighten”, and a cell with no weight is black. Hover a swatch or a crop to see that factor alone.";
  const legendHolder = el("div", "factor-legend-holder");
  const readout = el("p", "explorer-readout factor-readout");
  const chartHolder = el("div", "factor-chart-holder");
  const side = el("div", "factor-side");
  side.append(readout, chartHolder);
  const top = el("div", "factor-top");
  top.append(legendHolder, side);

  const rows = imageRows(width, imageWidth, 10, Infinity);
  const frames = grids.map((grid, i) => {
    const image = imageOf(i);
    return new OverlayImage({
      bitmap: image.bitmap, src: image.url, grid, width: rows.displayWidth, height: Math.round((rows.displayWidth * image.height) / image.width), index: i,
      label: `${image.id} coloured by its factors, ${grid.width}×${grid.height} cells`, underlay: true
    });
  });
  rows.node.classList.add("factor-pictures");
  rows.node.dataset.testid = "factor-pictures";
  rows.node.append(...frames.map((f) => f.figure));
  const detach = frames.map((frame, i) => engine.attach(frame.frame, {grid: frame.grid, width: frame.width, height: frame.height, ref: (cell) => ({image: i, col: cell.col, row: cell.row})}));

  let factors: Factors | null = null;
  let p99: Float64Array = new Float64Array(0);
  let solo = -1;
  let chart: LoadingsChart | null = null;
  let look = {...factorLook.value};

  function paintFactorPictures(): void {
    root.dataset.solo = String(solo);
    if (!factors) return;
    const {W, info} = factors;
    for (let i = 0; i < count; ++i) {
      const under = frames[i].underlay!;
      paintFactors(W, info.k, p99, cellStart[i], cellStart[i + 1] - cellStart[i], solo, under.pixels);
      under.put();
    }
    root.dataset.factorsPainted = String(Number(root.dataset.factorsPainted ?? 0) + 1);
  }

  function applyLook(): void {
    for (const frame of frames) {
      frame.underlay!.canvas.style.opacity = String(look.opacity);
      frame.cells.style.visibility = look.overlay ? "" : "hidden";
    }
  }

  function showState(state: FactorState): void {
    if (state.status === "loading") {
      root.dataset.factorsSource = "loading";
      status.textContent = `Loading the build's k = ${state.k} factors of ${summary.info.name}…`;
      progress.hidden = true;
      return;
    }
    if (state.status === "running") {
      root.dataset.factorsSource = "computing";
      const at = state.iteration ? `iteration ${state.iteration} (at most ${state.maxIterations}), relative error ${state.relativeError.toFixed(5)}` : "starting";
      status.textContent = `Computing k = ${state.k} factors of ${count} images (${summary.cells} cells × ${summary.info.channels} channels) in the worker: ${at}.`;
      progress.hidden = false;
      progress.max = state.maxIterations;
      progress.value = state.iteration;
      return;
    }
    progress.hidden = true;
    if (state.status === "failed") {
      status.textContent = `Matrix factors: ${state.message}.`;
      root.dataset.factorsSource = "failed";
      return;
    }
    factors = state.factors;
    const {info} = factors;
    p99 = percentile99(factors.W, info.cells, info.k);
    const where = state.source === "snapshot" ? "from the build's snapshot, nothing computed in your browser" : `computed in your browser's worker in ${(state.ms / 1000).toFixed(1)} s${summary.added ? `, your ${summary.added} upload${summary.added === 1 ? "" : "s"} included` : ""}`;
    status.textContent =
      `NMF of ${info.cells} cells × ${info.channels} channels (every cell of ${count} images at ${info.layer}), k = ${info.k}: ` +
      `relative error ‖X − WH‖/‖X‖ = ${info.relativeError.toFixed(4)} after ${info.iterations} iterations${info.converged ? "" : " (stopped at the limit)"}; ${where}.`;
    root.dataset.factorsSource = state.source;
    root.dataset.k = String(info.k);
    root.dataset.relativeError = String(info.relativeError);
    legendHolder.replaceChildren(
      FactorLegend(factors, {images: grids.map((_, i) => imageOf(i)), grids, cellStart, onSolo: setSolo, onPick: (ref, timeStamp) => engine.setPins([ref], timeStamp)})
    );
    chart = new LoadingsChart(factors);
    chartHolder.replaceChildren(chart.node);
    paintFactorPictures();
    showReadout();
  }

  function setSolo(t: number | null): void {
    const next = t ?? -1;
    if (next === solo) return;
    solo = next;
    for (const row of legendHolder.querySelectorAll<HTMLElement>(".factor-row")) row.classList.toggle("factor-row-solo", row.dataset.factor === String(solo));
    paintFactorPictures();
  }

  /** The cell the readout and chart describe: the pointer's, else the query's. */
  function shownCell(): {ref: {image: number; col: number; row: number}; cell: number} | null {
    const ref = query.pointer ?? query.refs[0] ?? null;
    return ref ? {ref, cell: globalCell(ref, cellStart, grids)} : null;
  }

  function showReadout(): void {
    const at = shownCell();
    if (!factors || !at) {
      readout.textContent = factors ? "Hover over an image to see its cell's weight on each factor." : "";
      chart?.show(null, -1);
      delete readout.dataset.cell;
      return;
    }
    const {W, info} = factors;
    let best = 0;
    for (let t = 1; t < info.k; ++t) if (W[at.cell * info.k + t] > W[at.cell * info.k + best]) best = t;
    const strongest = W[at.cell * info.k + best];
    readout.textContent = `${imageOf(at.ref.image).id}, cell (${at.ref.col}, ${at.ref.row}): ${strongest > 0 ? `mostly ${factorLabel(best)} (weight ${strongest.toPrecision(3)})` : "no weight on any factor (black)"}. Its weights:`;
    readout.dataset.cell = String(at.cell);
    chart?.show(W, at.cell);
  }

  // Outlines: the query cells (yellow) and the pointer, as on the photos.
  const outlineQueries = queryOutliner(frames);
  const outlinePointer = pointerOutliner(frames);
  function showOutlines(): void {
    outlineQueries(query.refs);
    showPointer();
  }
  function showPointer(): void {
    const {pins, pointer, hover} = query;
    const at = pointer ?? (pins.length ? null : hover);
    outlinePointer(at, null, pins.length > 0 && !!at && !pins.some((p) => sameRef(p, at)));
  }

  const mirror: OverlayMirror = {
    elements: frames.map((f) => f.frame),
    paintImage: (i, values, start, lo, hi, words) => frames[i].paint(values, start, lo, hi, words),
    painted() {
      showOutlines();
      showReadout();
    },
    cleared() {
      for (const frame of frames) frame.clear();
      showOutlines();
      showReadout();
    }
  };
  const onQuery = (q: Readonly<Query>) => {
    if (q.change === "pointer") showPointer(), showReadout();
  };

  const explorer = SimilarityExplorer(images, {client, key, summary, dataset, engine, controls, width, invalidation, extra, imageWidth, topMatches: 0, mirror});
  // The similarity overlay's opacity applies to its copy over the factor pictures too.
  const overlayOpacity = () => {
    const value = "addEventListener" in controls ? controls.value.opacity : controls.opacity;
    for (const frame of frames) frame.setOpacity(value);
  };
  overlayOpacity();
  if ("addEventListener" in controls) controls.addEventListener("input", overlayOpacity);
  const onFactorLook = () => {
    look = {...factorLook.value};
    applyLook();
  };
  factorLook.addEventListener("input", onFactorLook);
  applyLook();

  const title = (text: string) => Object.assign(document.createElement("h3"), {textContent: text});
  root.append(status, progress, about, top, title("Coloured by factor (with the similarity overlay over them when it is on)"), rows.node, title("With the similarity overlay"), explorer);

  const onSource = () => showState(source.state);
  source.addEventListener("change", onSource);
  showState(source.state);
  const unsubscribe = engine.subscribe(onQuery);
  void invalidation.then(() => {
    unsubscribe();
    source.removeEventListener("change", onSource);
    factorLook.removeEventListener("input", onFactorLook);
    if ("addEventListener" in controls) controls.removeEventListener("input", overlayOpacity);
    for (const stop of detach) stop();
  });
  return root;
}
