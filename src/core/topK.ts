// The k largest values of an array, as indices in descending order of value (ties: lower index first).

/** Fills `out` with the indices of the `out.length` largest of values[0..length); returns how many were found. */
export function topK(values: Float32Array, out: Int32Array, length = values.length): number {
  const k = Math.min(out.length, length);
  if (k === 0) return 0;
  // Keep the best k in `out`, sorted descending, by insertion: k is small (tens), the scan is linear.
  let n = 0;
  for (let i = 0; i < length; ++i) {
    const v = values[i];
    if (!(v === v)) continue; // skip NaN
    if (n === k && !(v > values[out[k - 1]])) continue;
    let p = n < k ? n++ : k - 1;
    while (p > 0 && values[out[p - 1]] < v) {
      out[p] = out[p - 1];
      --p;
    }
    out[p] = i;
  }
  return n;
}
