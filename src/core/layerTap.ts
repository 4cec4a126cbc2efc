// Finding the layers of any ONNX model whose activations can drive similarity overlays, and reading
// them: every node output can be made a graph output. No DOM, no Node APIs.
import {decodeModel, describeImageInput, encodeModel, graphOf, type ImageInput, type Layout, type ModelProto} from "./onnxGraph.js";
import {dynamicTensors, topoOrder} from "./onnxNodes.js";
import {createSession, runFloat, type OrtRuntime} from "./ortRuntime.js";
import {layoutOf, tensorLayouts, C, H, N, W} from "./tensorLayout.js";
import {pruneTo} from "./tapModel.js";
import {receptiveFields, type ReceptiveField} from "./receptiveField.js";
import {findTokenGrid, tokenShape, type TokenLayout} from "./tokenGrid.js";

export {tapModel} from "./tapModel.js";
export {createTapSession, type TapSession, type Activation} from "./tapSession.js";

export interface CandidateLayer {
  /** Name of the tensor (node output) carrying the activation. */
  output: string;
  /** Name of the node producing it (may be empty). */
  node: string;
  /** Operator of that node, e.g. "Relu", "Concat". */
  opType: string;
  channels: number;
  /** Height and width at the probe input size. */
  height: number;
  width: number;
  layout: Layout | TokenLayout;
  /** Token layers ([1, N, D] or [N, 1, D] of a transformer): the patch side and the prefix tokens left out. */
  tokens?: {patch: number; prefix: number};
  /** Stride, receptive field and offset in input pixels (see receptiveField.ts; auto_pad SAME computed
   * for the probe size), or null when an operator on the way is not understood (e.g. Resize). */
  receptiveField: ReceptiveField | null;
}

export interface ListLayersOptions<Options> {
  /** Input size for the probe run; default the model's fixed size, else 224 × 224. */
  size?: {height: number; width: number};
  sessionOptions?: Options;
  /** File name used in error messages. */
  fileName?: string;
  /** Prefix tokens (class token, registers) of token layers; default: found from the token count (tokenGrid.ts). */
  prefixTokens?: number;
}

export const NO_SPATIAL_OUTPUT = "this model has no 4-D output with spatial extent, nor transformer tokens on a patch grid (needed for similarity overlays)";

/** Input shape and deterministic values in [0, 1) for a probe run at the given size. */
export function probeInput(input: ImageInput, size: {height: number; width: number}): {data: Float32Array; dims: number[]} {
  const batch = input.batch ?? 1;
  const dims = input.layout === "NCHW" ? [batch, input.channels, size.height, size.width] : [batch, size.height, size.width, input.channels];
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
  let s = 12345;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    data[i] = (s >>> 8) / 16777216;
  }
  return {data, dims};
}

/**
 * Lists the model's candidate layers, in graph order: float node outputs that depend on the input,
 * are 4-D with height and width > 1, and whose layout (followed from the input through Transposes)
 * is NCHW or NHWC; or are transformer tokens, [1, N, D] or [N, 1, D] with N = prefix + a patch grid of
 * the probe size (tokenGrid.ts), whose receptive field is the whole image. Shapes come from one run of the model, with every such tensor made an output,
 * on a probe input of `options.size`. `bytes` may be a model decodeModel already read. Pixelwise functions of the input (receptive field 1 at stride 1:
 * the input transposed or normalized, a 1×1 convolution of it) are left out.
 */
export async function listCandidateLayers<Options>(ort: OrtRuntime<Options>, bytes: Uint8Array | ModelProto, options: ListLayersOptions<Options> = {}): Promise<CandidateLayer[]> {
  const fileName = options.fileName ?? "model.onnx";
  const model = bytes instanceof Uint8Array ? decodeModel(bytes, fileName) : bytes;
  const input = describeImageInput(model, fileName);
  const graph = graphOf(model);
  const order = topoOrder(graph);
  const dynamic = dynamicTensors(graph, input.name, order);
  const layouts = tensorLayouts(order, input.name, input.layout);
  const producers = new Map<string, {node: string; opType: string}>();
  const names: string[] = [];
  for (const node of order) {
    for (const o of node.output) {
      if (!o || !dynamic.has(o) || producers.has(o)) continue;
      producers.set(o, {node: node.name, opType: node.opType});
      names.push(o);
    }
  }
  if (names.length === 0) throw new Error(NO_SPATIAL_OUTPUT);

  const probe = pruneTo(model, names);
  const session = await createSession(ort, encodeModel(probe), options.sessionOptions, fileName);
  const size = options.size ?? {height: input.height ?? 224, width: input.width ?? 224};
  const {data, dims} = probeInput(input, size);
  let results;
  try {
    results = await runFloat(ort, session, input.name, data, dims, fileName);
  } finally {
    await session.release();
  }

  const fields = receptiveFields(model, {inputSize: size});
  const layers: CandidateLayer[] = [];
  for (const name of names) {
    const t = results[name];
    const p0 = producers.get(name)!;
    const shape = t && t.type === "float32" ? tokenShape(t.dims) : null;
    const grid = shape && findTokenGrid(shape.tokens, size, options.prefixTokens);
    if (shape && grid) {
      layers.push({output: name, node: p0.node, opType: p0.opType, channels: shape.channels, height: grid.height, width: grid.width, layout: shape.layout, receptiveField: null, tokens: {patch: grid.patch, prefix: grid.prefix}});
      continue;
    }
    const layout = layouts.get(name);
    if (!t || t.type !== "float32" || t.dims.length !== 4 || !layout) continue;
    const kind = layoutOf(layout.perm);
    if (!kind) continue;
    const extent = (axis: number): number => t.dims[layout.perm.indexOf(axis)]!;
    if (extent(N) !== dims[0] || extent(H) <= 1 || extent(W) <= 1) continue;
    const field = fields.get(name) ?? null;
    if (field && field.x.receptiveField === 1 && field.y.receptiveField === 1 && field.stride === 1) continue;
    const p = producers.get(name)!;
    layers.push({output: name, node: p.node, opType: p.opType, channels: extent(C), height: extent(H), width: extent(W), layout: kind, receptiveField: field});
  }
  if (layers.length === 0) throw new Error(NO_SPATIAL_OUTPUT);
  return layers;
}
