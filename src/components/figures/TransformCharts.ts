// The Rotation and scale page's two Observable Plot charts. The hover chart follows the query: the
// similarity of the hovered cell to its corresponding cell in each transformed picture (transformSummary.ts
// hoverCurve), and the best similarity in that cell's 3 × 3 neighbourhood; a missing correspondence is a
// gap in both lines and a grey tick on the axis. The summary chart holds the worker's means over every cell,
// one line per band of distance from the border. Rotation's x axis runs from 0° to 360°, where 0° is drawn
// again, so the last angle joins the first; zoom's is logarithmic.
import * as Plot from "@observablehq/plot";
import type {TransformSummary, HoverPoint} from "../../core/transformSummary.js";
import {transformValue, type Transform} from "../../core/transforms.js";
import type {SimilarityKind} from "../../core/similarity.js";
import {el} from "../dom/el.js";
import {kindLabel} from "../overlay/overlayScale.js";

const SERIES = ["corresponding cell", "best in its 3×3 neighbourhood"] as const;
const SERIES_COLOURS = ["#1f77b4", "#ff7f0e"];
const BAND_COLOURS = ["#d62728", "#ff7f0e", "#2ca02c"];

/** The x axis for a set made by `transforms` (all rotations or all zooms). */
function xAxis(transforms: readonly Transform[]): Plot.ScaleOptions {
  if (transforms[0]?.kind === "rotate") return {label: "rotation (°, counter-clockwise)", domain: [0, 360], ticks: [0, 45, 90, 135, 180, 225, 270, 315, 360], tickFormat: (d: number) => `${d}°`};
  const zooms = transforms.map(transformValue);
  return {type: "log", label: "zoom (log scale)", domain: [Math.min(...zooms), Math.max(...zooms)], ticks: zooms, tickFormat: (d: number) => `×${d}`};
}

/** Rotation's x values, with 0° repeated at 360° so the curve closes (the picture at 360° is the one at 0°). */
function withWrap<T extends {x: number}>(rows: T[], transforms: readonly Transform[]): T[] {
  if (transforms[0]?.kind !== "rotate") return rows;
  const first = rows.filter((r) => r.x === 0);
  return [...rows, ...first.map((r) => ({...r, x: 360}))];
}

/** A legend inside the chart's SVG (bottom left), so that Export PNG, which draws the SVG, carries it too. */
function legendMarks(labels: readonly string[], colours: readonly string[]): Plot.Markish[] {
  const dy = (i: number) => -6 - 14 * (labels.length - 1 - i);
  return labels.flatMap((label, i) => [
    Plot.dot([label], {frameAnchor: "bottom-left", dx: 8, dy: dy(i), r: 4, fill: colours[i]}),
    Plot.text([label], {frameAnchor: "bottom-left", dx: 16, dy: dy(i), text: (d: string) => d, textAnchor: "start", fill: "currentColor"})
  ]);
}

/** A value as the charts' tooltips and the CSV write it. */
export function formatSimilarity(v: number | null): string {
  return v === null || !Number.isFinite(v) ? "missing" : v.toFixed(4);
}

/** The x value of a transform as a label: "45°" or "×2". */
export function transformLabel(t: Transform): string {
  return t.kind === "rotate" ? `${t.angle}°` : `×${t.zoom}`;
}

/** The hover chart; `update` redraws it (in the frame of the overlay's paint), `clear` shows the hint. */
export class HoverChart {
  readonly node: HTMLElement;
  private readonly holder: HTMLElement;
  private readonly caption: HTMLElement;
  /** The points shown, for the CSV export. */
  points: HoverPoint[] = [];

  constructor(private readonly transforms: readonly Transform[], private readonly width: number) {
    this.node = el("figure", "transform-chart");
    this.node.dataset.testid = "transform-chart";
    this.caption = el("figcaption", "");
    this.holder = el("div", "");
    this.node.append(this.holder, this.caption);
    this.clear();
  }

  /** The chart's SVG (for Export PNG), if drawn. */
  get svg(): SVGSVGElement | null {
    return this.holder.querySelector("svg");
  }

  clear(): void {
    this.points = [];
    this.draw([], "cosine", null);
    this.caption.textContent = "Hover over any picture: the chart follows the cell under the pointer.";
    delete this.node.dataset.points;
  }

