// Small, deterministic symmetric eigen solvers for the NMF initialisation (nmf.ts needs the k leading
// singular vectors of the cells × channels matrix X, i.e. the k leading eigenvectors of XᵀX).
//
// - jacobiEigen: every eigenpair of a small dense symmetric matrix by cyclic Jacobi rotations (Golub & Van
//   Loan, "Matrix Computations", §8.5): each rotation zeroes one off-diagonal pair; sweeps repeat until the
//   off-diagonal mass is negligible.
// - leadingEigenpairs: the few largest eigenpairs of a large symmetric positive semi-definite operator given
//   only as a product v ↦ A·v, by Lanczos with full reorthogonalisation from a fixed start vector, and
//   Rayleigh–Ritz on the tridiagonal matrix (eigenpairs of that by jacobiEigen). XᵀX is never formed: one
//   product costs two sparse passes over X.
// Both use a fixed order of operations and no randomness, so the same input gives the same bits.

/** Eigenvalues (descending) and unit eigenvectors (vectors[j * n + i] is entry i of eigenvector j). */
export interface Eigenpairs {
  values: Float64Array;
  vectors: Float64Array;
}

/**
 * All eigenpairs of the symmetric n × n matrix a (row-major; only read, not changed), largest first.
 * Equal eigenvalues keep the order of their diagonal positions, so the result is fully determined.
 */
export function jacobiEigen(a: Float64Array, n: number): Eigenpairs {
  if (a.length !== n * n) throw new RangeError(`a ${n} × ${n} matrix needs ${n * n} values, got ${a.length}`);
  const A = Float64Array.from(a);
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; ++i) V[i * n + i] = 1;
  let total = 0;
  for (let i = 0; i < n * n; ++i) total += A[i] * A[i];
  for (let sweep = 0; sweep < 60; ++sweep) {
    let off = 0;
    for (let p = 0; p < n; ++p) for (let q = p + 1; q < n; ++q) off += A[p * n + q] * A[p * n + q];
    if (off <= 1e-30 * total || off === 0) break;
    for (let p = 0; p < n - 1; ++p) {
      for (let q = p + 1; q < n; ++q) {
        const apq = A[p * n + q];
        if (apq === 0) continue;
        // The rotation angle that zeroes A[p][q]: tan φ is the smaller root of t² + 2θt − 1 = 0.
        const theta = (A[q * n + q] - A[p * n + p]) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let r = 0; r < n; ++r) {
          // Columns p and q of A, then rows p and q (A stays symmetric), then columns of V.
          const arp = A[r * n + p], arq = A[r * n + q];
          A[r * n + p] = c * arp - s * arq;
          A[r * n + q] = s * arp + c * arq;
        }
        for (let r = 0; r < n; ++r) {
          const apr = A[p * n + r], aqr = A[q * n + r];
          A[p * n + r] = c * apr - s * aqr;
          A[q * n + r] = s * apr + c * aqr;
        }
        A[p * n + q] = A[q * n + p] = 0;
        for (let r = 0; r < n; ++r) {
          const vp = V[p * n + r], vq = V[q * n + r];
          V[p * n + r] = c * vp - s * vq;
          V[q * n + r] = s * vp + c * vq;
        }
      }
    }
  }
  const order = Array.from({length: n}, (_, i) => i).sort((i, j) => A[j * n + j] - A[i * n + i] || i - j);
  const values = new Float64Array(n), vectors = new Float64Array(n * n);
  order.forEach((from, to) => {
    values[to] = A[from * n + from];
    vectors.set(V.subarray(from * n, from * n + n), to * n);
  });
  return {values, vectors};
}

/** Options of leadingEigenpairs. */
export interface LanczosOptions {
  /** Stop when every wanted Ritz pair has residual ‖A·y − θ·y‖ ≤ tolerance · θ₁. Default 1e-4. */
  tolerance?: number;
  /** At most this many Lanczos vectors (capped at the dimension). Default 160. */
  maxSteps?: number;
}

/**
 * The count largest eigenpairs of a symmetric positive semi-definite dim × dim operator, given as
 * apply(v, out) writing A·v into out. When the operator's rank is below count (the Krylov space closes
 * early), the missing pairs are returned with eigenvalue 0 and a zero vector.
 */
