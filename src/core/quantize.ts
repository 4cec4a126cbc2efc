// 8-bit codes for cell vectors. Each cell's vector is divided by its norm (so cosine is a plain dot
// product of codes, with no pass over the data to normalise), then every unit vector of the table is
// coded with one shared step: u[c] ≈ code[c] · step, step = (largest unit-vector component) / 255.
// Post-ReLU components are ≥ 0, so the whole unsigned range carries magnitude. The norms are kept in
// float32 beside the codes so dot products and distances can be rebuilt: v ≈ norm · code · step.
//
// Signed layers (a value below zero anywhere: residual sums, convolutions before their activation, hardswish,
// GELU, transformer blocks) get signed 8-bit codes instead, chosen by measurement (bench/encoding.ts): each
// cell's unit vector is scaled so that its largest |component| is 127, code = round(127 · u / max|u|), and
// the unit vector is read back as code / ‖code‖. So a signed table needs no step and no extra column: the
// per-cell factor 1 / ‖code‖ (`scales`) is computed from the codes when they are read. A table-wide step, as
// for unsigned codes, erred up to 0.0126 in cosine on MobileNetV2's block_2_add (24 channels); per cell, 0.0066.

/** Largest signed code: the largest |component| of each cell's unit vector. */
export const SIGNED_MAX = 127;

/** Cell vectors as 8-bit codes. */
export interface QuantizedCells {
  /** cells × channels codes, cell-major: unsigned (Uint8Array) for non-negative layers, signed (Int8Array) else. */
  codes: Uint8Array | Int8Array;
  /** Signed codes only: each cell's unit vector is code · scales[i] (1 / ‖code‖, 0 for a zero vector). */
  scales?: Float32Array;
  /** Euclidean norm of each cell's original float vector. */
  norms: Float32Array;
  /** Value of one code step in unit-vector units. */
  step: number;
  channels: number;
}

/**
 * Quantises cell-major float vectors (cells × channels): unsigned codes with one step when no value is below
 * zero (the files of non-negative layers), else signed codes (signedCells). NaN is refused.
 */
export function quantizeCells(values: Float32Array, channels: number): QuantizedCells {
  if (!(channels > 0) || values.length % channels !== 0) throw new RangeError(`${values.length} values do not split into vectors of ${channels}`);
  const cells = values.length / channels;
  const norms = new Float32Array(cells);
  let largest = 0;
  for (let i = 0; i < cells; ++i) {
    let s = 0, max = 0, negative = false;
    // No throw inside the loop: it keeps the loop fast (the offending value is found again for the message).
    for (let c = i * channels, end = c + channels; c < end; ++c) {
      const v = values[c];
      negative ||= !(v >= 0);
      s += v * v;
      if (v > max) max = v;
    }
    if (negative) return signedCells(values, channels);
    const n = Math.sqrt(s);
    norms[i] = n;
    if (n > 0 && max / n > largest) largest = max / n;
  }
  const step = largest > 0 ? largest / 255 : 1 / 255;
  return {codes: encodeUnit(values, channels, norms, step), norms, step, channels};
}

/**
 * Quantises cell-major float vectors with a given step: how images added later (live uploads) join a table
 * whose step was fixed when it was built, so their codes and the table's multiply together. A component
 * larger than 255 steps is clipped to 255 (its vector's cosines then err slightly low).
 */
export function quantizeCellsWithStep(values: Float32Array, channels: number, step: number, signed = false): QuantizedCells & {clipped: number} {
  if (signed) return {...signedCells(values, channels), clipped: 0}; // each cell has its own scale: nothing to fit
  if (!(channels > 0) || values.length % channels !== 0) throw new RangeError(`${values.length} values do not split into vectors of ${channels}`);
  if (!(step > 0)) throw new RangeError(`invalid step: ${step}`);
  const cells = values.length / channels;
  const norms = new Float32Array(cells);
  let clipped = 0;
  for (let i = 0; i < cells; ++i) {
    let s = 0;
    for (let c = i * channels, end = c + channels; c < end; ++c) {
      const v = values[c];
      if (!(v >= 0)) throw new RangeError(`cell ${i} has value ${v}: 8-bit codes need non-negative activations (after a ReLU)`);
      s += v * v;
    }
    norms[i] = Math.sqrt(s);
  }
  const codes = encodeUnit(values, channels, norms, step);
  for (let i = 0; i < cells; ++i) {
    const n = norms[i];
    if (n === 0) continue;
    for (let c = i * channels, end = c + channels; c < end; ++c) if (values[c] / n > 255.5 * step) ++clipped;
  }
  return {codes, norms, step, channels, clipped};
}

