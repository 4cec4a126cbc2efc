// The Rotation and scale page's figure: one transformed set in a SimilarityExplorer (every picture with its
// overlay; any can be hovered), the corresponding cell outlined in every picture, the hover chart beside
// it (redrawn in the explorer's paint, so in the same frame as the overlay), Export CSV of the chart's
// data, and the summary chart the worker computes over every cell. Export PNG draws both charts too.
import {hoverCurve} from "../../core/transformSummary.js";
import type {Transform} from "../../core/transforms.js";
import type {SimilarityApi, TransformSummary} from "../../../workers/similarity.js";
import type {WorkerHandle} from "../clients/startWorker.js";
import {el} from "../dom/el.js";
import type {DecodedImage} from "../images/decodeImages.js";
import {textButton} from "../inputs/textButton.js";
import {downloadBlob} from "../overlay/exportPng.js";
import {SimilarityExplorer, type SimilarityExplorerOptions} from "./SimilarityExplorer.js";
import {HoverChart, hoverCsv, SummaryChart, transformLabel} from "./TransformCharts.js";

/** Options: the explorer's, and the set's transforms (one per picture, in order). */
export interface TransformExplorerOptions extends Omit<SimilarityExplorerOptions, "computeAll" | "onPaint" | "exportBelow" | "topMatches"> {
  transforms: readonly Transform[];
  /** The worker the layer is installed in, for the summary. */
  worker: WorkerHandle<SimilarityApi>;
}

/** Each layer's summary, computed once per installed table (key and version). */
const summaries = new Map<string, Promise<TransformSummary | null>>();

export function TransformExplorer(pictures: readonly DecodedImage[], options: TransformExplorerOptions): HTMLElement {
  const {transforms, worker, width, summary, key, dataset} = options;
  // Each caption starts with its transform.
  const images = pictures.map((d, i) => ({...d, credit: `${transformLabel(transforms[i])} · ${d.credit}`}));
  if (images.length !== transforms.length) throw new RangeError(`${images.length} pictures for ${transforms.length} transforms`);
  const side = width >= 900 ? Math.min(440, Math.round(width * 0.36)) : width;
  const main = width >= 900 ? width - side - 24 : width;
  const size = {width: images[0].width, height: images[0].height};
  const layer = summary.info;
  const chart = new HoverChart(transforms, side);
  const root = el("div", "transform-explorer");
  root.dataset.testid = "transform-explorer";
  if (width >= 900) root.style.gridTemplateColumns = `${main}px ${side}px`;
  let csv = "";

  const explorer = SimilarityExplorer(images, {
    ...options,
    width: main,
    topMatches: 0,
    computeAll: true,
    exportBelow: () => [chart.svg, root.querySelector<SVGSVGElement>("[data-testid=transform-summary] svg")].filter((s): s is SVGSVGElement => !!s),
    onPaint(values, {frames, query, kind}) {
      const ref = query.refs[0];
      if (!values || !ref) {
        for (const frame of frames) frame.showMatch(null);
        chart.clear();
        csv = "";
        csvButton.disabled = true;
        return;
      }
      const points = hoverCurve(values, summary.cellStart, summary.info.grids, ref, transforms, layer, size, kind === "cosine" ? self ?? undefined : undefined);
      frames.forEach((frame, i) => frame.showMatch(i === ref.image ? null : points[i].cell));
      const label = `${images[ref.image].id} (${transformLabel(transforms[ref.image])}), cell (${ref.col}, ${ref.row})`;
      chart.update(points, kind, label, ref.image);
      csv = hoverCsv(points, {dataset, layer: layer.name, kind, image: images[ref.image].id, col: ref.col, row: ref.row, pictures: images.map((d) => d.id)});
      csvButton.disabled = false;
    }
  });
  const csvButton = textButton("Export CSV", () => downloadBlob(new Blob([csv], {type: "text/csv"}), `transform-${dataset}-${layer.name}.csv`));
  csvButton.disabled = true;
  csvButton.dataset.testid = "export-csv";

  // Each cell's cosine with itself from its codes: the chart divides by it (a cell against itself is exactly 1).
  let self: Float32Array | null = null;
  void (worker.remote.selfCosines(key, summary.version) as Promise<Float32Array | null>).then((s) => (self = s));

  const summaryHolder = el("div", "transform-summary-holder");
  summaryHolder.textContent = "Computing the summary over every cell…";
  const id = `${key}@${summary.version}`;
  let job = summaries.get(id);
  if (!job) {
    job = worker.remote.transformSummary(key, summary.version, [...transforms], size) as Promise<TransformSummary | null>;
    summaries.set(id, job);
  }
  job.then(
    (s) => summaryHolder.replaceChildren(s ? SummaryChart(s, transforms, side) : "The layer changed; the summary is recomputed with the next one."),
    (error: Error) => (summaryHolder.textContent = `The summary could not be computed: ${error.message}`)
  );

  const hoverBlock = el("div", "transform-side");
  hoverBlock.append(Object.assign(el("h3", ""), {textContent: "The hovered cell in every picture"}), chart.node, csvButton);
  const summaryBlock = el("div", "");
  summaryBlock.append(Object.assign(el("h3", ""), {textContent: "Every cell, by distance from the border"}), summaryHolder);
  if (width >= 900) {
    // Beside the pictures, the hover chart staying in view as the page scrolls.
    hoverBlock.append(summaryBlock);
    root.append(explorer, hoverBlock);
  } else {
    // Narrow: the hover chart above the pictures, where a finger on a picture leaves it in view.
    root.append(hoverBlock, explorer, summaryBlock);
  }
  return root;
}
