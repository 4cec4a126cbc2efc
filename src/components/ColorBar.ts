// The colour bar: the colour map as it is painted (at the overlay's opacity, over the page), an axis with
// numbers, a line saying what the numbers are ("cosine similarity, fixed scale 0–1") and how to read the
// colours, and a marker at the value under the pointer. The ramp is drawn from the same lookup
// table the overlay uses (a 256 × 1 canvas shown as an image), so the bar cannot disagree with the picture.
import {scaleLinear} from "d3-scale";
import type {SimilarityKind} from "../core/similarity.js";
import {colormaps, colormapTable, type ColormapName} from "./colormaps.js";
import {formatValue} from "./overlayScale.js";

/** What the bar shows. */
export interface ColorBarState {
  colormap: ColormapName;
  opacity: number;
  kind: SimilarityKind;
  domain: readonly [number, number];
  /** What the numbers are, from describeScale(). */
  label: string;
}

const rampHeight = 12;
const axisHeight = 18;
const svgNs = "http://www.w3.org/2000/svg";

export class ColorBar {
  /** Height of the bar drawn by drawTo(), in CSS pixels. */
  static readonly exportHeight = 20 + rampHeight + 28 + 16;
  readonly node: HTMLElement;
  private readonly width: number;
  /** The ramp is drawn on a 256 × 1 canvas kept out of the page and shown as an <img>: a canvas in the page
   * becomes a layer of its own, and then every image painted after it must be checked against it. */
  private readonly ramp: HTMLImageElement;
  private readonly rampCanvas = Object.assign(document.createElement("canvas"), {width: 256, height: 1});
  private readonly axis: SVGSVGElement;
  private readonly label: HTMLElement;
  private readonly reading: HTMLElement;
  private readonly marker: HTMLElement;
  private state: ColorBarState | null = null;

  /** A bar `width` CSS pixels wide. */
  constructor({width = 320}: {width?: number} = {}) {
    this.width = width;
    const node = (this.node = document.createElement("div"));
    node.className = "color-bar";
    node.setAttribute("role", "img");
    this.label = Object.assign(document.createElement("div"), {className: "color-bar-label"});
    const wrap = Object.assign(document.createElement("div"), {className: "color-bar-ramp"});
    wrap.style.width = `${width}px`;
    this.ramp = Object.assign(document.createElement("img"), {alt: ""});
    this.ramp.style.width = `${width}px`;
    this.ramp.style.height = `${rampHeight}px`;
    this.marker = Object.assign(document.createElement("div"), {className: "color-bar-marker", hidden: true});
    wrap.append(this.ramp, this.marker);
    this.axis = document.createElementNS(svgNs, "svg");
    this.axis.setAttribute("width", String(width + 24));
    this.axis.setAttribute("height", String(axisHeight));
    this.axis.style.marginLeft = "-12px";
    this.reading = Object.assign(document.createElement("div"), {className: "color-bar-reading"});
    node.append(this.label, wrap, this.axis, this.reading);
  }

  /** Redraws the bar for `state`. */
  update(state: ColorBarState): void {
    const old = this.state;
    this.state = state;
    if (!old || old.colormap !== state.colormap || old.opacity !== state.opacity) {
      drawRamp(this.rampCanvas.getContext("2d")!, state.colormap, state.opacity, 0, 0, 256, 1);
      this.ramp.src = this.rampCanvas.toDataURL();
    }
    if (!old || old.domain[0] !== state.domain[0] || old.domain[1] !== state.domain[1] || old.kind !== state.kind) this.drawAxis();
    // Called on every paint: text is only written when it changes, so a hover does not re-lay out the bar.
    if (old && old.label === state.label && old.colormap === state.colormap) return;
    this.label.textContent = state.label;
    const map = colormaps.find((c) => c.name === state.colormap)!;
    this.reading.textContent = `${map.label}: ${map.reading}`;
    this.node.setAttribute("aria-label", `Colour bar: ${state.label}; ${map.reading}`);
  }

  /** Marks `value` on the bar, or hides the marker (null). */
  mark(value: number | null): void {
    const t = this.state && value !== null ? position(this.state.domain, value) : NaN;
    this.marker.hidden = !Number.isFinite(t);
    if (Number.isFinite(t)) this.marker.style.left = `${t * this.width}px`;
  }

  /** Draws the bar into an export at (x, y), `width` wide and ColorBar.exportHeight high. */
  drawTo(context: CanvasRenderingContext2D, x: number, y: number, width: number, font: string): void {
    const state = this.state;
    if (!state) return;
    context.save();
    context.font = font;
    context.textBaseline = "top";
    context.fillStyle = "#222";
    context.fillText(state.label, x, y);
    const top = y + 20;
    drawRamp(context, state.colormap, state.opacity, x, top, width, rampHeight);
    context.strokeStyle = "#888";
    context.strokeRect(x + 0.5, top + 0.5, width - 1, rampHeight - 1);
    context.textAlign = "center";
    for (const {t, text} of ticks(state)) {
      context.fillRect(x + t * width - 0.5, top + rampHeight, 1, 4);
      context.fillText(text, x + t * width, top + rampHeight + 6);
    }
    context.textAlign = "left";
    const map = colormaps.find((c) => c.name === state.colormap)!;
    context.fillText(`${map.label}: ${map.reading}`, x, top + rampHeight + 28);
    context.restore();
  }

  private drawAxis(): void {
    const state = this.state!;
    this.axis.replaceChildren();
    for (const {t, text} of ticks(state)) {
      const x = 12 + t * this.width;
      const tick = document.createElementNS(svgNs, "line");
      Object.entries({x1: x, x2: x, y1: 0, y2: 4}).forEach(([k, v]) => tick.setAttribute(k, String(v)));
      const label = document.createElementNS(svgNs, "text");
      Object.entries({x, y: 15, "text-anchor": "middle"}).forEach(([k, v]) => label.setAttribute(k, String(v)));
      label.textContent = text;
      this.axis.append(tick, label);
    }
  }
}

/** Where `value` sits along the bar, 0 to 1 (clamped). */
function position([lo, hi]: readonly [number, number], value: number): number {
  return hi > lo ? Math.min(1, Math.max(0, (value - lo) / (hi - lo))) : 1;
}

/** About five round ticks inside the domain, as positions along the bar and text. */
function ticks(state: ColorBarState): {t: number; text: string}[] {
  const [lo, hi] = state.domain;
  if (!(hi > lo)) return [{t: 1, text: formatValue(state.kind, hi)}];
  const scale = scaleLinear().domain([lo, hi]);
  const format = scale.tickFormat(5);
  return scale.ticks(5).map((v) => ({t: position(state.domain, v), text: format(v).replace("-", "−")}));
}

/** Paints the colour map at `opacity` over white into a width × height box, as the overlay looks over a white image. */
function drawRamp(context: CanvasRenderingContext2D, colormap: ColormapName, opacity: number, x: number, y: number, width: number, height: number): void {
  const table = colormapTable(colormap);
  context.save();
  context.fillStyle = "#fff";
  context.fillRect(x, y, width, height);
  context.globalAlpha = opacity;
  for (let i = 0; i < width; ++i) {
    const k = Math.min(255, Math.floor((i / width) * 256)) * 4;
    context.fillStyle = `rgba(${table[k]}, ${table[k + 1]}, ${table[k + 2]}, ${table[k + 3] / 255})`;
    context.fillRect(x + i, y, 1, height);
  }
  context.restore();
}
