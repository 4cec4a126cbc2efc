// Receptive-field bookkeeping shared by receptiveField.ts: the per-tensor state, the union of several
// inputs' windows, and which operators leave the spatial geometry unchanged. No DOM, no Node APIs.
import type {Graph, Node} from "./onnxGraph.js";
import {attrInt, attrInts, constantInts} from "./onnxNodes.js";
import {C, H, N, W, type Perm} from "./tensorLayout.js";

/** One axis of a receptive field, in input pixels (see receptiveField.ts). */
export interface Axis {
  stride: number;
  receptiveField: number;
  offset: number;
}

export interface AxisState extends Axis {
  /** Extent of the tensor along this axis, when the input size is known. */
  size: number | null;
}

/** "local": a grid of cells with a field per axis; "global": spatially collapsed (global pooling). */
export type State = {kind: "local"; y: AxisState; x: AxisState} | {kind: "global"};

/** Operators that compute each output cell from the same cell of their inputs. */
const PASS = new Set(
  (
    "Relu LeakyRelu PRelu Elu Selu Celu Gelu Sigmoid HardSigmoid HardSwish Tanh Softplus Softsign Mish " +
    "ThresholdedRelu Clip Abs Neg Exp Log Sqrt Reciprocal Pow Erf Floor Ceil Round Sign Sin Cos Shrink " +
    "Add Sub Mul Div Max Min Sum Mean Where Equal Less Greater LessOrEqual GreaterOrEqual And Or Xor Not " +
    "Cast CastLike Identity Dropout BatchNormalization InstanceNormalization MeanVarianceNormalization LRN " +
    "QuantizeLinear DequantizeLinear QLinearAdd QLinearMul Transpose"
  ).split(" "),
);

/** Union of the windows of the local inputs (equal strides needed); null when they disagree. */
export function combine(states: State[]): State | null {
  const locals = states.filter((s): s is State & {kind: "local"} => s.kind === "local");
  if (locals.length === 0) return {kind: "global"};
  const union = (axes: AxisState[]): AxisState | null => {
    const stride = axes[0]!.stride;
    if (axes.some((a) => Math.abs(a.stride - stride) > 1e-9)) return null;
    const lo = Math.min(...axes.map((a) => a.offset - (a.receptiveField - 1) / 2));
    const hi = Math.max(...axes.map((a) => a.offset + (a.receptiveField - 1) / 2));
    const sizes = axes.map((a) => a.size).filter((s): s is number => s !== null);
    return {stride, receptiveField: hi - lo + 1, offset: (lo + hi) / 2, size: sizes.length ? Math.max(...sizes) : null};
  };
  const y = union(locals.map((s) => s.y));
  const x = union(locals.map((s) => s.x));
  return y && x ? {kind: "local", y, x} : null;
}

/** Logical axes for physical axes (negative ones count from the end of a 4-D tensor). */
function logical(perm: Perm, axes: number[]): number[] {
  return axes.map((a) => perm[a < 0 ? a + 4 : a] ?? -1);
}

const onChannels = (axes: number[]): boolean => axes.every((a) => a === C || a === N);

/** What a node other than Conv, pooling and Pad does to the geometry of its first local input. */
export function passesThrough(node: Node, perm: Perm, opset: number, graph: Graph): "pass" | "global" | "stop" {
  const op = node.opType;
  const verdict = (ok: boolean): "pass" | "stop" => (ok ? "pass" : "stop");
  if (op === "Transpose") return verdict((attrInts(node, "perm") ?? [3, 2, 1, 0]).length === 4);
  if (PASS.has(op)) return "pass";
  if (op === "Concat" || op === "Split") return verdict(onChannels(logical(perm, [attrInt(node, "axis", 0)])));
  if (op === "Softmax" || op === "LogSoftmax" || op === "Hardmax") return verdict(opset >= 13 && onChannels(logical(perm, [attrInt(node, "axis", -1)])));
  if (op === "LayerNormalization") {
    const from = attrInt(node, "axis", -1);
    return verdict(onChannels(logical(perm, [0, 1, 2, 3].filter((a) => a >= (from < 0 ? from + 4 : from)))));
  }
  if (op === "Slice") {
    const axes = opset >= 10 ? (node.input[3] ? constantInts(graph, node.input[3]) : null) : attrInts(node, "axes");
    return verdict(axes !== null && onChannels(logical(perm, axes)));
  }
  if (op === "GlobalAveragePool" || op === "GlobalMaxPool" || op === "GlobalLpPool") return "global";
  if (op.startsWith("Reduce")) {
    const fromInput = node.input[1] ? constantInts(graph, node.input[1]) : null;
    const axes = attrInts(node, "axes") ?? fromInput;
    if (node.input[1] && !fromInput) return "stop";
    if (!axes || axes.length === 0) return attrInt(node, "noop_with_empty_axes", 0) === 1 ? "pass" : "global";
    const l = logical(perm, axes);
    if (l.includes(H) && l.includes(W)) return "global";
    return verdict(onChannels(l) && attrInt(node, "keepdims", 1) === 1);
  }
  return "stop";
}
