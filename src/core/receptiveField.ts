// Stride, receptive field and offset of every tensor of a CNN, in input pixels, from the ONNX graph.
// No DOM, no Node APIs.
//
// Per axis, a tensor has stride J (input pixels between neighbouring cells), receptive field R (side of
// the input window a cell sees, before clipping at the border) and offset O (input-pixel coordinate of
// the centre of cell 0's window; pixel centres are at integer coordinates, so O may be fractional or
// negative). The input has J = 1, R = 1, O = 0. A layer with kernel k, stride s, dilation d and begin
// pad p gives J' = J·s, R' = R + d(k−1)·J, O' = O + (d(k−1)/2 − p)·J.
//
// Height and width are followed separately (y and x); a ReceptiveField also carries one value of each
// kind for square fields, see below. auto_pad SAME_UPPER/SAME_LOWER pads depend on the input size: they
// are computed for `options.inputSize`, else for the model's fixed input size, else assuming every
// strided layer gets a size divisible by its stride (e.g. 224, not 299, for two stride-2 layers).
//
// Known operators: Conv, ConvInteger, QLinearConv, MaxPool, AveragePool, LpPool, Pad, Concat and Split
// (on channels), Transpose, and elementwise/activation/normalization operators, which pass fields
// through. Nodes with several inputs take the union of their inputs' windows (the larger receptive field
// when the centres agree) and need equal strides; constant inputs are ignored. Global pooling and
// reductions over height and width make a tensor "global" (no entry); where such a tensor is broadcast
// back onto a local one (squeeze-and-excitation: Mul), it is ignored like a constant, so the field
// describes the local window only. Any other operator (Resize, ConvTranspose, Reshape, …) stops the
// propagation: its output and everything computed from it get no entry.
import {describeImageInput, graphOf, toNumber, type IModelProto, type Node} from "./onnxGraph.js";
import {attrInt, attrInts, attrString, constantDims, constantInts, dynamicTensors, topoOrder} from "./onnxNodes.js";
import {H, W, tensorLayouts, type Perm} from "./tensorLayout.js";
import {combine, passesThrough, type Axis, type AxisState, type State} from "./fieldAlgebra.js";

export type {Axis as AxisField} from "./fieldAlgebra.js";

export interface ReceptiveField {
  /** Those of the axis with the larger receptive field (y on a tie); equal to both when `square`. */
  stride: number;
  receptiveField: number;
  offset: number;
  /** Vertical (height) axis. */
  y: Axis;
  /** Horizontal (width) axis. */
  x: Axis;
  /** True when y and x agree. */
  square: boolean;
}

export interface ReceptiveFieldOptions {
  /** Input size used for auto_pad SAME; default the model's fixed input size. */
  inputSize?: {height: number; width: number};
}

const CONV_LIKE: Record<string, number> = {Conv: 1, ConvInteger: 1, QLinearConv: 3, MaxPool: -1, AveragePool: -1, LpPool: -1};

/** Applies a Conv-like node (kernel, stride, dilation, pads) to one axis. */
function window(a: AxisState, k: number, s: number, d: number, autoPad: string, pads: [number, number], ceil: boolean) {
  const span = d * (k - 1);
  let [begin, end] = pads;
  if (autoPad === "VALID") [begin, end] = [0, 0];
  else if (autoPad === "SAME_UPPER" || autoPad === "SAME_LOWER") {
    const n = a.size ?? s; // unknown size: assume divisible by the stride
    const total = Math.max((Math.ceil(n / s) - 1) * s + span + 1 - n, 0);
    begin = autoPad === "SAME_UPPER" ? Math.floor(total / 2) : Math.ceil(total / 2);
    end = total - begin;
  }
  const round = ceil ? Math.ceil : Math.floor;
  const size = a.size === null ? null : autoPad.startsWith("SAME") ? Math.ceil(a.size / s) : round((a.size + begin + end - span - 1) / s) + 1;
  return {stride: a.stride * s, receptiveField: a.receptiveField + span * a.stride, offset: a.offset + (span / 2 - begin) * a.stride, size};
}

