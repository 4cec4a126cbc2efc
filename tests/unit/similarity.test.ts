import assert from "node:assert/strict";
import {test} from "node:test";
import {cosine} from "../../src/core/cosine.js";
import {decodeCell, quantizeCells} from "../../src/core/quantize.js";
import {fixedDomain, maxInto, queryScratch, similarityToAll, toSimilarity} from "../../src/core/similarity.js";
import {topK} from "../../src/core/topK.js";
import {signedVectors} from "../fixtures/signedVectors.js";

function reluVectors(cells: number, channels: number, seed = 11): Float32Array {
  let s = seed;
  const random = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  const out = new Float32Array(cells * channels);
  for (let i = 0; i < out.length; ++i) out[i] = Math.max(0, random() * 2 - 1.3) * (0.5 + 4 * random());
  out.fill(0, 5 * channels, 6 * channels); // cell 5 is a zero vector
  return out;
}

const C = 768, N = 120;
const values = reluVectors(N, C);
const q = quantizeCells(values, C);
const index = {...q, channels: C};
const vec = (i: number) => values.subarray(i * C, (i + 1) * C);

test("similarityToAll cosine equals the float64 cosine of the decoded codes, and is within 0.01 of float32", () => {
  const out = new Float32Array(N);
  for (const query of [0, 7, 64, 119]) {
    similarityToAll(index, query, "cosine", out, queryScratch(C));
    const dq = Float64Array.from(decodeCell(q, query));
    for (let j = 0; j < N; ++j) {
      const exactCodes = cosine(dq, Float64Array.from(decodeCell(q, j))) * (q.norms[j] && q.norms[query] ? 1 : 0);
      // The codes' own unit vectors are not exactly unit: compare the dot of decoded unit vectors.
      let dot = 0;
      for (let c = 0; c < C; ++c) dot += q.codes[query * C + c] * q.codes[j * C + c] * q.step * q.step;
      assert.ok(Math.abs(out[j] - dot) < 1e-6, `codes ${query},${j}`);
      assert.ok(Math.abs(out[j] - exactCodes) < 0.01);
      assert.ok(Math.abs(out[j] - cosine(vec(query), vec(j))) < 0.01, `float ${query},${j}`);
    }
  }
});

test("similarityToAll dot and euclidean match float64 references within the code error", () => {
  const out = new Float32Array(N);
  similarityToAll(index, 3, "dot", out, queryScratch(C));
  for (let j = 0; j < N; ++j) {
    let dot = 0;
    for (let c = 0; c < C; ++c) dot += vec(3)[c] * vec(j)[c];
    assert.ok(Math.abs(out[j] - dot) <= 0.01 * q.norms[3] * q.norms[j] + 1e-6, `dot ${j}: ${out[j]} vs ${dot}`);
  }
  similarityToAll(index, 3, "euclidean", out, queryScratch(C));
  for (let j = 0; j < N; ++j) {
    let d2 = 0;
    for (let c = 0; c < C; ++c) d2 += (vec(3)[c] - vec(j)[c]) ** 2;
    assert.ok(Math.abs(-out[j] - Math.sqrt(d2)) <= 0.02 * (q.norms[3] + q.norms[j]) + 1e-6, `euclidean ${j}`);
  }
  assert.ok(Math.abs(out[3]) < 0.05 * q.norms[3], "a cell is (almost) at distance 0 from itself");
});

test("similarityToAll: the query is its own most similar cell under cosine", () => {
  const out = new Float32Array(N);
  for (let query = 0; query < N; ++query) {
    if (query === 5) continue;
    similarityToAll(index, query, "cosine", out, queryScratch(C));
    assert.equal(out.indexOf(Math.max(...out)), query);
  }
});

test("similarityToAll with a zero vector: cosine 0, dot 0, euclidean −‖other‖", () => {
  const out = new Float32Array(N);
  similarityToAll(index, 5, "cosine", out, queryScratch(C));
  assert.ok(out.every((v) => v === 0));
  similarityToAll(index, 0, "cosine", out, queryScratch(C));
  assert.equal(out[5], 0);
  similarityToAll(index, 5, "dot", out, queryScratch(C));
  assert.ok(out.every((v) => v === 0));
  similarityToAll(index, 5, "euclidean", out, queryScratch(C));
  for (let j = 0; j < N; ++j) assert.ok(Math.abs(out[j] + q.norms[j]) < 1e-4 * (1 + q.norms[j]));
});

test("similarityToAll checks its arguments", () => {
  assert.throws(() => similarityToAll(index, N, "cosine", new Float32Array(N), queryScratch(C)), /invalid query cell: 120/);
  assert.throws(() => similarityToAll(index, 0, "cosine", new Float32Array(3), queryScratch(C)), /output holds 3 values, need 120/);
});

