// A small builder for ONNX graphs (opset 13) on top of onnx-proto: nodes, initializers, unique names,
// and the in-graph dequantisation of uint8 weights (Cast → Mul scale → Add min → Cast).
import onnxProto from "onnx-proto";

export const {onnx} = onnxProto;
export type ModelProto = onnxProto.onnx.ModelProto;
type NodeProto = onnxProto.onnx.NodeProto;
type TensorProto = onnxProto.onnx.TensorProto;
type AttributeProto = onnxProto.onnx.IAttributeProto;

export const OPSET = 13;
const {DataType} = onnx.TensorProto;
const AttrType = onnx.AttributeProto.AttributeType;

export type AttributeValue = number | string | number[];
/** Integer attributes are written as INT/INTS; use `{float: x}` for FLOAT attributes. */
export type Attributes = Record<string, AttributeValue | {float: number} | undefined>;

function attribute(name: string, value: AttributeValue | {float: number}): AttributeProto {
  if (typeof value === "number") return {name, type: AttrType.INT, i: value};
  if (typeof value === "string") return {name, type: AttrType.STRING, s: new TextEncoder().encode(value)};
  if (Array.isArray(value)) return {name, type: AttrType.INTS, ints: value};
  return {name, type: AttrType.FLOAT, f: value.float};
}

export interface GraphOutput {
  name: string;
  /** Known dimensions; null for symbolic ones. */
  shape: Array<number | null>;
}

export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly names = new Set<string>();

  /** Reserves `name`, or `name_1`, `name_2`… if it is taken. */
  unique(name: string): string {
    let candidate = name;
    for (let i = 1; this.names.has(candidate); i++) candidate = `${name}_${i}`;
    this.names.add(candidate);
    return candidate;
  }

  /** Reserves an exact name (a graph input or a layer output); fails if taken. */
  reserve(name: string): string {
    if (this.names.has(name)) throw new Error(`duplicate tensor name ${name}`);
    this.names.add(name);
    return name;
  }

  /** Adds a node; `output` must be reserved already. Returns `output`. */
  node(opType: string, inputs: string[], output: string, attributes: Attributes = {}): string {
    const attrs = Object.entries(attributes).flatMap(([k, v]) => (v === undefined ? [] : [attribute(k, v)]));
    this.nodes.push(onnx.NodeProto.create({opType, input: inputs, output: [output], name: this.unique(`${output}/${opType}`), attribute: attrs}));
    return output;
  }

  /** Adds a node whose output gets a fresh name derived from `base`. */
  temp(opType: string, inputs: string[], base: string, attributes: Attributes = {}): string {
    return this.node(opType, inputs, this.unique(base), attributes);
  }

  private initializer(base: string, dataType: number, dims: number[], rawData: Uint8Array): string {
    const name = this.unique(base);
    this.initializers.push(onnx.TensorProto.create({name, dataType, dims, rawData}));
    return name;
  }

  float(base: string, dims: number[], values: ArrayLike<number>): string {
    const data = Float32Array.from(values);
    return this.initializer(base, DataType.FLOAT, dims, new Uint8Array(data.buffer));
  }

  int64(base: string, dims: number[], values: number[]): string {
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    return this.initializer(base, DataType.INT64, dims, new Uint8Array(data.buffer));
  }

  uint8(base: string, dims: number[], values: Uint8Array): string {
    return this.initializer(base, DataType.UINT8, dims, values);
  }

  uint16(base: string, dims: number[], values: Uint16Array): string {
    return this.initializer(base, DataType.UINT16, dims, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }

  double(base: string, dims: number[], values: ArrayLike<number>): string {
    const data = Float64Array.from(values);
    return this.initializer(base, DataType.DOUBLE, dims, new Uint8Array(data.buffer));
  }

  /**
   * Float tensor q × scale + min computed in the graph from an integer initializer. The arithmetic is done
   * in float64 and rounded to float32 once, which is exactly how tfjs dequantises, so both runtimes see
   * the same weights (float32 Mul/Add would round twice and drift by up to an ulp of |min|).
   */
  dequantized(base: string, dims: number[], q: Uint8Array | Uint16Array, scale: number, min: number): string {
    const stored = q instanceof Uint8Array ? this.uint8(`${base}_q`, dims, q) : this.uint16(`${base}_q`, dims, q);
    const asDouble = this.temp("Cast", [stored], `${base}_f64`, {to: DataType.DOUBLE});
    const scaled = this.temp("Mul", [asDouble, this.double(`${base}_scale`, [], [scale])], `${base}_scaled`);
    const shifted = this.temp("Add", [scaled, this.double(`${base}_min`, [], [min])], `${base}_shifted`);
    return this.temp("Cast", [shifted], base, {to: DataType.FLOAT});
  }

  /** The finished model: one float input [batch, channels, height, width] and float outputs. */
  model(options: {name: string; input: string; inputChannels: number; outputs: GraphOutput[]; metadata?: Record<string, string>; docString?: string}): ModelProto {
    const dim = (d: number | string | null) =>
      typeof d === "number" ? {dimValue: d} : typeof d === "string" ? {dimParam: d} : {};
    const valueInfo = (name: string, shape: Array<number | string | null>) =>
      onnx.ValueInfoProto.create({name, type: {tensorType: {elemType: DataType.FLOAT, shape: {dim: shape.map(dim)}}}});
    const graph = onnx.GraphProto.create({
      name: options.name,
      node: this.nodes,
      initializer: this.initializers,
      input: [valueInfo(options.input, ["batch", options.inputChannels, "height", "width"])],
      output: options.outputs.map((o) => valueInfo(o.name, o.shape.map((d, i) => (i === 0 && d === null ? "batch" : d)))),
    });
    return onnx.ModelProto.create({
      irVersion: 7,
      opsetImport: [{domain: "", version: OPSET}],
      producerName: "similarity-overlays keras-to-onnx",
      producerVersion: "1",
      docString: options.docString ?? "",
      graph,
      metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({key, value})),
    });
  }
}

/** Serialises a model to protobuf bytes. */
export function encodeModel(model: ModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

/** Parses protobuf bytes into a model. */
export function decodeModel(bytes: Uint8Array): ModelProto {
  return onnx.ModelProto.decode(bytes);
}
