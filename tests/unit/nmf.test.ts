import assert from "node:assert/strict";
import {test} from "node:test";
import {jacobiEigen, leadingEigenpairs} from "../../src/core/eigen.js";
import {nmf, nmfAsync, type NmfResult} from "../../src/core/nmf.js";
import {decodeCell, dequantizeCells, quantizeCells} from "../../src/core/quantize.js";

/** Seeded uniform numbers in [0, 1) (Park–Miller). */
function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

/** W (n × k) · H (k × m), both given row-major, as float32. */
function product(W: ArrayLike<number>, H: ArrayLike<number>, n: number, k: number, m: number): Float32Array {
  const X = new Float32Array(n * m);
  for (let i = 0; i < n; ++i) for (let c = 0; c < m; ++c) {
    let s = 0;
    for (let t = 0; t < k; ++t) s += W[i * k + t] * H[t * m + c];
    X[i * m + c] = s;
  }
  return X;
}

/** A planted non-negative rank-k matrix: sparse random factors (about 40 % zeros, like post-ReLU data). */
function planted(n: number, m: number, k: number, seed: number) {
  const rand = random(seed);
  const W = Array.from({length: n * k}, () => Math.max(0, rand() - 0.4));
  const H = Array.from({length: k * m}, () => Math.max(0, rand() - 0.4));
  return {W, H, X: product(W, H, n, k, m)};
}

/** Planted low-rank data plus non-negative noise: a matrix NMF cannot fit exactly. */
function noisy(n: number, m: number, rank: number, seed: number, noise = 0.3): Float32Array {
  const {X} = planted(n, m, rank, seed);
  const rand = random(seed + 1);
  for (let i = 0; i < X.length; ++i) X[i] += noise * Math.max(0, rand() - 0.5);
  return X;
}

/** ‖X − WH‖_F / ‖X‖_F computed directly in float64 (W cells × k, H k × channels). */
function directError(X: Float32Array, r: NmfResult): number {
  let diff = 0, total = 0;
  for (let i = 0; i < r.cells; ++i) for (let c = 0; c < r.channels; ++c) {
    let s = 0;
    for (let t = 0; t < r.k; ++t) s += r.W[i * r.k + t] * r.H[t * r.channels + c];
    const x = X[i * r.channels + c];
    diff += (x - s) ** 2;
    total += x * x;
  }
  return Math.sqrt(diff / total);
}

/** Cosine of two vectors. */
function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; ++i) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}

/**
 * One half-step of Lee & Seung's multiplicative updates: F ← F ∘ (A·G) / (F·GᵀG), for F (rows × k) and G
 * (others × k), both row-major, where a(r, o) reads the data matrix A (rows × others).
 */
function multiplicativeStep(F: Float64Array, G: Float64Array, rows: number, others: number, k: number, a: (r: number, o: number) => number): void {
  const GtG = new Float64Array(k * k);
  for (let s = 0; s < k; ++s) for (let t = 0; t < k; ++t) for (let o = 0; o < others; ++o) GtG[s * k + t] += G[o * k + s] * G[o * k + t];
  for (let r = 0; r < rows; ++r) for (let t = 0; t < k; ++t) {
    let num = 0, den = 0;
    for (let o = 0; o < others; ++o) num += a(r, o) * G[o * k + t];
    for (let s = 0; s < k; ++s) den += F[r * k + s] * GtG[s * k + t];
    F[r * k + t] *= num / (den + 1e-300);
  }
}

/** Lee & Seung's multiplicative updates in float64, from a seeded positive start, run until they settle. */
function multiplicativeReference(X: Float32Array, n: number, m: number, k: number): number {
  const rand = random(99);
  const W = Float64Array.from({length: n * k}, () => 0.1 + rand());
  const Ht = Float64Array.from({length: m * k}, () => 0.1 + rand()); // H transposed: channels × k
  const error = () => {
    let d = 0, total = 0;
    for (let i = 0; i < n; ++i) for (let c = 0; c < m; ++c) {
      let s = 0;
      for (let t = 0; t < k; ++t) s += W[i * k + t] * Ht[c * k + t];
      d += (X[i * m + c] - s) ** 2;
      total += X[i * m + c] ** 2;
    }
    return Math.sqrt(d / total);
  };
  let last = Infinity;
  for (let iteration = 0; iteration < 20000; ++iteration) {
    multiplicativeStep(Ht, W, m, n, k, (c, i) => X[i * m + c]);
    multiplicativeStep(W, Ht, n, m, k, (i, c) => X[i * m + c]);
    if (iteration % 100 === 99) {
      const e = error();
      if (last - e < 1e-9 * e) return e;
      last = e;
    }
  }
  return error();
}

