// The parts of a TensorFlow.js Keras layers-model file (model.json) the converter reads, with a checking
// parser from `unknown`. Layout: {modelTopology: {model_config: {class_name: "Model", config: {layers,
// input_layers, output_layers}}}, weightsManifest: [{paths, weights: [{name, shape, dtype, quantization}]}]}.

/** One call of a layer on its inputs: [[layerName, nodeIndex, tensorIndex, kwargs], ...]. */
export type InboundNode = Array<[string, number, number, Record<string, unknown>]>;

export interface KerasLayer {
  name: string;
  className: string;
  config: Record<string, unknown>;
  /** Names of the layers whose outputs this layer consumes, in order (empty for InputLayer). */
  inputs: string[];
}

export interface WeightQuantization {
  dtype: "uint8" | "uint16";
  scale: number;
  min: number;
}

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: "float32";
  quantization?: WeightQuantization;
}

export interface KerasModel {
  name: string;
  layers: KerasLayer[];
  inputLayers: string[];
  outputLayers: string[];
  /** Weight specs in the order of the concatenated weight bytes. */
  weightSpecs: WeightSpec[];
  /** Shard file names (without extension) in the order of the concatenated weight bytes. */
  weightPaths: string[];
  /** The raw `modelTopology` object, for tools that need it unchanged (e.g. tf.loadLayersModel). */
  rawTopology: Record<string, unknown>;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function record(v: unknown, what: string): Record<string, unknown> {
  if (!isRecord(v)) throw new Error(`invalid Keras model: ${what} is not an object`);
  return v;
}

function array(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new Error(`invalid Keras model: ${what} is not an array`);
  return v;
}

function string(v: unknown, what: string): string {
  if (typeof v !== "string") throw new Error(`invalid Keras model: ${what} is not a string`);
  return v;
}

function numbers(v: unknown, what: string): number[] {
  const a = array(v, what);
  if (!a.every((x) => typeof x === "number")) throw new Error(`invalid Keras model: ${what} is not a list of numbers`);
  return a as number[];
}

function parseLayer(v: unknown, index: number): KerasLayer {
  const l = record(v, `layer ${index}`);
  const name = string(l.name, `layer ${index} name`);
  const className = string(l.class_name, `layer "${name}" class_name`);
  const config = record(l.config, `layer "${name}" config`);
  const nodes = array(l.inbound_nodes ?? [], `layer "${name}" inbound_nodes`);
  if (nodes.length > 1) throw new Error(`unsupported shared layer "${name}" (called ${nodes.length} times)`);
  const inputs = nodes.length === 0 ? [] : array(nodes[0], `layer "${name}" inbound node`).map((t, i) => {
    const ref = array(t, `layer "${name}" input ${i}`);
    if (ref[1] !== 0 || ref[2] !== 0) throw new Error(`unsupported multi-output input of layer "${name}"`);
    return string(ref[0], `layer "${name}" input ${i}`);
  });
  return {name, className, config, inputs};
}

function parseWeightSpec(v: unknown, index: number): WeightSpec {
  const w = record(v, `weight ${index}`);
  const name = string(w.name, `weight ${index} name`);
  if (w.dtype !== "float32") throw new Error(`unsupported weight dtype ${String(w.dtype)} (weight "${name}")`);
  const spec: WeightSpec = {name, shape: numbers(w.shape, `weight "${name}" shape`), dtype: "float32"};
  if (w.quantization !== undefined) {
    const q = record(w.quantization, `weight "${name}" quantization`);
    if (q.dtype !== "uint8" && q.dtype !== "uint16") throw new Error(`unsupported quantization ${String(q.dtype)} (weight "${name}")`);
    if (typeof q.scale !== "number" || typeof q.min !== "number") throw new Error(`weight "${name}": quantization needs scale and min`);
    spec.quantization = {dtype: q.dtype, scale: q.scale, min: q.min};
  }
  return spec;
}

/** Checks and converts a parsed model.json object. */
export function parseKerasModel(json: unknown): KerasModel {
  const root = record(json, "model.json");
  const topology = record(root.modelTopology, "modelTopology");
  const modelConfig = record(topology.model_config ?? topology, "model_config");
  const className = modelConfig.class_name;
  if (className !== "Model" && className !== "Functional") throw new Error(`unsupported Keras model class ${String(className)}`);
  const config = record(modelConfig.config, "model_config.config");
  const layers = array(config.layers, "layers").map(parseLayer);
  const endpoints = (v: unknown, what: string) => array(v, what).map((e, i) => string(array(e, `${what} ${i}`)[0], `${what} ${i}`));
  const groups = array(root.weightsManifest ?? [], "weightsManifest").map((g, i) => record(g, `weightsManifest group ${i}`));
  const weightSpecs = groups.flatMap((g, i) => array(g.weights, `weightsManifest group ${i} weights`)).map(parseWeightSpec);
  const weightPaths = groups.flatMap((g, i) => array(g.paths ?? [], `weightsManifest group ${i} paths`).map((p) => string(p, "weight path")));
  return {
    name: typeof config.name === "string" ? config.name : "model",
    layers,
    inputLayers: endpoints(config.input_layers, "input_layers"),
    outputLayers: endpoints(config.output_layers, "output_layers"),
    weightSpecs,
    weightPaths,
    rawTopology: topology,
  };
}

/** Reads a config entry given as a number or a list of two numbers, e.g. kernel_size 3 or [3, 3]. */
export function pair(config: Record<string, unknown>, key: string, layer: string, fallback?: [number, number]): [number, number] {
  const v = config[key];
  if (v === undefined || v === null) {
    if (fallback) return fallback;
    throw new Error(`layer "${layer}": missing ${key}`);
  }
  if (typeof v === "number") return [v, v];
  if (Array.isArray(v) && v.length === 2 && typeof v[0] === "number" && typeof v[1] === "number") return [v[0], v[1]];
  throw new Error(`layer "${layer}": invalid ${key} ${JSON.stringify(v)}`);
}

/** Reads the padding mode of a convolution or pooling layer. */
export function paddingMode(config: Record<string, unknown>, layer: string): "same" | "valid" {
  const p = config.padding;
  if (p === "same" || p === "valid") return p;
  throw new Error(`layer "${layer}": unsupported padding ${JSON.stringify(p)}`);
}

/** Fails unless the layer works on channels-last data (the only format tfjs Keras models use here). */
export function requireChannelsLast(config: Record<string, unknown>, layer: string): void {
  const f = config.data_format;
  if (f !== undefined && f !== null && f !== "channels_last") throw new Error(`layer "${layer}": unsupported data_format ${String(f)}`);
}
