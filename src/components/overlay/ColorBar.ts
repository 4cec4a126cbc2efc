// The colour bar: a line saying what the numbers are ("cosine similarity, fixed scale 0–1"), an Observable
// Plot ramp legend of the overlay's own colour scale (colorScale() in colormaps.ts: the same d3 scale whose
// 256 samples the overlay paints), at the overlay's opacity over white, how to read the colours, and a
// marker at the value under the pointer. Export PNG draws the same legend SVG into the picture (drawTo).
//
// Hover cost: update() runs on every paint but renders a new legend only when the colour map, domain or
// kind changes (an opacity change only sets the ramp's opacity) and writes text only when it changes;
// mark() only moves a positioned element with layout containment over the legend.
//
// First load: Plot (204 KB) and the rest of d3, which it imports whole (202 KB more in 26 modules), would
// nearly double the JavaScript a page preloads, so Plot is imported dynamically when the first bar is
// made; the legend's box is reserved until it arrives, and the label, reading and marker work without it.
import type * as PlotModule from "@observablehq/plot";
import {scaleLinear} from "d3-scale";
import type {SimilarityKind} from "../../core/similarity.js";
import {colormaps, colorScale, type PaintedColormap} from "./colormaps.js";
import {formatValue} from "./overlayScale.js";

/** What the bar shows. */
export interface ColorBarState {
  /** The map painted (resolved from "auto" by the figure: resolveColormap). */
  colormap: PaintedColormap;
  opacity: number;
  kind: SimilarityKind;
  domain: readonly [number, number];
  /** What the numbers are, from describeScale(). */
  label: string;
}

// The legend's geometry in CSS pixels: the ramp spans [margin.left, margin.left + width] horizontally and
// [margin.top, margin.top + rampHeight] vertically; the ticks and their numbers are below it.
const rampHeight = 12;
const tickSize = 4;
const margin = {top: 5, right: 14, bottom: 18, left: 14};
const legendHeight = margin.top + rampHeight + margin.bottom;
const legendFont = "11px system-ui, sans-serif";
const svgNs = "http://www.w3.org/2000/svg";
/** Height of a text line above and below the legend in an export. */
const lineHeight = 18;

type Plot = typeof PlotModule;
let plotLoading: Promise<Plot> | null = null;
/** Plot, once loaded: then legends are rendered at once, in the update() that asks for them. */
let plotLoaded: Plot | null = null;

/** Starts loading Plot (once) and resolves to it. */
function loadPlot(): Promise<Plot> {
  return (plotLoading ??= import("@observablehq/plot").then((module) => (plotLoaded = module)));
}

export class ColorBar {
  /** Height of the bar drawn by drawTo(), in CSS pixels. */
  static readonly exportHeight = lineHeight + legendHeight + lineHeight;
  readonly node: HTMLElement;
  private readonly width: number;
  private readonly label: HTMLElement;
  private readonly holder: HTMLElement;
  private readonly reading: HTMLElement;
  private readonly marker: HTMLElement;
  private legend: SVGSVGElement | null = null;
  /** The state the legend on show was rendered for. */
  private shown: ColorBarState | null = null;
  /** Settles when the legend shows the latest state (Plot may still be loading). */
  private rendered: Promise<void> = Promise.resolve();
  private state: ColorBarState | null = null;

  /** Width of the bar drawn by drawTo() to the right of its x, in CSS pixels (the numbers overhang the ramp). */
  get exportWidth(): number {
    return this.width + margin.right;
  }

  /** A bar whose ramp is `width` CSS pixels wide. */
  constructor({width = 320}: {width?: number} = {}) {
    this.width = width;
    const node = (this.node = document.createElement("div"));
    node.className = "color-bar";
    node.setAttribute("role", "img");
    this.label = Object.assign(document.createElement("div"), {className: "color-bar-label"});
    this.holder = Object.assign(document.createElement("div"), {className: "color-bar-legend"});
    this.holder.style.width = `${width + margin.left + margin.right}px`;
    this.holder.style.height = `${legendHeight}px`;
    this.holder.style.marginLeft = `${-margin.left}px`;
    this.marker = Object.assign(document.createElement("div"), {className: "color-bar-marker", hidden: true});
    this.marker.style.top = `${margin.top - 4}px`;
    this.marker.style.height = `${rampHeight + 8}px`;
    this.holder.append(this.marker);
    this.reading = Object.assign(document.createElement("div"), {className: "color-bar-reading"});
    node.append(this.label, this.holder, this.reading);
    void loadPlot();
  }

  /** Shows the bar for `state`; called on every paint, it re-renders only what changed. */
  update(state: ColorBarState): void {
    const old = this.state;
    this.state = state;
    if (plotLoaded) this.showLegend(plotLoaded);
    else this.rendered = loadPlot().then((Plot) => this.showLegend(Plot), (error) => this.noLegend(error));
    if (old && old.label === state.label && old.colormap === state.colormap) return;
    this.label.textContent = state.label;
    const map = colormaps.find((c) => c.name === state.colormap)!;
    this.reading.textContent = `${map.label}: ${map.reading}`;
    this.node.setAttribute("aria-label", `Colour bar: ${state.label}; ${map.reading}`);
  }

