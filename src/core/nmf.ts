// Non-negative matrix factorisation X ≈ W·H of a cells × channels activation matrix (every cell of every
// image of a set), with k factors: W (cells × k) says how much of each factor a cell holds, H (k × channels)
// is each factor's direction in channel space. Shared by the loader, the worker and the benchmark.
//
// What it follows (the formulas are written out here in our own notation; no code is taken from elsewhere):
//
// Loss: ½‖X − WH‖²_F, minimised by coordinate descent over whole factor columns, the "hierarchical
// alternating least squares" (HALS) of Cichocki & Phan (2009, "Fast local algorithms for large scale
// nonnegative matrix and tensor factorizations", IEICE Trans. Fundamentals E92-A), which is also what
// scikit-learn's NMF(solver="cd") runs (sklearn/decomposition/_nmf.py and its Cython helper). One iteration:
//   W step, H fixed: P = X·Hᵀ (cells × k, the only pass over X) and S = H·Hᵀ (k × k); then for each factor t
//     in order, for each cell i:   W[i,t] ← max(0, (P[i,t] − Σ_{r≠t} W[i,r]·S[r,t]) / S[t,t]),
//     which is the exact minimiser in W[i,t] with the rest fixed (the max(0, ·) is the projection onto
//     W ≥ 0). Later factors see the already-updated earlier ones (Gauss–Seidel), as in scikit-learn.
//   H step, W fixed: the same on Xᵀ, with Q = Wᵀ·X (k × channels) and R = WᵀW.
// Speed-up (Gillis & Glineur 2012, "Accelerated multiplicative updates and hierarchical ALS algorithms for
// nonnegative matrix factorization", Neural Computation 24(4)): P and S do not change while W is updated,
// and a sweep over W costs cells·k² against cells·channels·k for P, so each step repeats its sweep while it
// still moves the factor by more than a tenth of what the first sweep moved it, at most 1 + ½·(cost of the
// product / cost of a sweep) times. This reaches the same kind of stationary point in fewer passes over X.
// Extrapolation (Ang & Gillis 2019, "Accelerating nonnegative matrix factorization algorithms using
// extrapolation", Neural Computation 31(2)), in a safeguarded form: after each iteration turns (W₀, H₀) into
// (W₁, H₁), try the candidate W₁ + β(W₁ − W₀), H₁ + β(H₁ − H₀), each clipped at 0. Its X·Hᵀ is one pass
// over X; if its error is lower, it replaces (W₁, H₁) and that X·Hᵀ is the next W step's P (no pass lost),
// and β grows by 1.2 (up to 4: the error check keeps long steps safe, and on our sets they pay); otherwise
// it is dropped and β shrinks by 1.5 (down to 0.05). β starts at 0.5. The reported error never increases;
// on the bundled sets this takes 40–60 % fewer iterations than plain HALS, to the same error.
// Stopping (scikit-learn's rule): during the first sweep of each step we add up |projected gradient| of
// every entry (the gradient g = Σ_r W[i,r]·S[r,t] − P[i,t], or min(0, g) where the entry is 0); the run
// stops when the iteration's sum falls to tol · the first iteration's sum, or after maxIterations.
// Initialisation: "nndsvda" (Boutsidis & Gallopoulos 2008, with scikit-learn's choice of filling zeros with
// the mean of X): from the k leading singular triplets (σ_j, u_j, v_j) of X, factor 0 is √σ₀·|u₀|, √σ₀·|v₀|;
// each further factor keeps the larger (by ‖a‖·‖b‖) of the positive parts (u⁺, v⁺) and the negative parts
// (u⁻, v⁻), scaled to √(σ_j·‖a‖·‖b‖); entries below 1e-6 are set to the mean of X.
// Error without forming WH: ‖X − WH‖² = ‖X‖² − 2·tr(Wᵀ·X·Hᵀ) + tr(WᵀW·HHᵀ), all from quantities an
// iteration computes anyway (Q and R of the H step and the new HHᵀ that the next W step needs; for the
// extrapolated candidate, its X·Hᵀ and Gram matrices).
//
// Everything is float64 except X's values (float32, as dequantised from the layer codes); loops run in a
// fixed order over preallocated arrays, so the same input gives the same bits, and no iteration allocates.