export function leadingEigenpairs(
  apply: (v: Float64Array, out: Float64Array) => void,
  dim: number,
  count: number,
  {tolerance = 1e-4, maxSteps = 160}: LanczosOptions = {}
): Eigenpairs {
  if (!(count >= 1 && count <= dim)) throw new RangeError(`cannot take ${count} eigenpairs of a ${dim}-dimensional operator`);
  const cap = Math.min(dim, Math.max(maxSteps, 2 * count + 8));
  const Q = new Float64Array(cap * dim); // Lanczos vectors, one per row
  const alpha = new Float64Array(cap), beta = new Float64Array(cap);
  const w = new Float64Array(dim);
  // Fixed start: positive pseudo-random entries (a Park–Miller sequence), so it leans towards the leading
  // eigenvector of a non-negative matrix and is orthogonal to none of the others by construction.
  let seed = 12345, norm = 0;
  for (let i = 0; i < dim; ++i) {
    seed = (seed * 16807) % 2147483647;
    Q[i] = 0.5 + seed / 2147483647;
    norm += Q[i] * Q[i];
  }
  for (let i = 0; i < dim; ++i) Q[i] /= Math.sqrt(norm);
  let steps = 0, scale = 0;
  let ritz: Eigenpairs | null = null;
  for (let j = 0; j < cap; ++j) {
    const q = Q.subarray(j * dim, (j + 1) * dim);
    apply(q, w);
    let a = 0;
    for (let i = 0; i < dim; ++i) a += q[i] * w[i];
    alpha[j] = a;
    steps = j + 1;
    // Full reorthogonalisation against every earlier vector, twice (classical Gram–Schmidt run twice is
    // as good as modified Gram–Schmidt in floating point and keeps the loop order fixed).
    for (let pass = 0; pass < 2; ++pass) {
      for (let r = 0; r <= j; ++r) {
        const qr = Q.subarray(r * dim, (r + 1) * dim);
        let d = 0;
        for (let i = 0; i < dim; ++i) d += qr[i] * w[i];
        for (let i = 0; i < dim; ++i) w[i] -= d * qr[i];
      }
    }
    let b = 0;
    for (let i = 0; i < dim; ++i) b += w[i] * w[i];
    b = Math.sqrt(b);
    beta[j] = b;
    scale = Math.max(scale, Math.abs(a) + b);
    const closed = b <= 1e-12 * scale || j + 1 === cap;
    if (closed || j + 1 >= count) {
      ritz = jacobiEigen(tridiagonal(alpha, beta, steps), steps);
      if (closed) break;
      // Residual of Ritz pair t: β_j · |last entry of its eigenvector of T|.
      let done = true;
      for (let t = 0; t < count && done; ++t) done = b * Math.abs(ritz.vectors[t * steps + steps - 1]) <= tolerance * ritz.values[0];
      if (done) break;
    }
    const next = Q.subarray((j + 1) * dim, (j + 2) * dim);
    for (let i = 0; i < dim; ++i) next[i] = w[i] / b;
  }
  const values = new Float64Array(count), vectors = new Float64Array(count * dim);
  const found = Math.min(count, steps);
  for (let t = 0; t < found; ++t) {
    const value = ritz!.values[t];
    if (!(value > 1e-12 * scale)) continue; // the operator's rank is below t + 1
    values[t] = value;
    const y = vectors.subarray(t * dim, (t + 1) * dim);
    for (let r = 0; r < steps; ++r) {
      const s = ritz!.vectors[t * steps + r];
      for (let i = 0; i < dim; ++i) y[i] += s * Q[r * dim + i];
    }
  }
  return {values, vectors};
}

/** The steps × steps tridiagonal matrix of a Lanczos run, dense. */
function tridiagonal(alpha: Float64Array, beta: Float64Array, steps: number): Float64Array {
  const T = new Float64Array(steps * steps);
  for (let i = 0; i < steps; ++i) {
    T[i * steps + i] = alpha[i];
    if (i + 1 < steps) T[i * steps + i + 1] = T[(i + 1) * steps + i] = beta[i];
  }
  return T;
}
