// Reading and writing ONNX models (onnx-proto), and describing a model's image input.
// No DOM, no Node APIs: bytes in, bytes out.
import onnxProto from "onnx-proto";
import type {onnx as OnnxTypes} from "onnx-proto";

// onnx-proto is CommonJS and assigns `onnx` at run time, so Node's ESM loader sees only a default export.
/** The onnx-proto namespace (ModelProto.decode, TensorProto.DataType, …). */
export const onnx: typeof OnnxTypes = onnxProto.onnx;
export type ModelProto = OnnxTypes.ModelProto;
export type IModelProto = OnnxTypes.IModelProto;

// onnx-proto types nested messages as interfaces whose every field is optional, but what decode()
// returns is fully populated: repeated fields are arrays, scalars default on the prototype, nested
// messages are decoded too. These views say so; graphOf() guarantees it for hand-built models as well.
export interface Tensor {name: string; dims: Int64[]; dataType: number; rawData: Uint8Array; int32Data: number[]; int64Data: Int64[]}
export interface Attribute {name: string; i: Int64; s: Uint8Array; ints: Int64[]; t: Tensor | null; g: Graph | null; graphs: Graph[]}
export interface ValueInfo {name: string; type?: OnnxTypes.ITypeProto | null}
export interface Node {name: string; opType: string; domain: string; input: string[]; output: string[]; attribute: Attribute[]}
export interface Graph {
  name: string;
  node: Node[];
  initializer: Tensor[];
  sparseInitializer: OnnxTypes.ISparseTensorProto[];
  input: ValueInfo[];
  output: ValueInfo[];
  valueInfo: ValueInfo[];
}

export type Layout = "NCHW" | "NHWC";

/** An int64 field as onnx-proto decodes it: a number, or a Long when the `long` package is loadable. */
export type Int64 = number | {low: number; high: number; unsigned: boolean};

export function toNumber(v: Int64 | null | undefined): number {
  if (v == null) return 0;
  if (typeof v === "number") return v;
  return v.unsigned ? (v.high >>> 0) * 4294967296 + (v.low >>> 0) : v.high * 4294967296 + (v.low >>> 0);
}

/** Decodes ONNX bytes; throws "could not read model.onnx as an ONNX model: …" for anything else. */
export function decodeModel(bytes: Uint8Array, fileName = "model.onnx"): ModelProto {
  const fail = (why: string): never => {
    throw new Error(`could not read ${fileName} as an ONNX model: ${why}`);
  };
  if (bytes.byteLength === 0) fail("the file is empty");
  let model: ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    return fail(`not an ONNX file, or a corrupt or truncated one (${e instanceof Error ? e.message : String(e)})`);
  }
  // Protobuf decoding is lenient: other bytes can decode "successfully" into an almost empty message.
  if (toNumber(model.irVersion) <= 0 || toNumber(model.irVersion) > 100) fail("no valid ir_version; this is not an ONNX file");
  if (!model.graph) fail("the model has no graph");
  return model;
}

/** Serializes a model. The result owns its buffer (offset 0), which every ONNX runtime accepts. */
export function encodeModel(model: OnnxTypes.IModelProto): Uint8Array {
  const bytes = onnx.ModelProto.encode(model).finish();
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes); // a copy (Buffer#slice would not copy)
}

/** A shallow copy of `model` whose graph has the given fields replaced (nodes and weights are shared). */
export function withGraph(model: IModelProto, changes: Partial<Graph>): ModelProto {
  const graph = onnx.GraphProto.create({...graphOf(model), ...changes});
  return onnx.ModelProto.create({...model, graph});
}

function isDecoded(model: IModelProto): boolean {
  const g = model.graph;
  const all = <T>(xs: T[] | null | undefined, C: new () => T): boolean => (xs ?? []).every((x) => x instanceof C);
  return (
    g instanceof onnx.GraphProto &&
    all(g.node, onnx.NodeProto) &&
    g.node.every((n) => all(n.attribute, onnx.AttributeProto)) &&
    all(g.initializer, onnx.TensorProto) &&
    [g.input, g.output, g.valueInfo].every((vs) => all(vs, onnx.ValueInfoProto))
  );
}

