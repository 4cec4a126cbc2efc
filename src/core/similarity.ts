// Similarity of one query cell to every cell of a layer table, from the 8-bit codes (quantize.ts).
//
// cosine(i, j) = step² · Σ_c code_i[c] · code_j[c]        (codes are unit vectors / step)
// dot(i, j)    = ‖v_i‖ · ‖v_j‖ · cosine(i, j)
// euclidean    = −√(‖v_i‖² + ‖v_j‖² − 2 · dot(i, j))      (negated, so larger is more similar)
//
// Two steps: integer code dot products (here in plain TypeScript, or codeDots.ts with WebAssembly SIMD),
// then toSimilarity. After a ReLU most codes are zero (55–72 % measured), so the TypeScript path reduces
// the query to its non-zero channels and reads each row only there. Sums of products of bytes stay below
// 2³¹ for up to 33,000 channels, so they accumulate exactly in int32.
//
// Signed layers (quantize.ts) have signed codes and a factor per cell instead of the table's step:
// cosine(i, j) = scales[i] · scales[j] · Σ_c code_i[c] · code_j[c]; the rest follows as above.

/** Which similarity to compute. */
export type SimilarityKind = "cosine" | "dot" | "euclidean";

/** The arrays a similarity loop needs (a decoded layer table). */
export interface CodeIndex {
  codes: Uint8Array | Int8Array;
  norms: Float32Array;
  step: number;
  channels: number;
  /** Signed codes: each cell's factor (1 / ‖code‖), used instead of `step`. */
  scales?: Float32Array;
}

/** Reusable scratch space for the query's non-zero channels, so the hover path allocates nothing. */
export interface QueryScratch {
  channel: Int32Array;
  value: Int32Array;
  dots: Int32Array;
}

/** Scratch space for queries of up to `channels` channels against `cells` cells. */
export function queryScratch(channels: number, cells = 0): QueryScratch {
  return {channel: new Int32Array(channels), value: new Int32Array(channels), dots: new Int32Array(cells)};
}

/** Integer dot products Σ_c code_query[c] · code_j[c] for every cell j, into `dots`. */
export function codeDots(index: CodeIndex, query: number, dots: Int32Array, scratch: QueryScratch): Int32Array {
  const {codes, norms, channels: C} = index;
  const cells = norms.length;
  if (!(query >= 0 && query < cells)) throw new RangeError(`invalid query cell: ${query} (table has ${cells})`);
  if (dots.length < cells) throw new RangeError(`output holds ${dots.length} values, need ${cells}`);
  const {channel, value} = scratch;
  let nnz = 0;
  for (let c = 0, q = query * C; c < C; ++c) {
    const v = codes[q + c];
    if (v !== 0) (channel[nnz] = c), (value[nnz++] = v);
  }
  for (let j = 0, row = 0; j < cells; ++j, row += C) {
    let acc = 0;
    for (let k = 0; k < nnz; ++k) acc = (acc + value[k] * codes[row + channel[k]]) | 0;
    dots[j] = acc;
  }
  return dots;
}

/** Turns integer code dot products with cell `query` into similarities of the given kind (cells from … to−1). */
export function toSimilarity(dots: Int32Array, index: CodeIndex, query: number, kind: SimilarityKind, out: Float32Array, from = 0, to = index.norms.length): Float32Array {
  const {norms, step} = index;
  const cells = norms.length;
  if (out.length < cells) throw new RangeError(`output holds ${out.length} values, need ${cells}`);
  if (!(from >= 0 && from <= to && to <= cells)) throw new RangeError(`invalid cell range ${from}…${to} of ${cells}`);
  const nq = norms[query];
  const {scales} = index;
  if (scales) {
    // Signed codes: the query's factor times each cell's.
    const fq = scales[query];
    if (kind === "cosine") for (let j = from; j < to; ++j) out[j] = dots[j] * fq * scales[j];
    else if (kind === "dot") for (let j = from; j < to; ++j) out[j] = nq * norms[j] * dots[j] * fq * scales[j];
    else {
      for (let j = from; j < to; ++j) {
        const nj = norms[j];
        out[j] = -Math.sqrt(Math.max(0, nq * nq + nj * nj - 2 * nq * nj * dots[j] * fq * scales[j]));
      }
    }
    return out;
  }
  const s2 = step * step;
  if (kind === "cosine") {
    for (let j = from; j < to; ++j) out[j] = dots[j] * s2;
  } else if (kind === "dot") {
    for (let j = from; j < to; ++j) out[j] = nq * norms[j] * dots[j] * s2;
  } else {
    for (let j = from; j < to; ++j) {
      const nj = norms[j];
      out[j] = -Math.sqrt(Math.max(0, nq * nq + nj * nj - 2 * nq * nj * dots[j] * s2));
    }
  }
  return out;
}

/**
 * Writes the similarity of cell `query` to every cell of `index` into `out` (length ≥ cells), in plain
 * TypeScript. A zero query or zero cell gives cosine 0 (see cosine.ts), dot 0, and euclidean −‖other‖.
 */
export function similarityToAll(index: CodeIndex, query: number, kind: SimilarityKind, out: Float32Array, scratch: QueryScratch): Float32Array {
  const cells = index.norms.length;
  if (scratch.dots.length < cells) scratch.dots = new Int32Array(cells);
  return toSimilarity(codeDots(index, query, scratch.dots, scratch), index, query, kind, out);
}

/** Element-wise maximum of `into` and `values` over indices from … length−1 (several pinned queries combine by max). */
export function maxInto(into: Float32Array, values: Float32Array, length = into.length, from = 0): Float32Array {
  for (let i = from; i < length; ++i) if (values[i] > into[i]) into[i] = values[i];
  return into;
}

/**
 * The natural fixed range of each similarity, given the largest norm: for post-ReLU activations cosine
 * [0, 1], dot [0, max²], distance [−√2·max, 0]; for a signed layer cosine [−1, 1], dot [−max², max²],
 * distance [−2·max, 0].
 */
export function fixedDomain(kind: SimilarityKind, maxNorm: number, signed = false): [number, number] {
  switch (kind) {
    case "cosine":
      return signed ? [-1, 1] : [0, 1];
    case "dot":
      return [signed ? -maxNorm * maxNorm : 0, maxNorm * maxNorm];
    case "euclidean":
      return [-(signed ? 2 : Math.SQRT2) * maxNorm, 0];
  }
}