import {leadingEigenpairs} from "./eigen.js";

/** Options of nmf(). */
export interface NmfOptions {
  /** Stop when the projected-gradient sum falls to tol × its first value. Default 1e-4 (scikit-learn's). */
  tol?: number;
  /** At most this many iterations. Default 200 (scikit-learn's). */
  maxIterations?: number;
  /** Called after every iteration with its number (from 1) and the relative error ‖X − WH‖_F / ‖X‖_F. */
  onProgress?: (iteration: number, relativeError: number) => void;
  /** Whether to try an extrapolated step after each iteration (see the header). Default true. */
  extrapolate?: boolean;
  /** Checked before every iteration: when aborted, nmf() throws the signal's reason and returns nothing. */
  signal?: AbortSignal;
}

/** A factorisation X ≈ W·H, factors ordered by share, largest first. */
export interface NmfResult {
  cells: number;
  channels: number;
  k: number;
  /** cells × k, cell-major: W[i * k + t] is cell i's weight on factor t, in activation units. */
  W: Float64Array;
  /** k × channels, factor-major: row t is factor t's channel direction, scaled to unit Euclidean norm. */
  H: Float64Array;
  /**
   * Each factor's share of the reconstruction: ‖w_t·h_tᵀ‖²_F / Σ_s ‖w_s·h_sᵀ‖²_F (= ‖w_t‖² / Σ_s ‖w_s‖² as
   * the rows of H have unit norm). Shares sum to 1 (all 0 if X is 0). Factors are sorted by it, largest
   * first; equal shares keep the order the factorisation produced them in.
   */
  shares: Float64Array;
  /** ‖X − WH‖_F / ‖X‖_F (0 if X is all zeros). */
  relativeError: number;
  iterations: number;
  /** Whether the stopping rule was met before maxIterations. */
  converged: boolean;
}

/** Column (or row) numbers of nonzeros: 16-bit when both sides fit (fewer bytes per pass), else 32-bit. */
type Index = Uint16Array | Int32Array;

/** A cells × channels matrix in both compressed sparse row and column form (its zeros are skipped). */
interface Sparse {
  rowStart: Int32Array;
  rowCol: Index;
  rowValue: Float32Array;
  colStart: Int32Array;
  colRow: Index;
  colValue: Float32Array;
  /** ‖X‖²_F */
  squaredNorm: number;
  sum: number;
}

function toSparse(X: Float32Array, n: number, m: number): Sparse {
  let nonzero = 0;
  for (let i = 0; i < X.length; ++i) if (X[i] !== 0) ++nonzero;
  const index = (length: number) => (Math.max(n, m) <= 65536 ? new Uint16Array(length) : new Int32Array(length));
  const rowStart = new Int32Array(n + 1), rowCol = index(nonzero), rowValue = new Float32Array(nonzero);
  const colStart = new Int32Array(m + 1), colRow = index(nonzero), colValue = new Float32Array(nonzero);
  let p = 0, squaredNorm = 0, sum = 0;
  for (let i = 0; i < n; ++i) {
    for (let c = 0, o = i * m; c < m; ++c) {
      const v = X[o + c];
      if (v === 0) continue;
      if (!(v > 0) || v === Infinity) throw new RangeError(`NMF needs finite non-negative values: cell ${i}, channel ${c} is ${v}`);
      rowCol[p] = c;
      rowValue[p++] = v;
      ++colStart[c + 1];
      squaredNorm += v * v;
      sum += v;
    }
    rowStart[i + 1] = p;
  }
  for (let c = 0; c < m; ++c) colStart[c + 1] += colStart[c];
  const fill = colStart.slice(0, m);
  for (let i = 0; i < n; ++i) {
    for (let j = rowStart[i]; j < rowStart[i + 1]; ++j) {
      const q = fill[rowCol[j]]++;
      colRow[q] = i;
      colValue[q] = rowValue[j];
    }
  }
  return {rowStart, rowCol, rowValue, colStart, colRow, colValue, squaredNorm, sum};
}

