// How matrix factors are coloured, as Lucid's "building blocks" do it: each factor has a hue, each factor's
// weight is scaled so that its 99th percentile over all cells of the set is full intensity (larger weights
// are clamped there), and a cell's colour blends the factors by "lighten": per channel, the largest of
// hue_t · intensity_t over the factors. A cell with no weight on any factor is black. Hovering a factor
// shows it alone: the same with only that factor.
//
// The palette is Okabe and Ito's ("Color Universal Design", 2008), chosen to stay distinguishable with the
// common colour-vision deficiencies, in its eight-colour form with grey instead of black (black here means
// "no weight"). Factors take its colours in factor order, and factors are ordered by their share of the
// reconstruction, largest first (src/core/nmf.ts), so the same data always gets the same colours.

/** The palette's name, as the page states it. */
export const FACTOR_PALETTE_NAME = "Okabe–Ito (colour-blind safe), grey in place of black";

/** Okabe–Ito: orange, sky blue, bluish green, yellow, blue, vermillion, reddish purple, grey. */
export const FACTOR_PALETTE: readonly string[] = ["#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#999999"];

const rgb = FACTOR_PALETTE.map((hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)));

/** Factor t's colour as [r, g, b]. */
export function factorRgb(t: number): readonly number[] {
  return rgb[t % rgb.length];
}

/**
 * Writes the colours of cells start … start+count−1 into `pixels` (32-bit ImageData words, little-endian
 * RGBA, opaque): W is cell-major with k factors, `p99[t]` the weight shown at full intensity; `solo` ≥ 0
 * shows that factor alone. Allocates nothing.
 */
export function paintFactors(W: Float32Array, k: number, p99: Float64Array, start: number, count: number, solo: number, pixels: Uint32Array): Uint32Array {
  if (start < 0 || (start + count) * k > W.length) throw new RangeError(`invalid cells: ${start} … ${start + count - 1} of ${W.length / k}`);
  if (pixels.length < count) throw new RangeError(`picture holds ${pixels.length} pixels, need ${count}`);
  const from = solo >= 0 ? solo : 0, to = solo >= 0 ? solo + 1 : k;
  for (let j = 0; j < count; ++j) {
    let r = 0, g = 0, b = 0;
    for (let t = from, o = (start + j) * k; t < to; ++t) {
      const s = p99[t] > 0 ? W[o + t] / p99[t] : 0;
      const f = s < 1 ? (s > 0 ? s : 0) : 1;
      const c = rgb[t % rgb.length];
      const cr = c[0] * f, cg = c[1] * f, cb = c[2] * f;
      if (cr > r) r = cr;
      if (cg > g) g = cg;
      if (cb > b) b = cb;
    }
    pixels[j] = (255 << 24) | (Math.round(b) << 16) | (Math.round(g) << 8) | Math.round(r);
  }
  return pixels;
}