/** Signed codes of cell-major float vectors: code = round(127 · v / max|v|) per cell (see the top of this file). */
export function signedCells(values: Float32Array, channels: number): QuantizedCells & {scales: Float32Array} {
  if (!(channels > 0) || values.length % channels !== 0) throw new RangeError(`${values.length} values do not split into vectors of ${channels}`);
  const cells = values.length / channels;
  const norms = new Float32Array(cells);
  const codes = new Int8Array(values.length);
  for (let i = 0; i < cells; ++i) {
    let s = 0, max = 0, nan = false;
    for (let c = i * channels, end = c + channels; c < end; ++c) {
      const v = values[c];
      nan ||= v !== v;
      s += v * v;
      const a = v < 0 ? -v : v;
      if (a > max) max = a;
    }
    if (nan || !Number.isFinite(s)) throw new RangeError(`cell ${i} has value ${values.subarray(i * channels, (i + 1) * channels).find((x) => !Number.isFinite(x))}: activations must be finite numbers`);
    norms[i] = Math.sqrt(s);
    if (max === 0) continue;
    const k = SIGNED_MAX / max;
    for (let c = i * channels, end = c + channels; c < end; ++c) codes[c] = Math.round(values[c] * k);
  }
  return {codes, norms, step: 1 / SIGNED_MAX, channels, scales: codeScales(codes, channels)};
}

/** 1 / ‖code‖ of each cell of signed codes (0 for a zero vector): the factor that makes code a unit vector. */
export function codeScales(codes: Int8Array, channels: number): Float32Array {
  const cells = codes.length / channels;
  const scales = new Float32Array(cells);
  for (let i = 0; i < cells; ++i) {
    let s = 0;
    for (let c = i * channels, end = c + channels; c < end; ++c) s += codes[c] * codes[c];
    scales[i] = s > 0 ? 1 / Math.sqrt(s) : 0;
  }
  return scales;
}

/** The factor that turns cell i's codes into its unit vector: the table's step, or the cell's own scale. */
export function unitFactor(q: Pick<QuantizedCells, "step" | "scales">, i: number): number {
  return q.scales ? q.scales[i] : q.step;
}

/** code = round(v / (‖v‖ · step)), clipped to 255; zero vectors give zero codes. */
function encodeUnit(values: Float32Array, channels: number, norms: Float32Array, step: number): Uint8Array {
  const codes = new Uint8Array(values.length);
  for (let i = 0; i < norms.length; ++i) {
    const n = norms[i];
    if (n === 0) continue; // zero vector: all codes 0
    const k = 1 / (n * step);
    for (let c = i * channels, end = c + channels; c < end; ++c) codes[c] = Math.min(255, Math.round(values[c] * k));
  }
  return codes;
}

/** Cosine of cells i and j from their codes: f_i · f_j · Σ code_i · code_j (f: unitFactor; 0 for zero vectors). */
export function codeCosine(q: QuantizedCells, i: number, j: number): number {
  const {codes, channels} = q;
  let dot = 0;
  for (let a = i * channels, b = j * channels, end = a + channels; a < end; ++a, ++b) dot += codes[a] * codes[b];
  return dot * unitFactor(q, i) * unitFactor(q, j);
}

/** Rebuilds cell i's float vector: norm · code · step (or the cell's scale, for signed codes). */
export function decodeCell(q: QuantizedCells, i: number, out = new Float32Array(q.channels)): Float32Array {
  const k = q.norms[i] * unitFactor(q, i);
  for (let c = 0; c < q.channels; ++c) out[c] = q.codes[i * q.channels + c] * k;
  return out;
}

/**
 * Rebuilds every cell's float vector at once (cells × channels, cell-major, float32): norm · step · code, the
 * matrix that matrix factors (nmf.ts) are fitted to. A layer table's LayerData gives the same fields as
 * {codes, norms, step: info.step, channels: info.channels}.
 */
export function dequantizeCells(q: QuantizedCells, out = new Float32Array(q.codes.length)): Float32Array {
  if (out.length !== q.codes.length) throw new RangeError(`output holds ${out.length} values, the codes ${q.codes.length}`);
  if (q.codes.length !== q.norms.length * q.channels) throw new RangeError(`${q.codes.length} codes are not ${q.norms.length} cells × ${q.channels} channels`);
  for (let i = 0; i < q.norms.length; ++i) decodeCell(q, i, out.subarray(i * q.channels, (i + 1) * q.channels));
  return out;
}
