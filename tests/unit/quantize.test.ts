import assert from "node:assert/strict";
import {test} from "node:test";
import {cosine} from "../../src/core/cosine.js";
import {codeCosine, decodeCell, quantizeCells, quantizeCellsWithStep} from "../../src/core/quantize.js";
import {signedVectors} from "../fixtures/signedVectors.js";

/** Sparse non-negative vectors like post-ReLU activations, seeded. */
function reluVectors(cells: number, channels: number, seed = 7): Float32Array {
  let s = seed;
  const random = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  const out = new Float32Array(cells * channels);
  for (let i = 0; i < out.length; ++i) out[i] = Math.max(0, random() * 2 - 1.2) * (1 + 3 * random());
  return out;
}

test("quantizeCells keeps every cosine within 0.01 of float64", () => {
  const C = 768, n = 200;
  const values = reluVectors(n, C);
  const q = quantizeCells(values, C);
  let worst = 0;
  for (let i = 0; i < n; ++i) for (let j = i; j < n; ++j) {
    const exact = cosine(values.subarray(i * C, (i + 1) * C), values.subarray(j * C, (j + 1) * C));
    worst = Math.max(worst, Math.abs(codeCosine(q, i, j) - exact));
  }
  assert.ok(worst < 0.01, `max cosine error ${worst}`);
});

test("quantizeCells stores norms and lets vectors be rebuilt", () => {
  const C = 64;
  const values = reluVectors(10, C, 3);
  const q = quantizeCells(values, C);
  for (let i = 0; i < 10; ++i) {
    const v = values.subarray(i * C, (i + 1) * C);
    const n = Math.hypot(...v);
    assert.ok(Math.abs(q.norms[i] - n) <= 1e-5 * n);
    const back = decodeCell(q, i);
    for (let c = 0; c < C; ++c) assert.ok(Math.abs(back[c] - v[c]) <= q.step * n * 0.5 + 1e-6);
  }
});

test("quantizeCells codes a zero vector as zeros with norm 0, cosine 0", () => {
  const values = new Float32Array([0, 0, 0, 1, 2, 3]);
  const q = quantizeCells(values, 3);
  assert.deepEqual([...q.codes.subarray(0, 3)], [0, 0, 0]);
  assert.equal(q.norms[0], 0);
  assert.equal(codeCosine(q, 0, 1), 0);
  assert.equal(codeCosine(q, 0, 0), 0);
  assert.ok(Math.abs(codeCosine(q, 1, 1) - 1) < 0.01);
});

test("quantizeCells rejects ragged input and values that are not numbers", () => {
  assert.throws(() => quantizeCells(new Float32Array(5), 2), /5 values do not split into vectors of 2/);
  assert.throws(() => quantizeCells(new Float32Array([NaN, 1]), 2), /cell 0 has value NaN: activations must be finite numbers/);
  assert.throws(() => quantizeCells(new Float32Array([1, 2, -1, Infinity]), 2), /cell 1 has value Infinity/);
});

test("a layer with values below zero gets signed codes (Int8Array, largest |component| 127 per cell); a non-negative one keeps unsigned codes", () => {
  const C = 24;
  const values = signedVectors(50, C);
  const q = quantizeCells(values, C);
  assert.ok(q.codes instanceof Int8Array && q.scales instanceof Float32Array);
  for (let i = 0; i < 50; ++i) assert.equal(Math.max(...[...q.codes.subarray(i * C, (i + 1) * C)].map(Math.abs)), 127);
  assert.ok([...q.codes].some((c) => c < 0));
  const relu = quantizeCells(reluVectors(10, C), C);
  assert.ok(relu.codes instanceof Uint8Array && relu.scales === undefined);
});

