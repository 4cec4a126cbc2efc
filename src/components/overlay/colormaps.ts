// Colour maps for similarity overlays. colorScale() is the one definition of what colour a value gets: a
// d3 sequential scale over the view's domain, clamped. The overlay paints it through a 256-entry RGBA table
// sampled from that scale (colormapTable: entry i is the colour at t = i / 255, read through a clamped
// index by paintCells), and the colour bar hands the same scale's interpolator and domain to Plot's legend.
// Index 0 is the least similar value of the scale, 255 the most similar.
//
// "veil" is the article's look: the image is darkened where it is dissimilar, a black veil whose alpha is
// 1 − t, so lighter means more similar. The others are perceptually uniform maps from d3-scale-chromatic;
// cividis is also designed to read the same for the common forms of colour blindness. The overlay's
// opacity is applied when compositing (CSS opacity, globalAlpha in the export), not in the tables.
//
// "diverging" is for signed layers, whose cosines run from −1 to 1: blue where a cell points away from the
// query, white where it is orthogonal, red where it points the same way (d3's RdBu, reversed). "auto", the
// pages' default, is the veil on a non-negative layer and diverging on a signed one (resolveColormap); the
// figures resolve it before painting, so tables and the colour bar only ever see a real map.
import {rgb} from "d3-color";
import {scaleSequential, type ScaleSequential} from "d3-scale";
import {interpolateCividis, interpolateInferno, interpolateMagma, interpolateRdBu, interpolateViridis} from "d3-scale-chromatic";

/** The colour maps on offer; "auto" picks one per layer (resolveColormap). */
export type ColormapName = "auto" | "veil" | "diverging" | "viridis" | "magma" | "inferno" | "cividis";

/** A colour map that paints: every one but "auto". */
export type PaintedColormap = Exclude<ColormapName, "auto">;

/** Each colour map, with how the picker and the colour bar name it, and the overlay's opacity it starts at:
 * the veil is see-through where cells are similar, so it starts opaque; a colour map covers every cell, so it
 * starts at 0.6, where the photo still shows through. "Auto" starts opaque, as the veil it is on a
 * non-negative layer. */
export const colormaps: readonly {name: ColormapName; label: string; reading: string; opacity: number}[] = [
  {name: "auto", label: "Auto: darken dissimilar, or diverging for a signed layer", reading: "", opacity: 1},
  {name: "veil", label: "Darken dissimilar (article)", reading: "lighter = more similar", opacity: 1},
  {name: "diverging", label: "Diverging, for signed layers (red · white · blue)", reading: "red = same direction, white = orthogonal, blue = opposite", opacity: 0.6},
  {name: "viridis", label: "Viridis (perceptually uniform)", reading: "yellow = more similar", opacity: 0.6},
  {name: "magma", label: "Magma (perceptually uniform)", reading: "light = more similar", opacity: 0.6},
  {name: "inferno", label: "Inferno (perceptually uniform)", reading: "yellow = more similar", opacity: 0.6},
  {name: "cividis", label: "Cividis (colour-blind safe)", reading: "yellow = more similar", opacity: 0.6}
];

/** The opacity colour map `name` starts at (see colormaps). */
export function defaultOpacity(name: ColormapName): number {
  return colormaps.find((c) => c.name === name)?.opacity ?? 1;
}

const interpolators: Record<Exclude<PaintedColormap, "veil">, (t: number) => string> = {
  diverging: (t) => interpolateRdBu(1 - t),
  viridis: interpolateViridis,
  magma: interpolateMagma,
  inferno: interpolateInferno,
  cividis: interpolateCividis
};

/** Whether `name` is one of the colour maps. */
export function isColormap(name: string): name is ColormapName {
  return colormaps.some((c) => c.name === name);
}

/** The map a layer is painted with: `name` itself, or for "auto" the veil (non-negative layer) or diverging (signed). */
export function resolveColormap(name: ColormapName, signed = false): PaintedColormap {
  return name === "auto" ? (signed ? "diverging" : "veil") : name;
}

/** The colour of map `name` at t ∈ [0, 1] (0 least similar) as CSS; the veil is black at alpha 1 − t. */
function interpolatorOf(name: PaintedColormap): (t: number) => string {
  if (name === "veil") return (t) => `rgba(0, 0, 0, ${1 - Math.min(1, Math.max(0, t))})`;
  if (!isColormap(name) || !(name in interpolators)) throw new RangeError(`invalid colormap: ${name}`);
  return interpolators[name];
}

/**
 * What colour each value gets under colour map `name` with the colour scale's ends at `domain` (least
 * similar, most similar): a clamped d3 sequential scale. The overlay's table and the colour bar both come
 * from it. (The overlay's opacity is applied when compositing, not here.)
 */
export function colorScale(name: PaintedColormap, domain: readonly [number, number] = [0, 1]): ScaleSequential<string> {
  return scaleSequential(interpolatorOf(name)).domain(domain).clamp(true);
}

const tables = new Map<PaintedColormap, Uint8ClampedArray>();

/** The 256 RGBA entries of colour map `name` (4 bytes each; entry i is the colour at t = i / 255). Cached. */
export function colormapTable(name: PaintedColormap): Uint8ClampedArray {
  let table = tables.get(name);
  if (table) return table;
  const scale = colorScale(name);
  table = new Uint8ClampedArray(256 * 4);
  for (let i = 0; i < 256; ++i) {
    const c = rgb(scale(i / 255));
    table.set([c.r, c.g, c.b, c.opacity * 255], i * 4); // a transparent colour has NaN channels: stored as 0
  }
  tables.set(name, table);
  return table;
}

/** The table as one 32-bit word per entry, in the platform's byte order, to copy whole pixels into ImageData. */
export function colormapWords(name: PaintedColormap): Uint32Array {
  const table = colormapTable(name);
  return new Uint32Array(table.buffer, table.byteOffset, 256);
}