test("a planted non-negative rank-3 matrix is recovered: factors match up to order and scale, error < 1e-4", () => {
  const n = 60, m = 40, k = 3;
  const {W, H, X} = planted(n, m, k, 11);
  const r = nmf(X, n, m, k, {tol: 1e-9, maxIterations: 2000});
  assert.ok(r.relativeError < 1e-4, `relative error ${r.relativeError}`);
  assert.ok(r.W.every((v) => v >= 0) && r.H.every((v) => v >= 0), "a factor has a negative entry");
  assert.ok(Math.abs(directError(X, r) - r.relativeError) < 1e-6, `reported ${r.relativeError}, direct ${directError(X, r)}`);
  const used = new Set<number>();
  for (let t = 0; t < k; ++t) {
    // The planted factor whose channel direction best matches found factor t; its cell weights match too.
    const h = r.H.subarray(t * m, (t + 1) * m);
    let best = -1, bestCos = -1;
    for (let s = 0; s < k; ++s) {
      const c = cosine(h, H.slice(s * m, (s + 1) * m));
      if (c > bestCos) [best, bestCos] = [s, c];
    }
    assert.ok(!used.has(best), `two found factors match planted factor ${best}`);
    used.add(best);
    assert.ok(bestCos > 0.999, `factor ${t}: channel cosine ${bestCos}`);
    const w = Array.from({length: n}, (_, i) => r.W[i * k + t]), w0 = Array.from({length: n}, (_, i) => W[i * k + best]);
    assert.ok(cosine(w, w0) > 0.999, `factor ${t}: cell-weight cosine ${cosine(w, w0)}`);
  }
});

test("the error never increases from one iteration to the next (with and without extrapolation), and the final one is the reported one", () => {
  const n = 120, m = 70;
  const X = noisy(n, m, 6, 5);
  for (const extrapolate of [true, false]) {
    const errors: number[] = [];
    const iterations: number[] = [];
    const r = nmf(X, n, m, 4, {extrapolate, onProgress: (i, e) => (iterations.push(i), errors.push(e))});
    assert.ok(r.iterations > 5, `only ${r.iterations} iterations`);
    assert.deepEqual(iterations, Array.from({length: r.iterations}, (_, i) => i + 1));
    for (let i = 1; i < errors.length; ++i) assert.ok(errors[i] <= errors[i - 1] * (1 + 1e-12), `error rose at iteration ${i + 1}: ${errors[i - 1]} → ${errors[i]}`);
    assert.equal(errors.at(-1), r.relativeError);
    assert.ok(r.W.every((v) => v >= 0) && r.H.every((v) => v >= 0), "a factor has a negative entry");
    assert.ok(Math.abs(directError(X, r) - r.relativeError) < 1e-9, `reported ${r.relativeError}, direct ${directError(X, r)}`);
  }
});

test("the error is within 1 % of float64 multiplicative updates (Lee & Seung) run to convergence", () => {
  for (const [n, m, rank, k, seed] of [[80, 50, 6, 4, 21], [50, 90, 3, 3, 8]]) {
    const X = noisy(n, m, rank, seed);
    const reference = multiplicativeReference(X, n, m, k);
    for (const extrapolate of [true, false]) {
      const r = nmf(X, n, m, k, {extrapolate});
      assert.ok(r.converged, `stopped after ${r.iterations} iterations without meeting the tolerance`);
      assert.ok(Math.abs(r.relativeError - reference) <= 0.01 * reference, `${n}×${m}, k ${k}, extrapolate ${extrapolate}: HALS ${r.relativeError}, multiplicative ${reference}`);
    }
  }
});

test("zero cells and zero channels get zero weights; an all-zero matrix gives zero factors", () => {
  const n = 30, m = 20, k = 3;
  const X = noisy(n, m, 4, 3);
  for (const i of [0, 7, 29]) X.fill(0, i * m, (i + 1) * m);
  for (let i = 0; i < n; ++i) X[i * m + 5] = X[i * m + 19] = 0;
  const r = nmf(X, n, m, k);
  for (const i of [0, 7, 29]) for (let t = 0; t < k; ++t) assert.equal(r.W[i * k + t], 0, `cell ${i}, factor ${t}`);
  for (const c of [5, 19]) for (let t = 0; t < k; ++t) assert.equal(r.H[t * m + c], 0, `channel ${c}, factor ${t}`);
  assert.ok(r.relativeError > 0 && r.relativeError < 0.5, `relative error ${r.relativeError}`);

  const zero = nmf(new Float32Array(n * m), n, m, k);
  assert.deepEqual([zero.relativeError, zero.iterations, [...zero.shares]], [0, 0, [0, 0, 0]]);
  assert.ok(zero.W.every((v) => v === 0) && zero.H.every((v) => v === 0));
});

