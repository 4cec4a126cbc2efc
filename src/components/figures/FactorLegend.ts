// The factor page's legend and loadings chart, both drawn with Observable Plot (loaded on demand, as the
// colour bar does). The legend: per factor a Plot swatch with its share of the reconstruction, then the
// six cells of the set where the factor is strongest, as crops (TopMatches' crops); hovering or focusing
// a swatch or a crop shows that factor alone (onSolo), clicking a crop pins its cell. The loadings chart:
// the hovered cell's weight on each factor as bars, rendered once per factorisation; a hover only moves
// the bars (two attributes per bar, no new chart), so it stays cheap on the main thread.
import type {Size} from "../../core/cells.js";
import {strongestCells, type Factors} from "../../core/factors.js";
import {el} from "../dom/el.js";
import {loadPlot, type Plot} from "../overlay/ColorBar.js";
import {FACTOR_PALETTE} from "../overlay/factorColors.js";
import type {CellRef} from "../query/queryState.js";
import {crop, type MatchImage} from "./TopMatches.js";

/** How many strongest cells each factor lists. */
export const CROPS_PER_FACTOR = 6;

/** Factor t's name on the page. */
export const factorLabel = (t: number) => `Factor ${t + 1}`;

const percent = (share: number) => `${(100 * share).toFixed(1)}\u00a0%`; // no break before the sign

export interface FactorLegendOptions {
  images: readonly MatchImage[];
  grids: readonly Size[];
  cellStart: Int32Array;
  /** A factor hovered (its number) or left (null). */
  onSolo(t: number | null): void;
  onPick(ref: CellRef, timeStamp: number): void;
}

/** The legend of `factors`: one row per factor (swatch and share, then its strongest cells). */
export function FactorLegend(factors: Factors, {images, grids, cellStart, onSolo, onPick}: FactorLegendOptions): HTMLElement {
  const {k, cells} = factors.info;
  const node = el("div", "factor-legend");
  node.dataset.testid = "factor-legend";
  const strongest = strongestCells(factors.W, cells, k, CROPS_PER_FACTOR);
  for (let t = 0; t < k; ++t) {
    const row = el("div", "factor-row");
    row.dataset.factor = String(t);
    const swatch = el("div", "factor-swatch");
    swatch.tabIndex = 0;
    swatch.setAttribute("aria-label", `${factorLabel(t)}, ${percent(factors.shares[t])} of the reconstruction: hover or focus to show it alone`);
    const crops = el("div", "factor-crops");
    for (let j = 0; j < CROPS_PER_FACTOR; ++j) {
      const cell = strongest[t * CROPS_PER_FACTOR + j];
      if (cell < 0) break;
      let image = 0;
      while (cellStart[image + 1] <= cell) ++image;
      const local = cell - cellStart[image], grid = grids[image];
      const ref = {image, col: local % grid.width, row: Math.floor(local / grid.width)};
      const button = el("button", "top-match factor-crop");
      button.type = "button";
      button.dataset.image = String(image);
      button.dataset.cell = `${ref.col},${ref.row}`;
      button.title = `${images[image].id}, cell (${ref.col}, ${ref.row}): weight ${factors.W[cell * k + t].toPrecision(3)} on ${factorLabel(t)}. Click to pin it.`;
      button.append(crop(images[image], grid, ref, 50));
      button.addEventListener("click", (event) => onPick(ref, event.timeStamp));
      crops.append(button);
    }
    for (const target of [swatch, crops]) {
      target.addEventListener("pointerenter", () => onSolo(t));
      target.addEventListener("pointerleave", () => onSolo(null));
      target.addEventListener("focusin", () => onSolo(t));
      target.addEventListener("focusout", () => onSolo(null));
    }
    row.append(swatch, crops);
    node.append(row);
    void loadPlot().then((Plot) => swatch.append(swatchLegend(Plot, t, factors.shares[t])));
  }
  return node;
}

/** A one-entry Plot swatch legend: factor t's colour, its name and share. */
function swatchLegend(Plot: Plot, t: number, share: number): HTMLElement {
  const label = `${factorLabel(t)} · ${percent(share)}`;
  return Plot.legend({color: {type: "categorical", domain: [label], range: [FACTOR_PALETTE[t]]}, legend: "swatches", swatchSize: 18, style: {font: "13px system-ui, sans-serif"}}) as HTMLElement;
}

/** The hovered cell's loadings as a Plot bar chart whose bars move with the hover. */
export class LoadingsChart {
  readonly node: HTMLElement;
  private bars: SVGRectElement[] = [];
  private y: ((v: number) => number) | null = null;
  private readonly k: number;

  constructor(factors: Factors, {width = 200, height = 130} = {}) {
    const {k, cells} = factors.info;
    this.k = k;
    this.node = el("div", "factor-loadings");
    this.node.dataset.testid = "factor-loadings";
    this.node.style.width = `${width}px`;
    this.node.style.height = `${height}px`;
    let top = 0;
    for (let i = 0; i < cells * k; ++i) if (factors.W[i] > top) top = factors.W[i];
    const labels = Array.from({length: k}, (_, t) => String(t + 1));
    void loadPlot().then((Plot) => {
      const chart = Plot.plot({
        width, height, marginLeft: 40, marginBottom: 28,
        style: {font: "11px system-ui, sans-serif"},
        x: {domain: labels, label: "factor"},
        y: {domain: [0, top || 1], label: "weight", grid: true, ticks: 4},
        marks: [Plot.barY(labels, {x: (d: string) => d, y: () => 0, fill: (_: string, t: number) => FACTOR_PALETTE[t]}), Plot.ruleY([0])]
      }) as SVGSVGElement & {scale(name: string): {apply(v: number): number}};
      const yScale = chart.scale("y");
      this.y = (v) => yScale.apply(v);
      this.bars = Array.from(chart.querySelectorAll<SVGRectElement>("g[aria-label=bar] rect"));
      this.node.append(chart);
    });
  }

  /** Shows cell `cell`'s row of W (null: no cell, bars at zero). */
  show(W: Float32Array | null, cell: number): void {
    const y = this.y;
    if (!y || this.bars.length !== this.k) return;
    const y0 = y(0);
    for (let t = 0; t < this.k; ++t) {
      const v = W && cell >= 0 ? W[cell * this.k + t] : 0;
      const top = y(v);
      this.bars[t].setAttribute("y", String(Math.min(top, y0)));
      this.bars[t].setAttribute("height", String(Math.abs(y0 - top)));
    }
  }
}
