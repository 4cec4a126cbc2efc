// Graph assembly: a Keras layers model (topology + weights) → an ONNX model (opset 13, NCHW, input "input"
// [batch, 3, height, width] with symbolic batch, height and width). Only the layers the requested outputs
// depend on are converted; each output is the ONNX tensor named after its Keras layer.
import type {KerasLayer, KerasModel} from "./kerasJson.js";
import {CONVOLUTIONS, EMITTERS, type Tensor} from "./layers/index.js";
import {encodeModel, GraphBuilder, type ModelProto} from "./onnxBuilder.js";
import {splitWeights, WeightStore} from "./weights.js";

/** Name of the ONNX graph input. */
export const INPUT_NAME = "input";

export interface ConvertOptions {
  /** Keras layer names to expose as graph outputs (default: the model's own outputs). */
  outputs?: string[];
  /** Graph name (default: the Keras model name). */
  name?: string;
  /** Extra metadata_props entries. */
  metadata?: Record<string, string>;
}

export interface ConvertedLayer {
  /** Keras layer name, also the ONNX output name. */
  name: string;
  channels: number;
  /** True when this layer or one it depends on has weights marked trainable (fine-tuned after import). */
  finetuned: boolean;
}

export interface Conversion {
  model: ModelProto;
  bytes: Uint8Array;
  outputs: ConvertedLayer[];
}

/** The layers `outputs` depend on (themselves included), in a topological order. */
export function ancestors(layers: KerasLayer[], outputs: string[]): KerasLayer[] {
  const byName = new Map(layers.map((l) => [l.name, l]));
  const order: KerasLayer[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string, from: string | null) => {
    const layer = byName.get(name);
    if (!layer) throw new Error(from === null ? `unknown output layer "${name}"` : `layer "${from}" reads unknown layer "${name}"`);
    const s = state.get(name);
    if (s === "done") return;
    if (s === "visiting") throw new Error(`cycle through layer "${name}"`);
    state.set(name, "visiting");
    for (const input of layer.inputs) visit(input, name);
    state.set(name, "done");
    order.push(layer);
  };
  for (const name of outputs) visit(name, null);
  return order;
}

/** BatchNormalization layers that can be folded into their input convolution: BN name → conv layer. */
function foldableBatchNorms(layers: KerasLayer[], outputs: Set<string>): Map<string, KerasLayer> {
  const byName = new Map(layers.map((l) => [l.name, l]));
  const consumers = new Map<string, number>();
  for (const l of layers) for (const i of l.inputs) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  const folds = new Map<string, KerasLayer>();
  for (const bn of layers) {
    if (bn.className !== "BatchNormalization" || bn.inputs.length !== 1) continue;
    const conv = byName.get(bn.inputs[0]);
    if (!conv || !CONVOLUTIONS.has(conv.className)) continue;
    const activation = conv.config.activation;
    if (activation !== undefined && activation !== null && activation !== "linear") continue;
    if (consumers.get(conv.name) !== 1 || outputs.has(conv.name)) continue;
    folds.set(bn.name, conv);
  }
  return folds;
}

/** Converts `model` with its concatenated weight bytes to ONNX. Fails on a layer type it cannot convert. */
export function convertKerasModel(model: KerasModel, weightData: Uint8Array, options: ConvertOptions = {}): Conversion {
  const outputNames = options.outputs ?? model.outputLayers;
  if (outputNames.length === 0) throw new Error("no outputs requested");
  const layers = ancestors(model.layers, outputNames);
  const weights = new WeightStore(splitWeights(model.weightSpecs, weightData));
  const folds = foldableBatchNorms(layers, new Set(outputNames));
  const foldedConvs = new Set([...folds.values()].map((c) => c.name));

  const builder = new GraphBuilder();
  builder.reserve(INPUT_NAME);
  const tensors = new Map<string, Tensor>();
  const finetuned = new Map<string, boolean>();
  let inputChannels: number | null = null;
  for (const layer of layers) {
    finetuned.set(layer.name, (layer.config.trainable === true && weights.owns(layer.name)) || layer.inputs.some((i) => finetuned.get(i) === true));
    if (foldedConvs.has(layer.name)) continue; // emitted together with its BatchNormalization
    if (layer.className === "InputLayer") {
      const shape = layer.config.batch_input_shape;
      const channels = Array.isArray(shape) && shape.length === 4 ? shape[3] : null;
      if (typeof channels !== "number") throw new Error(`layer "${layer.name}" (InputLayer): expected batch_input_shape [batch, height, width, channels]`);
      if (inputChannels !== null) throw new Error("models with several inputs are not supported");
      inputChannels = channels;
      tensors.set(layer.name, {name: INPUT_NAME, channels});
      continue;
    }
    const emit = EMITTERS[layer.className];
    if (!emit) throw new Error(`unsupported layer type ${layer.className} (layer "${layer.name}")`);
    const conv = folds.get(layer.name);
    const source = conv ?? layer;
    const inputs = source.inputs.map((name) => {
      const t = tensors.get(name);
      if (!t) throw new Error(`layer "${source.name}": input "${name}" was not converted`);
      return t;
    });
    const output = builder.reserve(layer.name);
    const channels = conv
      ? EMITTERS[conv.className]({builder, weights, layer: conv, inputs, output, foldedBatchNorm: layer})
      : emit({builder, weights, layer, inputs, output});
    tensors.set(layer.name, {name: output, channels});
  }
  if (inputChannels === null) throw new Error("the model has no InputLayer");

  const outputs = outputNames.map((name): ConvertedLayer => {
    const t = tensors.get(name);
    if (!t) throw new Error(`output "${name}" was not converted`);
    return {name: t.name, channels: t.channels, finetuned: finetuned.get(name) === true};
  });
  const onnxModel = builder.model({
    name: options.name ?? model.name,
    input: INPUT_NAME,
    inputChannels,
    outputs: outputs.map((o) => ({name: o.name, shape: [null, o.channels, null, null]})),
    metadata: options.metadata,
  });
  return {model: onnxModel, bytes: encodeModel(onnxModel), outputs};
}