/** The model's graph, fully populated (see Graph); throws when there is none. */
export function graphOf(model: IModelProto): Graph {
  if (!model.graph) throw new Error("the model has no graph");
  const decoded = isDecoded(model) ? model : onnx.ModelProto.fromObject(onnx.ModelProto.toObject(onnx.ModelProto.create(model)));
  return decoded.graph as unknown as Graph;
}

/** A dimension of a tensor type: its size, its symbolic name, or null when unknown. */
export type DimInfo = number | string | null;

/** Element type and dimensions of a value, or null when the value has no tensor type. */
export function tensorType(v: ValueInfo): {elemType: number; dims: DimInfo[] | null} | null {
  const t = v.type?.tensorType;
  if (!t) return null;
  const dims = t.shape ? (t.shape.dim ?? []).map((d) => (d.dimValue != null && toNumber(d.dimValue) > 0 ? toNumber(d.dimValue) : d.dimParam || null)) : null;
  return {elemType: t.elemType ?? 0, dims};
}

/** Graph inputs that are real inputs (not initializers listed as inputs, as IR < 4 models do). */
export function realInputs(graph: Graph): ValueInfo[] {
  const weights = new Set(graph.initializer.map((t) => t.name));
  return graph.input.filter((v) => !weights.has(v.name));
}

export interface ImageInput {
  /** Name of the graph input. */
  name: string;
  layout: Layout;
  /** 1 (grey) or 3. */
  channels: number;
  /** Fixed batch size, or null when symbolic. */
  batch: number | null;
  /** Fixed height and width, or null when symbolic. */
  height: number | null;
  width: number | null;
}

const EXPECTED = "expected one float32 image input with 4 dimensions, [N, 3, H, W] (NCHW) or [N, H, W, 3] (NHWC)";

function typeName(elemType: number): string {
  return (onnx.TensorProto.DataType[elemType] ?? `type ${elemType}`).toLowerCase();
}

function show(dims: DimInfo[] | null): string {
  return dims ? `[${dims.map((d) => d ?? "?").join(", ")}]` : "[unknown shape]";
}

/**
 * Describes the model's image input. Layout: a channel dimension of size 1 or 3 at index 1 means NCHW,
 * at index 3 NHWC; when both or neither are fixed, the one of size 3 decides (NCHW, ONNX's own
 * convention, when both are 3).
 */
export function describeImageInput(model: IModelProto, fileName = "model.onnx"): ImageInput {
  const inputs = realInputs(graphOf(model));
  if (inputs.length === 0) throw new Error(`${fileName} has no inputs; ${EXPECTED}`);
  if (inputs.length > 1) {
    const list = inputs.map((v) => `${v.name} ${show(tensorType(v)?.dims ?? null)}`).join(", ");
    throw new Error(`${fileName} has ${inputs.length} inputs (${list}); similarity overlays need a model with one image input: ${EXPECTED}`);
  }
  const input = inputs[0]!;
  const t = tensorType(input);
  const what = `${fileName} input "${input.name}"`;
  if (!t) throw new Error(`${what} is not a tensor, so not an image: ${EXPECTED}`);
  if (!t.dims) throw new Error(`${what} has no declared shape; ${EXPECTED}`);
  if (t.elemType !== onnx.TensorProto.DataType.FLOAT || t.dims.length !== 4) {
    throw new Error(`${what} is ${typeName(t.elemType)} ${show(t.dims)}, which is not an image: ${EXPECTED}`);
  }
  const [n, d1, d2, d3] = t.dims as [DimInfo, DimInfo, DimInfo, DimInfo];
  const isCh = (d: DimInfo): d is number => d === 1 || d === 3;
  let layout: Layout | null = null;
  if (isCh(d1) && !isCh(d3)) layout = "NCHW";
  else if (isCh(d3) && !isCh(d1)) layout = "NHWC";
  else if (d1 === 3) layout = "NCHW";
  else if (d3 === 3) layout = "NHWC";
  else if (isCh(d1)) layout = "NCHW";
  if (!layout) throw new Error(`${what} has shape ${show(t.dims)}: no channel dimension of size 1 or 3 at index 1 (NCHW) or 3 (NHWC); ${EXPECTED}`);
  const [c, h, w] = layout === "NCHW" ? [d1, d2, d3] : [d3, d1, d2];
  const fixed = (d: DimInfo): number | null => (typeof d === "number" ? d : null);
  return {name: input.name, layout, channels: c as number, batch: fixed(n), height: fixed(h), width: fixed(w)};
}
