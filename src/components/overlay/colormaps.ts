// Colour maps for similarity overlays, as 256-entry RGBA lookup tables read through a clamped index (the
// way d3-scale-chromatic's sequential schemes are stored). Index 0 is the least similar value of the scale,
// 255 the most similar.
//
// "veil" is the article's look: the image is darkened where it is dissimilar, a black veil whose alpha is
// 1 − t, so lighter means more similar. The others are perceptually uniform maps from d3-scale-chromatic;
// cividis is also designed to read the same for the common forms of colour blindness. The overlay's
// opacity is applied when compositing (CSS opacity, globalAlpha in the export), not in the tables.
import {rgb} from "d3-color";
import {interpolateCividis, interpolateInferno, interpolateMagma, interpolateViridis} from "d3-scale-chromatic";

/** The colour maps on offer. */
export type ColormapName = "veil" | "viridis" | "magma" | "inferno" | "cividis";

/** Each colour map, with how the picker and the colour bar name it. */
export const colormaps: readonly {name: ColormapName; label: string; reading: string}[] = [
  {name: "veil", label: "Darken dissimilar (article)", reading: "lighter = more similar"},
  {name: "viridis", label: "Viridis (perceptually uniform)", reading: "yellow = more similar"},
  {name: "magma", label: "Magma (perceptually uniform)", reading: "light = more similar"},
  {name: "inferno", label: "Inferno (perceptually uniform)", reading: "yellow = more similar"},
  {name: "cividis", label: "Cividis (colour-blind safe)", reading: "yellow = more similar"}
];

const interpolators: Record<Exclude<ColormapName, "veil">, (t: number) => string> = {
  viridis: interpolateViridis,
  magma: interpolateMagma,
  inferno: interpolateInferno,
  cividis: interpolateCividis
};

/** Whether `name` is one of the colour maps. */
export function isColormap(name: string): name is ColormapName {
  return colormaps.some((c) => c.name === name);
}

const tables = new Map<ColormapName, Uint8ClampedArray>();

/** The 256 RGBA entries of colour map `name` (4 bytes each; entry i is the colour at t = i / 255). Cached. */
export function colormapTable(name: ColormapName): Uint8ClampedArray {
  let table = tables.get(name);
  if (table) return table;
  if (!isColormap(name)) throw new RangeError(`invalid colormap: ${name}`);
  table = new Uint8ClampedArray(256 * 4);
  for (let i = 0; i < 256; ++i) {
    if (name === "veil") {
      table[i * 4 + 3] = 255 - i; // black, alpha 1 − t
    } else {
      const c = rgb(interpolators[name](i / 255));
      table.set([c.r, c.g, c.b, 255], i * 4);
    }
  }
  tables.set(name, table);
  return table;
}

/** The table as one 32-bit word per entry, in the platform's byte order, to copy whole pixels into ImageData. */
export function colormapWords(name: ColormapName): Uint32Array {
  const table = colormapTable(name);
  return new Uint32Array(table.buffer, table.byteOffset, 256);
}
