// Cosine similarity of two activation vectors: a·b / (‖a‖‖b‖).
//
// After a ReLU a cell can be all zeros. Such a vector points nowhere, so its similarity to anything,
// itself included, is defined as 0 (not NaN): an overlay then shows it as dissimilar, never as a hole.

/** Cosine similarity of a and b, accumulated in float64; 0 when either vector is all zeros. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`vector lengths differ: ${a.length} and ${b.length}`);
  let dot = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; ++i) {
    dot += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return aa === 0 || bb === 0 ? 0 : dot / Math.sqrt(aa * bb);
}

/** Euclidean norm of `length` values of `data` starting at `offset`, accumulated in float64. */
export function norm(data: ArrayLike<number>, offset = 0, length = data.length - offset): number {
  let s = 0;
  for (let i = offset; i < offset + length; ++i) s += data[i] * data[i];
  return Math.sqrt(s);
}