// Layout: factors are stored index-major with a row stride K = k rounded up to a multiple of 4 (W as
// cells × K, H as channels × K, padding zero), so the products below take four factors per visit of a
// nonzero of X, each in its own accumulator: that is what makes them fast in plain JavaScript.

/**
 * out[i * K + t] = Σ_c M[i, c] · B[c * K + t] for every row i of the sparse M (rows × ·) and t < K.
 * With X's row form and B = H this is X·Hᵀ; with its column form (Xᵀ by rows) and B = W it is (Wᵀ·X)ᵀ.
 */
function timesFactors(start: Int32Array, index: Index, value: Float32Array, B: Float64Array, K: number, rows: number, out: Float64Array): void {
  for (let i = 0; i < rows; ++i) {
    const s = start[i], e = start[i + 1];
    for (let g = 0; g < K; g += 4) {
      // Two nonzeros per step, each into its own four sums (eight independent additions per step).
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
      let j = s;
      for (; j + 1 < e; j += 2) {
        const v = value[j], p = index[j] * K + g, w = value[j + 1], q = index[j + 1] * K + g;
        a0 += v * B[p];
        a1 += v * B[p + 1];
        a2 += v * B[p + 2];
        a3 += v * B[p + 3];
        b0 += w * B[q];
        b1 += w * B[q + 1];
        b2 += w * B[q + 2];
        b3 += w * B[q + 3];
      }
      if (j < e) {
        const v = value[j], p = index[j] * K + g;
        a0 += v * B[p];
        a1 += v * B[p + 1];
        a2 += v * B[p + 2];
        a3 += v * B[p + 3];
      }
      const o = i * K + g;
      out[o] = a0 + b0;
      out[o + 1] = a1 + b1;
      out[o + 2] = a2 + b2;
      out[o + 3] = a3 + b3;
    }
  }
}

/** out[i] = Σ_c M[i, c] · x[c]: one sparse matrix–vector product (for the initialisation's eigen solver). */
function timesVector(start: Int32Array, index: Index, value: Float32Array, x: Float64Array, rows: number, out: Float64Array): void {
  for (let i = 0; i < rows; ++i) {
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    const e = start[i + 1];
    let j = start[i];
    for (; j + 3 < e; j += 4) {
      a0 += value[j] * x[index[j]];
      a1 += value[j + 1] * x[index[j + 1]];
      a2 += value[j + 2] * x[index[j + 2]];
      a3 += value[j + 3] * x[index[j + 3]];
    }
    for (; j < e; ++j) a0 += value[j] * x[index[j]];
    out[i] = a0 + a1 + (a2 + a3);
  }
}

/** G[t * k + r] = Σ_i F[i * K + t] · F[i * K + r]: the k × k Gram matrix of a factor's columns. */
function gram(F: Float64Array, k: number, K: number, rows: number, G: Float64Array): void {
  for (let t = 0; t < k; ++t) {
    for (let r = t; r < k; ++r) {
      let acc = 0;
      for (let o = 0, end = rows * K; o < end; o += K) acc += F[o + t] * F[o + r];
      G[t * k + r] = G[r * k + t] = acc;
    }
  }
}

/**
 * One HALS sweep over the factor F (rows × K) given P (rows × K: the data times the other factor) and S
 * (k × k: the other factor's Gram matrix). Rows are independent given S and P, so sweeping row by row gives
 * the same numbers as scikit-learn's factor-by-factor order. Adds Σ|projected gradient| to stats[0] and the
 * squared change of F to stats[1].
 */
function sweep(F: Float64Array, P: Float64Array, S: Float64Array, k: number, K: number, rows: number, stats: Float64Array): void {
  let violation = 0, change = 0;
  for (let o = 0, end = rows * K; o < end; o += K) {
    for (let t = 0; t < k; ++t) {
      const d = S[t * k + t];
      let rest = P[o + t];
      for (let r = 0; r < k; ++r) if (r !== t) rest -= S[t * k + r] * F[o + r];
      const old = F[o + t];
      const gradient = d * old - rest;
      violation += Math.abs(old > 0 ? gradient : Math.min(0, gradient));
      if (d > 0) {
        const next = rest > 0 ? rest / d : 0;
        F[o + t] = next;
        change += (next - old) * (next - old);
      }
    }
  }
  stats[0] += violation;
  stats[1] += change;
}