  /** Makes the legend show this.state: a new Plot legend if its scale changed, else at most a new opacity. */
  private showLegend(Plot: Plot): void {
    const state = this.state!, old = this.shown;
    if (old === state) return;
    this.shown = state;
    if (!old || old.colormap !== state.colormap || old.domain[0] !== state.domain[0] || old.domain[1] !== state.domain[1] || old.kind !== state.kind) {
      const legend = renderLegend(Plot, state, this.width);
      if (this.legend) this.legend.replaceWith(legend);
      else this.holder.prepend(legend);
      this.legend = legend;
    } else if (old.opacity !== state.opacity) {
      this.legend!.querySelector("image")!.setAttribute("opacity", String(state.opacity));
    }
  }

  /** Says in the legend's place that Plot could not be loaded (the export then has no legend). */
  private noLegend(error: unknown): void {
    if (this.holder.querySelector(".color-bar-missing")) return;
    const note = Object.assign(document.createElement("div"), {className: "color-bar-missing"});
    note.textContent = `The colour legend could not be loaded (${(error as Error).message}): reload the page to see it.`;
    this.holder.prepend(note);
  }

  /** Marks `value` on the bar, or hides the marker (null). */
  mark(value: number | null): void {
    const t = this.state && value !== null ? position(this.state.domain, value) : NaN;
    this.marker.hidden = !Number.isFinite(t);
    if (Number.isFinite(t)) this.marker.style.left = `${margin.left + t * this.width}px`;
  }

  /**
   * Draws the bar into an export with its top left at (x, y), ColorBar.exportHeight high: the label, the
   * legend as on the page (its SVG, serialised with the page's text colour, drawn as an image) and the
   * reading. Text wider than `maxWidth` is condensed to fit. Resolves once drawn.
   */
  async drawTo(context: CanvasRenderingContext2D, x: number, y: number, font: string, maxWidth = Infinity): Promise<void> {
    await this.rendered;
    const state = this.state, legend = this.legend;
    if (!state || !legend) return;
    const image = await svgImage(legend);
    context.save();
    context.font = font;
    context.textBaseline = "top";
    context.fillStyle = "#222";
    context.fillText(state.label, x, y, maxWidth);
    context.drawImage(image, x - margin.left, y + lineHeight, image.width, image.height);
    const map = colormaps.find((c) => c.name === state.colormap)!;
    context.fillText(`${map.label}: ${map.reading}`, x, y + lineHeight + legendHeight + 5, maxWidth);
    context.restore();
  }
}

/** The Plot ramp legend of the overlay's colour scale for `state`, its ramp `width` wide. */
function renderLegend(Plot: Plot, state: ColorBarState, width: number): SVGSVGElement {
  const [lo, hi] = state.domain;
  const flat = !(hi > lo);
  const scale = colorScale(state.colormap, state.domain);
  const tickValues = flat ? [hi] : scaleLinear().domain([lo, hi]).ticks(5);
  const format = flat ? (v: number) => formatValue(state.kind, v) : scaleLinear().domain([lo, hi]).tickFormat(5);
  const legend = Plot.legend({
    // A flat domain (every value equal) paints values ≥ hi as most similar: the ramp ends at hi.
    color: {type: "linear", domain: flat ? [hi - 1, hi] : scale.domain(), interpolate: scale.interpolator()},
    opacity: state.opacity,
    width: width + margin.left + margin.right,
    height: legendHeight,
    marginTop: margin.top,
    marginRight: margin.right,
    marginBottom: margin.bottom,
    marginLeft: margin.left,
    tickSize,
    ticks: tickValues,
    tickFormat: (v: number) => format(v).replace("-", "−"),
    style: {font: legendFont, fontVariantNumeric: "tabular-nums", overflow: "visible"}
  }) as SVGSVGElement;
  // As on the overlay, each of the 256 colours is a sharp step. The ramp is shown over white, as the
  // overlay looks over a white image (and as in the PNG), and a faint frame shows where it ends (the veil's
  // end is white).
  const image = legend.querySelector("image")!;
  image.style.imageRendering = "pixelated";
  image.before(svgRect({x: margin.left, y: margin.top, width, height: rampHeight, fill: "#fff"}));
  image.after(svgRect({x: margin.left - 0.5, y: margin.top - 0.5, width: width + 1, height: rampHeight + 1, fill: "none", stroke: "currentColor", "stroke-opacity": 0.25}));
  return legend;
}

/** An SVG <rect> with `attributes`. */
function svgRect(attributes: Record<string, string | number>): SVGRectElement {
  const rect = document.createElementNS(svgNs, "rect");
  for (const [k, v] of Object.entries(attributes)) rect.setAttribute(k, String(v));
  return rect;
}

/** `svg` as an image (serialised standalone, with the page's text colour, since page CSS does not reach it). */
export async function svgImage(svg: SVGSVGElement): Promise<HTMLImageElement> {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copy.style.color = getComputedStyle(svg).color;
  const url = URL.createObjectURL(new Blob([new XMLSerializer().serializeToString(copy)], {type: "image/svg+xml"}));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    return image;
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Where `value` sits along the bar, 0 to 1 (clamped). */
function position([lo, hi]: readonly [number, number], value: number): number {
  return hi > lo ? Math.min(1, Math.max(0, (value - lo) / (hi - lo))) : 1;
}
