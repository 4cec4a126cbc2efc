// Splits the concatenated weight bytes of a tfjs model into named tensors, keeping quantised tensors
// quantised (value = q × scale + min, per tensor), and dequantises on request.
import type {WeightSpec} from "./kerasJson.js";

export type WeightTensor =
  | {name: string; shape: number[]; kind: "quantized"; q: Uint8Array | Uint16Array; scale: number; min: number}
  | {name: string; shape: number[]; kind: "float32"; values: Float32Array};

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Cuts `data` into the tensors listed by `specs` (in order); fails if the byte count does not match. */
export function splitWeights(specs: WeightSpec[], data: Uint8Array): Map<string, WeightTensor> {
  const tensors = new Map<string, WeightTensor>();
  let offset = 0;
  for (const spec of specs) {
    const n = size(spec.shape);
    const q = spec.quantization;
    let tensor: WeightTensor;
    if (q) {
      const bytes = q.dtype === "uint8" ? n : 2 * n;
      const slice = data.slice(offset, offset + bytes);
      const values = q.dtype === "uint8" ? slice : new Uint16Array(slice.buffer, 0, n);
      tensor = {name: spec.name, shape: spec.shape, kind: "quantized", q: values, scale: q.scale, min: q.min};
      offset += bytes;
    } else {
      const slice = data.slice(offset, offset + 4 * n);
      tensor = {name: spec.name, shape: spec.shape, kind: "float32", values: new Float32Array(slice.buffer, 0, n)};
      offset += 4 * n;
    }
    if (offset > data.length) throw new Error(`weight data too short: ${data.length} bytes, "${spec.name}" ends at ${offset}`);
    tensors.set(spec.name, tensor);
  }
  if (offset !== data.length) throw new Error(`weight data has ${data.length} bytes, the manifest describes ${offset}`);
  return tensors;
}

/** The tensor's values in float64, computed as tfjs does (q × scale + min, then rounded to float32). */
export function dequantize(t: WeightTensor): Float64Array {
  if (t.kind === "float32") return Float64Array.from(t.values);
  const out = new Float64Array(t.q.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.fround(t.q[i] * t.scale + t.min);
  return out;
}

/** Looks up the weights of one layer by Keras name ("<layer>/<param>"). */
export class WeightStore {
  constructor(private readonly tensors: Map<string, WeightTensor>) {}

  get(layer: string, param: string, shape?: number[]): WeightTensor {
    const t = this.tensors.get(`${layer}/${param}`);
    if (!t) throw new Error(`layer "${layer}": missing weight ${layer}/${param}`);
    if (shape && (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))) {
      throw new Error(`layer "${layer}": weight ${t.name} has shape [${t.shape}], expected [${shape}]`);
    }
    return t;
  }

  has(layer: string, param: string): boolean {
    return this.tensors.has(`${layer}/${param}`);
  }

  /** True when some weight belongs to `layer`. */
  owns(layer: string): boolean {
    for (const name of this.tensors.keys()) if (name.startsWith(`${layer}/`)) return true;
    return false;
  }
}