for (const C of [24, 64, 384]) {
  test(`signed codes keep every cosine within 0.01 of float64, and the values' signs (${C} channels)`, () => {
    const n = 150;
    const values = signedVectors(n, C, C);
    const q = quantizeCells(values, C);
    let worst = 0, negative = 0;
    for (let i = 0; i < n; ++i) for (let j = i; j < n; ++j) {
      const exact = cosine(values.subarray(i * C, (i + 1) * C), values.subarray(j * C, (j + 1) * C));
      if (exact < -0.1) ++negative;
      worst = Math.max(worst, Math.abs(codeCosine(q, i, j) - exact));
    }
    assert.ok(worst <= 0.01, `max cosine error ${worst}`);
    assert.ok(negative > 0, "some pairs point away from each other");
    for (let i = 0; i < n; ++i) assert.ok(Math.abs(codeCosine(q, i, i) - 1) < 1e-6, "a cell's cosine with itself is 1");
  });
}

test("signed codes: vectors rebuilt within half a step of the cell's own scale; a zero vector stays zero with cosine 0", () => {
  const C = 32;
  const values = signedVectors(8, C, 9);
  values.fill(0, 2 * C, 3 * C);
  const q = quantizeCells(values, C);
  for (let i = 0; i < 8; ++i) {
    const v = values.subarray(i * C, (i + 1) * C);
    const back = decodeCell(q, i);
    const max = Math.max(...[...v].map(Math.abs));
    for (let c = 0; c < C; ++c) assert.ok(Math.abs(back[c] - v[c]) <= 0.01 * max + 1e-6, `cell ${i} channel ${c}: ${back[c]} vs ${v[c]}`);
  }
  assert.equal(q.norms[2], 0);
  assert.equal(q.scales![2], 0);
  assert.equal(codeCosine(q, 2, 0), 0);
  assert.equal(codeCosine(q, 2, 2), 0);
});

test("quantizeCellsWithStep codes added cells of a signed table on their own: the same codes as the table's", () => {
  const C = 48;
  const values = signedVectors(30, C, 4);
  const whole = quantizeCells(values, C);
  const added = quantizeCellsWithStep(values.subarray(10 * C), C, whole.step, true);
  assert.deepEqual([...added.codes], [...whole.codes.subarray(10 * C)]);
  assert.deepEqual([...added.scales!], [...whole.scales!.subarray(10)]);
  assert.equal(added.clipped, 0);
  assert.throws(() => quantizeCellsWithStep(values, C, whole.step), /8-bit codes need non-negative activations/, "an unsigned table still refuses a value below zero");
});

test("quantizeCellsWithStep codes added cells with a table's step: same codes as the table's own, cosines across within 0.01", () => {
  const C = 256;
  const table = reluVectors(60, C, 11), added = reluVectors(20, C, 12);
  const q = quantizeCells(table, C);
  // Cells the table was built from get exactly the table's codes again.
  const again = quantizeCellsWithStep(table, C, q.step);
  assert.deepEqual(again.codes, q.codes);
  assert.deepEqual(again.norms, q.norms);
  assert.equal(again.clipped, 0);
  const a = quantizeCellsWithStep(added, C, q.step);
  let worst = 0;
  for (let i = 0; i < 60; ++i) for (let j = 0; j < 20; ++j) {
    const exact = cosine(table.subarray(i * C, (i + 1) * C), added.subarray(j * C, (j + 1) * C));
    let dot = 0;
    for (let c = 0; c < C; ++c) dot += q.codes[i * C + c] * a.codes[j * C + c];
    worst = Math.max(worst, Math.abs(dot * q.step * q.step - exact));
  }
  assert.ok(worst < 0.01, `max cosine error ${worst}`);
});

test("quantizeCellsWithStep clips components beyond 255 steps and counts them", () => {
  const values = new Float32Array([1, 0, 0, 0, 1, 1]); // two cells of 3: the first is a unit axis
  const q = quantizeCellsWithStep(values, 3, 0.5 / 255); // 1.0 needs 510 steps: clipped
  assert.equal(q.codes[0], 255);
  assert.equal(q.clipped, 3); // and both components of the second (0.707 needs 361 steps)
  assert.throws(() => quantizeCellsWithStep(values, 3, 0), /invalid step/);
  assert.throws(() => quantizeCellsWithStep(new Float32Array([-1, 0, 0]), 3, 0.01), /non-negative/);
});
