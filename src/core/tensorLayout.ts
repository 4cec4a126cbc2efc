// Which axis of each 4-D tensor holds batch, channels, height and width, followed from the image
// input through the graph. ONNX's spatial operators are NCHW, so models with NHWC inputs (TensorFlow
// exports) transpose to NCHW inside, often for the whole body of the network: a tensor's layout is
// therefore tracked per tensor, not assumed from the input. No DOM, no Node APIs.
import {attrInt, attrInts} from "./onnxNodes.js";
import type {Layout, Node} from "./onnxGraph.js";

/** Logical axes. */
export const N = 0, C = 1, H = 2, W = 3;

/** For each physical axis of a 4-D tensor, the logical axis (N, C, H or W) it holds. */
export type Perm = readonly [number, number, number, number];

export interface TensorLayout {
  perm: Perm;
  /** False when the layout was only inherited across an operator that can change the rank or the
   * meaning of axes (Reshape, Flatten, …): then `perm` is the last known 4-D layout, a guess. */
  known: boolean;
}

export const NCHW: Perm = [N, C, H, W];
export const NHWC: Perm = [N, H, W, C];

export function permOf(layout: Layout): Perm {
  return layout === "NCHW" ? NCHW : NHWC;
}

/** "NCHW", "NHWC", or null for any other arrangement. */
export function layoutOf(perm: Perm): Layout | null {
  const s = perm.join("");
  return s === NCHW.join("") ? "NCHW" : s === NHWC.join("") ? "NHWC" : null;
}

/** Operators after which axes can no longer be followed. */
const SCRAMBLING = new Set([
  "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Gemm", "MatMul", "MatMulInteger", "Einsum", "Gather",
  "GatherND", "GatherElements", "Shape", "Size", "NonZero", "TopK", "ArgMax", "ArgMin", "Compress",
]);
const REDUCE = /^Reduce/;

/** Physical axis → logical axis for the output of one node, given the layout of its first input. */
function outputLayout(node: Node, src: TensorLayout): TensorLayout {
  if (node.opType === "Transpose") {
    const p = attrInts(node, "perm") ?? [3, 2, 1, 0];
    if (p.length !== 4) return {perm: src.perm, known: false};
    return {perm: p.map((a) => src.perm[a]!) as unknown as Perm, known: src.known};
  }
  if (SCRAMBLING.has(node.opType)) return {perm: src.perm, known: false};
  if (REDUCE.test(node.opType) && attrInt(node, "keepdims", 1) === 0) return {perm: src.perm, known: false};
  return src;
}

/**
 * The layout of every tensor computed from the input, in topological `order`. Tensors that do not
 * depend on the input (weights, shapes) get no entry.
 */
export function tensorLayouts(order: readonly Node[], inputName: string, inputLayout: Layout): Map<string, TensorLayout> {
  const layouts = new Map<string, TensorLayout>([[inputName, {perm: permOf(inputLayout), known: true}]]);
  for (const node of order) {
    const src = node.input.map((i) => layouts.get(i)).find((l) => l !== undefined);
    if (!src) continue;
    const out = outputLayout(node, src);
    for (const o of node.output) if (o) layouts.set(o, out);
  }
  return layouts;
}
