// Paints one image's similarity values into the pixels of its grid-resolution overlay: pixel k is the
// colour-map entry of cell k (row-major, the order of the layer table), so a w × h ImageData holds a w × h
// grid and the browser scales it up with image-rendering: pixelated.
//
//   pixels[k] = table[round(255 · clamp((values[start + k] − lo) / (hi − lo), 0, 1))]
//
// A flat domain (hi ≤ lo, e.g. an image stretched to its own range when every cell is equal) paints values
// at or above hi as most similar and the rest as least.

/** Writes `count` pixels from values[start …] through the 256-entry table `words`. Allocates nothing. */
export function paintCells(values: Float32Array, start: number, count: number, lo: number, hi: number, words: Uint32Array, pixels: Uint32Array): Uint32Array {
  if (start < 0 || start + count > values.length) throw new RangeError(`invalid cells: ${start} … ${start + count - 1} of ${values.length}`);
  if (pixels.length < count) throw new RangeError(`overlay holds ${pixels.length} pixels, need ${count}`);
  if (words.length !== 256) throw new RangeError(`invalid colour table: ${words.length} entries, expected 256`);
  if (hi > lo) {
    const scale = 255 / (hi - lo);
    for (let k = 0; k < count; ++k) {
      const t = (values[start + k] - lo) * scale;
      pixels[k] = words[t > 0 ? (t < 255 ? Math.round(t) : 255) : 0];
    }
  } else {
    for (let k = 0; k < count; ++k) pixels[k] = words[values[start + k] >= hi ? 255 : 0];
  }
  return pixels;
}