test("k above the rank still fits exactly; k above min(cells, channels) is refused naming the values", () => {
  const n = 40, m = 25;
  const {X} = planted(n, m, 2, 17);
  const r = nmf(X, n, m, 5, {tol: 1e-8, maxIterations: 1000});
  assert.ok(r.relativeError < 1e-3, `relative error ${r.relativeError}`);
  assert.ok(r.W.every(Number.isFinite) && r.H.every(Number.isFinite));
  assert.ok(Math.abs(r.shares.reduce((a, b) => a + b, 0) - 1) < 1e-12);

  assert.throws(() => nmf(new Float32Array(5 * 8).fill(1), 5, 8, 6), (e: Error) => e instanceof RangeError && /k = 6/.test(e.message) && /min\(5, 8\) = 5/.test(e.message));
  assert.throws(() => nmf(new Float32Array(5 * 8), 5, 8, 0), RangeError);
  assert.throws(() => nmf(new Float32Array(10), 5, 8, 2), /10 values are not 5 cells × 8 channels/);
  const negative = new Float32Array(5 * 8).fill(1);
  negative[13] = -0.5;
  assert.throws(() => nmf(negative, 5, 8, 2), /cell 1, channel 5 is -0.5/);
});

test("factors come ordered by share, largest first; shares sum to 1 and H rows have unit norm", () => {
  const n = 100, m = 60, k = 5;
  const r = nmf(noisy(n, m, 8, 31), n, m, k);
  for (let t = 1; t < k; ++t) assert.ok(r.shares[t] <= r.shares[t - 1], `shares ${[...r.shares]}`);
  assert.ok(Math.abs(r.shares.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  for (let t = 0; t < k; ++t) {
    const h = r.H.subarray(t * m, (t + 1) * m);
    assert.ok(Math.abs(Math.hypot(...h) - 1) < 1e-12);
    // share t is ‖w_t h_tᵀ‖² over the sum: recompute it from the output
    let ww = 0, total = 0;
    for (let i = 0; i < n; ++i) ww += r.W[i * k + t] ** 2;
    for (let s = 0; s < k; ++s) for (let i = 0; i < n; ++i) total += r.W[i * k + s] ** 2;
    assert.ok(Math.abs(r.shares[t] - ww / total) < 1e-12);
  }
});

test("cancelling stops it at once; maxIterations caps it; the same input gives bit-identical output", () => {
  const n = 90, m = 50;
  const X = noisy(n, m, 6, 13);
  const controller = new AbortController();
  const seen: number[] = [];
  assert.throws(
    () => nmf(X, n, m, 4, {signal: controller.signal, onProgress: (i) => (seen.push(i), i === 3 && controller.abort())}),
    (e: Error) => e.name === "AbortError"
  );
  assert.deepEqual(seen, [1, 2, 3]);
  assert.throws(() => nmf(X, n, m, 4, {signal: AbortSignal.abort(), onProgress: () => assert.fail("ran after abort")}), {name: "AbortError"});

  const capped = nmf(X, n, m, 4, {maxIterations: 4});
  assert.deepEqual([capped.iterations, capped.converged], [4, false]);
  for (let iterations = 1; iterations <= 12; ++iterations) {
    // Whatever iteration a run stops at (an extrapolated step included), both factors are non-negative.
    const r = nmf(X, n, m, 4, {maxIterations: iterations});
    assert.ok(r.W.every((v) => v >= 0) && r.H.every((v) => v >= 0), `a negative entry after ${iterations} iterations`);
  }

  const a = nmf(X, n, m, 4), b = nmf(Float32Array.from(X), n, m, 4);
  assert.ok(a.converged);
  assert.ok(Buffer.from(a.W.buffer).equals(Buffer.from(b.W.buffer)) && Buffer.from(a.H.buffer).equals(Buffer.from(b.H.buffer)));
  assert.deepEqual([a.relativeError, a.iterations, [...a.shares]], [b.relativeError, b.iterations, [...b.shares]]);
});

test("nmfAsync gives way between iterations: an abort sent from another task stops it; otherwise it matches nmf()", async () => {
  const n = 90, m = 50;
  const X = noisy(n, m, 6, 13);
  const controller = new AbortController();
  const seen: number[] = [];
  // The abort comes from a timer, as a worker's cancel message would: it can only land while nmfAsync pauses.
  const aborted = nmfAsync(X, n, m, 4, {signal: controller.signal, pauseEveryMs: 0, onProgress: (i) => (seen.push(i), i === 2 && setTimeout(() => controller.abort(), 0))});
  await assert.rejects(aborted, {name: "AbortError"});
  assert.ok(seen.length >= 2 && seen.length <= 4, `ran ${seen.length} iterations after the abort was scheduled at 2`);

  let pauses = 0;
  const sliced = await nmfAsync(X, n, m, 4, {pauseEveryMs: 0, pause: async () => void ++pauses});
  const whole = nmf(X, n, m, 4);
  assert.equal(pauses, whole.iterations - 1);
  assert.ok(Buffer.from(sliced.W.buffer).equals(Buffer.from(whole.W.buffer)) && Buffer.from(sliced.H.buffer).equals(Buffer.from(whole.H.buffer)));
  await assert.rejects(nmfAsync(X, n, m, 60), RangeError);
});

test("dequantizeCells rebuilds norm · step · code for every cell, as decodeCell does for one", () => {
  const {X} = planted(12, 30, 3, 4);
  const q = quantizeCells(X, 30);
  const all = dequantizeCells(q);
  for (let i = 0; i < 12; ++i) assert.deepEqual(all.subarray(i * 30, (i + 1) * 30), decodeCell(q, i));
  for (let i = 0; i < X.length; ++i) assert.ok(Math.abs(all[i] - X[i]) <= q.norms[Math.floor(i / 30)] * q.step * 0.5 + 1e-6);
  assert.throws(() => dequantizeCells(q, new Float32Array(5)), /output holds 5 values, the codes 360/);
});

test("jacobiEigen and leadingEigenpairs find a known spectrum", () => {
  // A = Q·diag(9, 4, 1, 0.25)·Qᵀ for a fixed orthonormal Q (a Householder reflection of a seeded vector).
  const rand = random(3), d = 4, values = [9, 4, 1, 0.25];
  const v = Array.from({length: d}, () => rand() - 0.5), vv = v.reduce((s, x) => s + x * x, 0);
  const Q = (i: number, j: number) => (i === j ? 1 : 0) - (2 * v[i] * v[j]) / vv;
  const A = new Float64Array(d * d);
  for (let i = 0; i < d; ++i) for (let j = 0; j < d; ++j) for (let t = 0; t < d; ++t) A[i * d + j] += Q(i, t) * values[t] * Q(j, t);
  const all = jacobiEigen(A, d);
  for (let t = 0; t < d; ++t) {
    assert.ok(Math.abs(all.values[t] - values[t]) < 1e-12, `eigenvalue ${t}: ${all.values[t]}`);
    const column = Array.from({length: d}, (_, i) => Q(i, t));
    assert.ok(Math.abs(Math.abs(cosine(all.vectors.subarray(t * d, (t + 1) * d), column)) - 1) < 1e-12);
  }
  // Leading pairs of XᵀX for a 200 × 60 matrix, against the full Jacobi decomposition of XᵀX.
  const n = 200, m = 60, X = noisy(n, m, 10, 41, 1);
  const G = new Float64Array(m * m);
  for (let a = 0; a < m; ++a) for (let b = 0; b < m; ++b) for (let i = 0; i < n; ++i) G[a * m + b] += X[i * m + a] * X[i * m + b];
  const full = jacobiEigen(G, m);
  const lead = leadingEigenpairs((x, out) => {
    for (let a = 0; a < m; ++a) {
      let s = 0;
      for (let b = 0; b < m; ++b) s += G[a * m + b] * x[b];
      out[a] = s;
    }
  }, m, 4, {tolerance: 1e-10});
  for (let t = 0; t < 4; ++t) {
    assert.ok(Math.abs(lead.values[t] - full.values[t]) < 1e-8 * full.values[0], `eigenvalue ${t}: ${lead.values[t]} vs ${full.values[t]}`);
    const c = cosine(lead.vectors.subarray(t * m, (t + 1) * m), full.vectors.subarray(t * m, (t + 1) * m));
    assert.ok(Math.abs(Math.abs(c) - 1) < 1e-6, `eigenvector ${t}: cosine ${c}`);
  }
});