function spatialNode(node: Node, state: State & {kind: "local"}, perm: Perm, kernel: number[]): State | null {
  if (kernel.length !== 2) return null;
  const axes = [perm[2], perm[3]];
  if (!axes.includes(H) || !axes.includes(W)) return null;
  const strides = attrInts(node, "strides") ?? [1, 1];
  const dilations = attrInts(node, "dilations") ?? [1, 1];
  const pads = attrInts(node, "pads") ?? [0, 0, 0, 0];
  const autoPad = attrString(node, "auto_pad", "NOTSET");
  const ceil = attrInt(node, "ceil_mode", 0) === 1;
  const out = {...state};
  axes.forEach((axis, j) => {
    const key = axis === H ? "y" : "x";
    out[key] = window(state[key], kernel[j]!, strides[j] ?? 1, dilations[j] ?? 1, autoPad, [pads[j] ?? 0, pads[j + 2] ?? 0], ceil);
  });
  return out;
}

function padNode(node: Node, state: State & {kind: "local"}, perm: Perm, opset: number, graph: ReturnType<typeof graphOf>): State | null {
  // Pad-11+ reads pads from an input; Pad-2 from the attribute "pads", Pad-1 from "paddings".
  const pads = opset >= 11 ? constantInts(graph, node.input[1] ?? "") : (attrInts(node, "pads") ?? attrInts(node, "paddings"));
  if (!pads) return null;
  const axes = node.input[3] ? constantInts(graph, node.input[3]) : [0, 1, 2, 3];
  if (!axes || pads.length !== 2 * axes.length) return null;
  const out = {...state};
  axes.forEach((a, j) => {
    const axis = perm[a < 0 ? a + 4 : a];
    if (axis !== H && axis !== W) return;
    const key = axis === H ? "y" : "x";
    const [b, e] = [pads[j]!, pads[j + axes.length]!];
    const s = state[key];
    out[key] = {...s, offset: s.offset - b * s.stride, size: s.size === null ? null : s.size + b + e};
  });
  return out;
}

/** The receptive field of every tensor computed from the image input by known operators. */
export function receptiveFields(model: IModelProto, options: ReceptiveFieldOptions = {}): Map<string, ReceptiveField> {
  const graph = graphOf(model);
  const input = describeImageInput(model);
  const opset = toNumber((model.opsetImport ?? []).find((o) => !o.domain || o.domain === "ai.onnx")?.version) || 13;
  const order = topoOrder(graph);
  const dynamic = dynamicTensors(graph, input.name, order);
  const layouts = tensorLayouts(order, input.name, input.layout);
  const size = options.inputSize ?? (input.height && input.width ? {height: input.height, width: input.width} : null);
  const unit = (n: number | null) => ({stride: 1, receptiveField: 1, offset: 0, size: n});
  const states = new Map<string, State>([[input.name, {kind: "local", y: unit(size?.height ?? null), x: unit(size?.width ?? null)}]]);

  for (const node of order) {
    const ins = node.input.filter((i) => i && dynamic.has(i));
    if (ins.length === 0 || ins.some((i) => !states.has(i))) continue; // constant, or after an unknown operator
    const inStates = ins.map((i) => states.get(i)!);
    const first = inStates.find((s) => s.kind === "local");
    let out: State | null;
    if (!first) out = {kind: "global"};
    else {
      const layout = layouts.get(ins[inStates.indexOf(first)]!);
      if (!layout?.known) continue;
      const weightIndex = CONV_LIKE[node.opType];
      if (weightIndex !== undefined) {
        if (states.get(node.input[0] ?? "") !== first) continue;
        const kernel = attrInts(node, "kernel_shape") ?? (weightIndex > 0 ? constantDims(graph, node.input[weightIndex] ?? "")?.slice(2) : null);
        out = kernel ? spatialNode(node, first, layout.perm, kernel) : null;
      } else if (node.opType === "Pad") {
        out = padNode(node, first, layout.perm, opset, graph);
      } else {
        const verdict = passesThrough(node, layout.perm, opset, graph);
        out = verdict === "pass" ? combine(inStates) : verdict === "global" ? {kind: "global"} : null;
      }
    }
    if (out) for (const o of node.opType === "Split" ? node.output : node.output.slice(0, 1)) if (o) states.set(o, out);
  }

  const fields = new Map<string, ReceptiveField>();
  for (const [name, s] of states) {
    if (s.kind !== "local") continue;
    const strip = ({stride, receptiveField, offset}: Axis): Axis => ({stride, receptiveField, offset});
    const [y, x] = [strip(s.y), strip(s.x)];
    const square = y.stride === x.stride && y.receptiveField === x.receptiveField && y.offset === x.offset;
    fields.set(name, {...(x.receptiveField > y.receptiveField ? x : y), y, x, square});
  }
  return fields;
}