test("maxInto combines pinned queries", () => {
  const a = Float32Array.from([0.1, 0.9, 0.3]);
  assert.deepEqual([...maxInto(a, Float32Array.from([0.5, 0.2, 0.3]))], [0.5, 0.9, 0.3].map(Math.fround));
});

test("fixedDomain gives each similarity its natural range", () => {
  assert.deepEqual(fixedDomain("cosine", 7), [0, 1]);
  assert.deepEqual(fixedDomain("dot", 3), [0, 9]);
  assert.deepEqual(fixedDomain("euclidean", 2), [-2 * Math.SQRT2, 0]);
});

test("topK returns the k largest indices in order, ties by index, NaN skipped", () => {
  const v = Float32Array.from([0.2, 0.9, NaN, 0.5, 0.9, 0.1, 0.7]);
  const out = new Int32Array(4);
  assert.equal(topK(v, out), 4);
  assert.deepEqual([...out], [1, 4, 6, 3]);
  const few = new Int32Array(10);
  assert.equal(topK(v, few), 6);
  assert.deepEqual([...few.subarray(0, 6)], [1, 4, 6, 3, 0, 5]);
  assert.equal(topK(v, new Int32Array(0)), 0);
});

test("toSimilarity and maxInto can work on a range of cells only", () => {
  const index = {codes: new Uint8Array(0), norms: Float32Array.from([1, 2, 3, 4]), step: 0.5, channels: 1};
  const dots = Int32Array.from([4, 4, 4, 4]);
  const out = new Float32Array(4).fill(-9);
  toSimilarity(dots, index, 0, "cosine", out, 1, 3);
  assert.deepEqual([...out], [-9, 1, 1, -9]);
  const into = Float32Array.from([0, 0, 0, 0]);
  maxInto(into, Float32Array.from([5, 5, 5, 5]), 3, 2);
  assert.deepEqual([...into], [0, 0, 5, 0]);
  assert.throws(() => toSimilarity(dots, index, 0, "cosine", out, 3, 5), /invalid cell range 3…5 of 4/);
});

// Signed layers: signed codes, a factor per cell (quantize.ts); every kind against float64 of the float32 values.
{
  const S = 96, M = 80;
  const signed = signedVectors(M, S, 21);
  signed.fill(0, 9 * S, 10 * S); // cell 9 is a zero vector
  const sq = quantizeCells(signed, S);
  const sv = (i: number) => Float64Array.from(signed.subarray(i * S, (i + 1) * S));
  const out = new Float32Array(M);
  test("signed layer: cosine, dot and euclidean from the codes match float64 references", () => {
    assert.ok(sq.codes instanceof Int8Array);
    let negatives = 0;
    for (const query of [0, 9, 41, 79]) {
      similarityToAll(sq, query, "cosine", out, queryScratch(S));
      for (let j = 0; j < M; ++j) {
        const exact = cosine(sv(query), sv(j));
        if (exact < -0.2) ++negatives;
        assert.ok(Math.abs(out[j] - exact) <= 0.01, `cosine ${query},${j}: ${out[j]} vs ${exact}`);
      }
      similarityToAll(sq, query, "dot", out, queryScratch(S));
      for (let j = 0; j < M; ++j) {
        let dot = 0;
        for (let c = 0; c < S; ++c) dot += sv(query)[c] * sv(j)[c];
        assert.ok(Math.abs(out[j] - dot) <= 0.01 * sq.norms[query] * sq.norms[j] + 1e-6, `dot ${query},${j}`);
      }
      similarityToAll(sq, query, "euclidean", out, queryScratch(S));
      for (let j = 0; j < M; ++j) {
        let d2 = 0;
        for (let c = 0; c < S; ++c) d2 += (sv(query)[c] - sv(j)[c]) ** 2;
        assert.ok(Math.abs(-out[j] - Math.sqrt(d2)) <= 0.02 * (sq.norms[query] + sq.norms[j]) + 1e-6, `euclidean ${query},${j}`);
      }
    }
    assert.ok(negatives > 10, "the references include cells pointing away from the query");
  });

  test("signed layer: the fixed scales are [−1, 1] for cosine and symmetric for dot; unsigned as before", () => {
    assert.deepEqual(fixedDomain("cosine", 3, true), [-1, 1]);
    assert.deepEqual(fixedDomain("dot", 3, true), [-9, 9]);
    assert.deepEqual(fixedDomain("euclidean", 3, true), [-6, 0]);
    assert.deepEqual(fixedDomain("cosine", 3), [0, 1]);
    assert.deepEqual(fixedDomain("dot", 3), [0, 9]);
  });
}