/** Sweeps F until it settles (see the header), returning the first sweep's projected-gradient sum. */
function update(F: Float64Array, P: Float64Array, S: Float64Array, k: number, K: number, rows: number, maxSweeps: number, stats: Float64Array): number {
  stats[0] = stats[1] = 0;
  sweep(F, P, S, k, K, rows, stats);
  const violation = stats[0], first = stats[1];
  for (let s = 1; s < maxSweeps && first > 0; ++s) {
    stats[1] = 0;
    sweep(F, P, S, k, K, rows, stats);
    if (stats[1] <= 0.01 * first) break; // moved by at most a tenth (squared: a hundredth) of the first sweep
  }
  return violation;
}

/** nndsvda starting factors into W (n × K) and H (m × K). */
function nndsvda(X: Sparse, n: number, m: number, k: number, K: number, W: Float64Array, H: Float64Array): void {
  // The leading right singular vectors v_j of X are the leading eigenvectors of XᵀX (m × m), applied as
  // Xᵀ(X·v) in two sparse passes; σ_j² are the eigenvalues. Then u_j = X·v_j / σ_j, which ties u_j's sign
  // to v_j's as the split into positive and negative parts requires.
  const u = new Float64Array(n);
  const {values, vectors} = leadingEigenpairs((v, out) => {
    timesVector(X.rowStart, X.rowCol, X.rowValue, v, n, u);
    timesVector(X.colStart, X.colRow, X.colValue, u, m, out); // the column form of X is Xᵀ by rows
  }, m, k);
  for (let j = 0; j < k; ++j) {
    const sigma = Math.sqrt(values[j]);
    if (!(sigma > 0)) continue; // X's rank is below j + 1: the factor starts at the mean (below)
    const v = vectors.subarray(j * m, (j + 1) * m);
    // A singular pair is only fixed up to a joint sign; make v's largest entry (first, on ties) positive so
    // the tie case below (equal positive and negative parts) is decided the same way every time.
    let big = 0;
    for (let c = 1; c < m; ++c) if (Math.abs(v[c]) > Math.abs(v[big])) big = c;
    const sign = v[big] < 0 ? -1 : 1;
    timesVector(X.rowStart, X.rowCol, X.rowValue, v, n, u);
    for (let i = 0; i < n; ++i) u[i] *= sign / sigma;
    if (j === 0) {
      const s = Math.sqrt(sigma);
      for (let i = 0; i < n; ++i) W[i * K] = s * Math.abs(u[i]);
      for (let c = 0; c < m; ++c) H[c * K] = s * Math.abs(v[c]);
      continue;
    }
    let up = 0, un = 0, vp = 0, vn = 0;
    for (let i = 0; i < n; ++i) u[i] > 0 ? (up += u[i] * u[i]) : (un += u[i] * u[i]);
    for (let c = 0; c < m; ++c) sign * v[c] > 0 ? (vp += v[c] * v[c]) : (vn += v[c] * v[c]);
    const positive = Math.sqrt(up * vp), negative = Math.sqrt(un * vn);
    const keep = positive >= negative ? 1 : -1;
    const [uNorm, vNorm, part] = keep > 0 ? [Math.sqrt(up), Math.sqrt(vp), positive] : [Math.sqrt(un), Math.sqrt(vn), negative];
    if (!(part > 0)) continue;
    const scale = Math.sqrt(sigma * part);
    for (let i = 0; i < n; ++i) W[i * K + j] = (scale / uNorm) * Math.max(0, keep * u[i]);
    for (let c = 0; c < m; ++c) H[c * K + j] = (scale / vNorm) * Math.max(0, keep * sign * v[c]);
  }
  const mean = X.sum / (n * m);
  for (let o = 0; o < n * K; o += K) for (let t = 0; t < k; ++t) if (W[o + t] < 1e-6) W[o + t] = mean;
  for (let o = 0; o < m * K; o += K) for (let t = 0; t < k; ++t) if (H[o + t] < 1e-6) H[o + t] = mean;
}

