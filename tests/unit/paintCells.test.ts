import assert from "node:assert/strict";
import {test} from "node:test";
import {paintCells} from "../../src/components/overlay/paintCells.js";

const words = Uint32Array.from({length: 256}, (_, i) => i);

test("paintCells maps [lo, hi] onto the 256 entries, clamping outside", () => {
  const values = Float32Array.of(9, 0, 0.5, 1, -0.2, 1.3, 0.25, 9);
  const pixels = new Uint32Array(6);
  paintCells(values, 1, 6, 0, 1, words, pixels);
  assert.deepEqual([...pixels], [0, 128, 255, 0, 255, 64]);
});

test("paintCells with a shifted domain", () => {
  const pixels = paintCells(Float32Array.of(-4, -2, 0), 0, 3, -4, 0, words, new Uint32Array(3));
  assert.deepEqual([...pixels], [0, 128, 255]);
});

test("paintCells with a flat domain paints values at or above it as most similar", () => {
  const pixels = paintCells(Float32Array.of(0.3, 0.2, 0.3), 0, 3, 0.3, 0.3, words, new Uint32Array(3));
  assert.deepEqual([...pixels], [255, 0, 255]);
});

test("paintCells checks its ranges", () => {
  assert.throws(() => paintCells(new Float32Array(4), 2, 3, 0, 1, words, new Uint32Array(3)), /invalid cells: 2 … 4 of 4/);
  assert.throws(() => paintCells(new Float32Array(4), 0, 4, 0, 1, words, new Uint32Array(3)), /overlay holds 3 pixels, need 4/);
  assert.throws(() => paintCells(new Float32Array(4), 0, 4, 0, 1, new Uint32Array(10), new Uint32Array(4)), /invalid colour table/);
});
