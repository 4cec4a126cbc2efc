import assert from "node:assert/strict";
import {test} from "node:test";
import {cosine, norm} from "../../src/core/cosine.js";

test("cosine matches a float64 reference", () => {
  let seed = 1;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  for (let t = 0; t < 50; ++t) {
    const a = Float32Array.from({length: 768}, () => Math.max(0, random() - 0.5));
    const b = Float32Array.from({length: 768}, () => Math.max(0, random() - 0.5));
    let dot = 0, aa = 0, bb = 0;
    for (let i = 0; i < 768; ++i) (dot += a[i] * b[i]), (aa += a[i] ** 2), (bb += b[i] ** 2);
    assert.ok(Math.abs(cosine(a, b) - dot / Math.sqrt(aa * bb)) < 1e-12);
  }
});

test("cosine of parallel, orthogonal and opposite vectors", () => {
  assert.ok(Math.abs(cosine([1, 2, 3], [2, 4, 6]) - 1) < 1e-12);
  assert.equal(cosine([1, 0], [0, 5]), 0);
  assert.ok(Math.abs(cosine([1, 1], [-1, -1]) + 1) < 1e-12);
});

test("cosine with a zero vector is 0, itself included", () => {
  const zero = new Float32Array(5);
  assert.equal(cosine(zero, [1, 2, 3, 4, 5]), 0);
  assert.equal(cosine([1, 2, 3, 4, 5], zero), 0);
  assert.equal(cosine(zero, zero), 0);
});

test("cosine rejects vectors of different lengths", () => {
  assert.throws(() => cosine([1, 2], [1, 2, 3]), /lengths differ: 2 and 3/);
});

test("norm of a slice", () => {
  assert.equal(norm([3, 4, 0, 12], 0, 2), 5);
  assert.equal(norm([9, 3, 4, 12], 2, 2), Math.hypot(4, 12));
});