/**
 * Factorises the non-negative cells × channels matrix X (cell-major float32, e.g. from dequantizeCells)
 * into k factors. Throws a RangeError for a bad shape, negative or non-finite values, or k outside
 * 1…min(cells, channels) (scikit-learn's nndsvda initialisation refuses larger k the same way).
 */
export function nmf(X: Float32Array, cells: number, channels: number, k: number, options: NmfOptions = {}): NmfResult {
  const run = iterate(X, cells, channels, k, options);
  for (;;) {
    const step = run.next();
    if (step.done) return step.value;
  }
}

/** Options of nmfAsync(): those of nmf(), and how often it lets other tasks run. */
export interface NmfAsyncOptions extends NmfOptions {
  /** Let other tasks run (pause()) once at least this many milliseconds of work have passed. Default 30. */
  pauseEveryMs?: number;
  /** How to let other tasks run. Default: a zero-delay timeout. */
  pause?: () => Promise<void>;
}

/**
 * nmf() in slices, giving way to other tasks between iterations, so that a worker can still receive the
 * message that aborts options.signal (a synchronous run would only see it after finishing). The result is
 * bit-identical to nmf()'s; an abort rejects with the signal's reason.
 */
export async function nmfAsync(X: Float32Array, cells: number, channels: number, k: number, options: NmfAsyncOptions = {}): Promise<NmfResult> {
  const {pauseEveryMs = 30, pause = () => new Promise<void>((resolve) => setTimeout(resolve, 0))} = options;
  const run = iterate(X, cells, channels, k, options);
  let since = performance.now();
  for (;;) {
    const step = run.next();
    if (step.done) return step.value;
    if (performance.now() - since >= pauseEveryMs) {
      await pause();
      since = performance.now();
    }
  }
}