  /** Draws `points` for the query `label` (similarity `kind`); `at` is the hovered picture's index. */
  update(points: HoverPoint[], kind: SimilarityKind, label: string, at: number): void {
    this.points = points;
    this.draw(points, kind, at);
    const missing = points.filter((p) => p.cell === null).length;
    this.caption.textContent = `${label}: ${kindLabel(kind)} to the corresponding cell of each picture${missing ? `; ${missing} missing (the point falls outside the picture's content: gaps)` : ""}.`;
    this.node.dataset.points = String(points.length);
    this.node.dataset.missing = String(missing);
  }

  private draw(points: HoverPoint[], kind: SimilarityKind, at: number | null): void {
    const rows = withWrap(
      points.flatMap((p) => [
        {x: transformValue(p.transform), series: SERIES[0], value: p.similarity ?? NaN, point: p},
        {x: transformValue(p.transform), series: SERIES[1], value: p.best ?? NaN, point: p}
      ]),
      this.transforms
    );
    const missing = points.filter((p) => p.cell === null);
    const here = at === null ? [] : [transformValue(this.transforms[at])];
    const chart = Plot.plot({
      width: this.width,
      height: Math.round(Math.min(260, Math.max(180, this.width * 0.55))),
      marginLeft: 44,
      marginBottom: 36,
      style: {overflow: "visible"},
      x: xAxis(this.transforms),
      y: {label: kindLabel(kind), grid: true, ...(kind === "cosine" ? {domain: [0, 1]} : {})},
      color: {domain: [...SERIES], range: SERIES_COLOURS},
      marks: [
        ...legendMarks(SERIES, SERIES_COLOURS),
        Plot.ruleX(here, {stroke: "#888", strokeDasharray: "2,3"}),
        Plot.tickX(missing, {x: (p: HoverPoint) => transformValue(p.transform), stroke: "#aaa", strokeWidth: 2, title: (p: HoverPoint) => `${transformLabel(p.transform)}: missing (no corresponding cell)`}),
        Plot.line(rows, {x: "x", y: "value", stroke: "series", z: "series", strokeWidth: 2}),
        Plot.dot(rows.filter((r) => Number.isFinite(r.value)), {
          x: "x", y: "value", fill: "series", r: 2.5,
          title: (r: (typeof rows)[number]) => `${transformLabel(r.point.transform)}: ${r.series} ${formatSimilarity(r.value)}${r.series === SERIES[0] && r.point.cell ? ` (cell ${r.point.cell.col}, ${r.point.cell.row}; its centre ${r.point.distance!.toFixed(1)} px from the mapped point)` : ""}`
        })
      ]
    });
    chart.setAttribute("aria-label", "Similarity to the corresponding cell against the transform");
    this.holder.replaceChildren(chart);
  }
}

/** The summary chart over every cell of the untransformed picture: one line per border band. */
export function SummaryChart(summary: TransformSummary, transforms: readonly Transform[], width: number): HTMLElement {
  const rows = withWrap(
    summary.bands.flatMap((band, b) => transforms.map((t, k) => ({x: transformValue(t), band: `${band} (${summary.cells[b]} cells)`, mean: summary.means[b][k], count: summary.counts[b][k], t}))),
    transforms
  );
  const node = el("figure", "transform-summary");
  node.dataset.testid = "transform-summary";
  const bands = summary.bands.map((band, b) => `${band} (${summary.cells[b]} cells)`);
  const chart = Plot.plot({
    width,
    height: Math.round(Math.min(260, Math.max(180, width * 0.55))),
    marginLeft: 44,
    marginBottom: 36,
    x: xAxis(transforms),
    y: {label: "mean cosine similarity", grid: true, domain: [0, 1]},
    color: {domain: bands, range: BAND_COLOURS},
    marks: [
      ...legendMarks(bands, BAND_COLOURS),
      Plot.line(rows, {x: "x", y: "mean", stroke: "band", z: "band", strokeWidth: 2}),
      Plot.dot(rows.filter((r) => Number.isFinite(r.mean)), {x: "x", y: "mean", fill: "band", r: 2.5, title: (r: (typeof rows)[number]) => `${transformLabel(r.t)}, ${r.band}: mean ${formatSimilarity(r.mean)} over ${r.count} cells with a corresponding cell`})
    ]
  });
  const caption = el("figcaption", "");
  caption.textContent = "Every cell of the untransformed picture against its corresponding cell, averaged per band of distance from the border (computed in the worker). Cells without a corresponding cell are left out of the mean.";
  node.append(chart, caption);
  return node;
}

/** The hover chart's points as CSV: one row per transformed picture. */
export function hoverCsv(points: readonly HoverPoint[], meta: {dataset: string; layer: string; kind: SimilarityKind; image: string; col: number; row: number; pictures: readonly string[]}): string {
  const header = ["dataset", "layer", "similarity_kind", "hovered_image", "hovered_col", "hovered_row", "picture", "transform", "value", "corresponding_col", "corresponding_row", "distance_px", "similarity", "best_in_3x3"];
  const cell = (v: number | null | undefined) => (v === null || v === undefined ? "" : String(v));
  const lines = points.map((p) => [
    meta.dataset, meta.layer, meta.kind, meta.image, meta.col, meta.row, meta.pictures[p.image], p.transform.kind, transformValue(p.transform),
    cell(p.cell?.col), cell(p.cell?.row), p.distance === null ? "" : p.distance.toFixed(3), p.similarity === null ? "" : p.similarity.toFixed(6), p.best === null ? "" : p.best.toFixed(6)
  ].map((v) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v))).join(","));
  return [header.join(","), ...lines].join("\n") + "\n";
}
