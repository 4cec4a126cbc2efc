// The transformed sets' summary over every cell and the hover chart's points (src/core/transformSummary.ts),
// on a made-up layer: a 6 × 6 grid whose second picture holds the first one's codes turned by a quarter
// turn, by hand, so every correspondence at 90° is exact and its cosine 1.
import assert from "node:assert/strict";
import {test} from "node:test";
import {cellStarts, type LayerData} from "../../src/core/layerTable.js";
import {hoverCurve, transformSummary} from "../../src/core/transformSummary.js";
import type {Transform} from "../../src/core/transforms.js";

const N = 6, C = 5, size = {width: 48, height: 48};
const geometry = {stride: 8, offset: 3.5}; // cell centres at 4, 12, …, 44: symmetric about 24
const transforms: Transform[] = [{kind: "rotate", angle: 0}, {kind: "rotate", angle: 90}, {kind: "rotate", angle: 45}];

function layer(turned: boolean): LayerData {
  const grids = transforms.map(() => ({width: N, height: N}));
  const cellStart = cellStarts(grids);
  const codes = new Uint8Array(cellStart[3] * C);
  let s = 7;
  for (let k = 0; k < N * N * C; ++k) codes[k] = (s = (s * 1103515245 + 12345) >>> 0) >>> 25;
  for (let r = 0; r < N; ++r) for (let c = 0; c < N; ++c) {
    // Counter-clockwise: cell (c, r) goes to (r, N − 1 − c).
    const to = turned ? (N - 1 - c) * N + r : r * N + c;
    codes.copyWithin((N * N + to) * C, (r * N + c) * C, (r * N + c + 1) * C);
    codes.copyWithin((2 * N * N + r * N + c) * C, (r * N + c) * C, (r * N + c + 1) * C);
  }
  return {info: {name: "l", output: "l", channels: C, receptiveField: 8, finetuned: false, layout: "NCHW", model: "m", step: 0.01, grids, ...geometry}, codes, norms: new Float32Array(cellStart[3]).fill(1), cellStart};
}

test("summary: a quarter turn of the codes gives 1 in every band; the untransformed picture gives 1", () => {
  const s = transformSummary(layer(true), [0, 1, 2], transforms, size);
  assert.deepEqual(s.cells, [20, 16, 0]);
  for (const band of [0, 1]) {
    assert.equal(s.counts[band][1], s.cells[band]);
    assert.ok(Math.abs(s.means[band][0] - 1) < 1e-12 && Math.abs(s.means[band][1] - 1) < 1e-12, JSON.stringify(s.means));
  }
  assert.ok(Number.isNaN(s.means[2][0]), "no centre cells in a 6 × 6 grid");
  assert.ok(s.counts[0][2] < s.cells[0], "at 45° some border cells have no corresponding cell");
  const wrong = transformSummary(layer(false), [0, 1, 2], transforms, size);
  assert.ok(wrong.means[0][1] < 0.95, "codes not turned do not correspond");
});

test("hover curve: the corresponding cell's value, the best around it, and null when missing", () => {
  const values = new Float32Array(3 * N * N).map((_, i) => (i % 7) / 10);
  const cellStart = cellStarts(transforms.map(() => ({width: N, height: N})));
  const points = hoverCurve(values, cellStart, transforms.map(() => ({width: N, height: N})), {image: 0, col: 0, row: 0}, transforms, geometry, size);
  assert.deepEqual(points[0].cell, {col: 0, row: 0});
  assert.deepEqual(points[1].cell, {col: 0, row: 5});
  assert.equal(points[1].similarity, values[N * N + 5 * N]);
  const around = [4 * N, 4 * N + 1, 5 * N, 5 * N + 1].map((k) => values[N * N + k]);
  assert.equal(points[1].best, Math.max(...around));
  assert.deepEqual([points[2].cell, points[2].similarity, points[2].best], [null, null, null]);
  const self = new Float32Array(3 * N * N).fill(0.25);
  assert.equal(hoverCurve(values, cellStart, transforms.map(() => ({width: N, height: N})), {image: 0, col: 0, row: 0}, transforms, geometry, size, self)[1].similarity, values[N * N + 5 * N] / 0.25);
});