/** The factorisation as a generator that stops after every iteration but the last (shared by both drivers). */
function* iterate(X: Float32Array, cells: number, channels: number, k: number, options: NmfOptions): Generator<void, NmfResult, void> {
  const {tol = 1e-4, maxIterations = 200, onProgress, signal, extrapolate = true} = options;
  const n = cells, m = channels;
  if (!(Number.isInteger(n) && Number.isInteger(m) && n > 0 && m > 0) || X.length !== n * m) {
    throw new RangeError(`NMF: ${X.length} values are not ${cells} cells × ${channels} channels`);
  }
  if (!(Number.isInteger(k) && k >= 1 && k <= Math.min(n, m))) {
    throw new RangeError(`NMF: k = ${k} factors, but it must be a whole number from 1 to min(cells, channels) = min(${n}, ${m}) = ${Math.min(n, m)}`);
  }
  if (!(tol >= 0) || !(Number.isInteger(maxIterations) && maxIterations >= 1)) {
    throw new RangeError(`NMF: tol must be ≥ 0 and maxIterations a whole number ≥ 1 (got ${tol} and ${maxIterations})`);
  }
  signal?.throwIfAborted();
  const data = toSparse(X, n, m);
  const K = Math.ceil(k / 4) * 4;
  let W = new Float64Array(n * K), H = new Float64Array(m * K);
  let iterations = 0, relativeError = 0, converged = true;
  if (data.squaredNorm > 0) {
    nndsvda(data, n, m, k, K, W, H);
    let P = new Float64Array(n * K);
    const Q = new Float64Array(m * K);
    const S = new Float64Array(k * k), R = new Float64Array(k * k);
    const stats = new Float64Array(2);
    // At most 1 + ½ · (cost of the product: nonzeros · k) / (cost of a sweep: rows · k²) sweeps per step.
    const nonzero = data.rowValue.length;
    const sweepsW = Math.floor(1 + (0.5 * nonzero) / (n * k)), sweepsH = Math.floor(1 + (0.5 * nonzero) / (m * k));
    // Extrapolation state: the previous iterate, the candidate and its X·Hᵀ and Gram matrices.
    let We = new Float64Array(n * K), He = new Float64Array(m * K), Pe = new Float64Array(n * K);
    const Wprev = new Float64Array(n * K), Hprev = new Float64Array(m * K), Re = new Float64Array(k * k), Se = new Float64Array(k * k);
    let beta = 0.5, productReady = false;
    const errorOf = (Wx: Float64Array, Px: Float64Array, Rx: Float64Array, Sx: Float64Array) => {
      // ‖X − WH‖² / ‖X‖² from P = X·Hᵀ (cells × K, or Q = (WᵀX)ᵀ with the roles swapped), WᵀW and HHᵀ.
      let cross = 0, fit = 0;
      for (let i = 0; i < Px.length; ++i) cross += Px[i] * Wx[i];
      for (let i = 0; i < k * k; ++i) fit += Rx[i] * Sx[i];
      return Math.sqrt(Math.max(0, data.squaredNorm - 2 * cross + fit) / data.squaredNorm);
    };
    gram(H, k, K, m, S);
    let first = 0;
    converged = false;
    while (iterations < maxIterations) {
      signal?.throwIfAborted();
      ++iterations;
      Wprev.set(W);
      Hprev.set(H);
      if (!productReady) timesFactors(data.rowStart, data.rowCol, data.rowValue, H, K, n, P); // P = X·Hᵀ
      let violation = update(W, P, S, k, K, n, sweepsW, stats);
      gram(W, k, K, n, R);
      timesFactors(data.colStart, data.colRow, data.colValue, W, K, m, Q); // Q = (Wᵀ·X)ᵀ
      violation += update(H, Q, R, k, K, m, sweepsH, stats);
      gram(H, k, K, m, S);
      relativeError = errorOf(H, Q, R, S);
      productReady = false;
      if (extrapolate) {
        for (let i = 0; i < W.length; ++i) We[i] = Math.max(0, W[i] + beta * (W[i] - Wprev[i]));
        for (let i = 0; i < H.length; ++i) He[i] = Math.max(0, H[i] + beta * (H[i] - Hprev[i]));
        timesFactors(data.rowStart, data.rowCol, data.rowValue, He, K, n, Pe);
        gram(We, k, K, n, Re);
        gram(He, k, K, m, Se);
        const error = errorOf(We, Pe, Re, Se);
        if (error < relativeError) {
          let swap = W;
          W = We;
          We = swap;
          swap = H;
          H = He;
          He = swap;
          swap = P;
          P = Pe;
          Pe = swap;
          S.set(Se);
          relativeError = error;
          productReady = true; // P = X·Hᵀ of the accepted candidate is what the next W step needs
          beta = Math.min(4, beta * 1.2);
        } else {
          beta = Math.max(0.05, beta / 1.5);
        }
      }
      onProgress?.(iterations, relativeError);
      if (iterations === 1) first = violation;
      if (first === 0 || violation <= tol * first) {
        converged = true;
        break;
      }
      yield;
    }
  }
  return ordered(W, H, n, m, k, K, {cells, channels, k, relativeError, iterations, converged});
}

/** Scales each factor so its H row has unit norm, orders factors by share and lays out W and H for output. */
function ordered(W: Float64Array, H: Float64Array, n: number, m: number, k: number, K: number, rest: Omit<NmfResult, "W" | "H" | "shares">): NmfResult {
  const weight = new Float64Array(k), norm = new Float64Array(k);
  for (let t = 0; t < k; ++t) {
    let hh = 0, ww = 0;
    for (let c = 0; c < m; ++c) hh += H[c * K + t] * H[c * K + t];
    for (let i = 0; i < n; ++i) ww += W[i * K + t] * W[i * K + t];
    // A factor with a zero side contributes nothing and is output as zeros on both sides.
    norm[t] = hh > 0 && ww > 0 ? Math.sqrt(hh) : 0;
    weight[t] = norm[t] > 0 ? ww * hh : 0;
  }
  let total = 0;
  for (let t = 0; t < k; ++t) total += weight[t];
  const order = Array.from({length: k}, (_, t) => t).sort((a, b) => weight[b] - weight[a] || a - b);
  const outW = new Float64Array(n * k), outH = new Float64Array(k * m), shares = new Float64Array(k);
  order.forEach((from, to) => {
    const s = norm[from];
    if (s === 0) return;
    shares[to] = weight[from] / total;
    for (let c = 0; c < m; ++c) outH[to * m + c] = H[c * K + from] / s;
    for (let i = 0; i < n; ++i) outW[i * k + to] = W[i * K + from] * s;
  });
  return {...rest, W: outW, H: outH, shares};
}
