// A user's own ONNX model ("Your model" page): from what inspectModel() found in the file (its image input
// and candidate layers) and the options the user picked (preprocessing, channel order, input size, layers),
// the ModelSpec that the build's path (embedImage.ts) and the similarity worker need, plus the checks on
// what comes out. No DOM, no Node APIs.
import type {CandidateLayer} from "./layerTap.js";
import type {LayerInfo} from "./layerTable.js";
import type {LayerSpec, ModelSpec, Normalization} from "./modelSpec.js";
import type {ImageInput} from "./onnxGraph.js";
import type {ModelHints} from "./ownModel.js";

/** The preprocessing presets offered, by id. */
export const PREPROCESSING = {
  imagenet: {label: "ImageNet mean/std (torchvision)", normalization: {kind: "meanStd", mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]}},
  minusOneOne: {label: "[−1, 1] (Keras Inception, MobileNet)", normalization: {kind: "range", min: -1, max: 1}},
  zeroOne: {label: "[0, 1]", normalization: {kind: "range", min: 0, max: 1}}
} as const satisfies Record<string, {label: string; normalization: Normalization}>;

export type PreprocessingId = keyof typeof PREPROCESSING;

/** What the user chose for their model (or a dataset.json says about its own model). */
export interface UserModelOptions {
  /** Shown in titles and messages (the file's name). */
  name: string;
  /** A preset, or the normalization itself (e.g. read from the file's metadata or a dataset.json). */
  preprocessing: PreprocessingId | Normalization;
  channelOrder: "RGB" | "BGR";
  /** Input side in pixels (square) when the model's size is symbolic; ignored when it is fixed. */
  inputSize: number;
  /** Output names of the chosen layers (CandidateLayer.output). */
  outputs: readonly string[];
  /** Layer names by output name, where they differ (a dataset.json's {"name", "output"}). */
  names?: Readonly<Record<string, string>>;
  /** The spec's id, title and source (default "user:" + name, name, "your file; it stays in this browser"). */
  id?: string;
  title?: string;
  source?: string;
}

/** Smallest and largest input side accepted for a symbolic input. */
export const MIN_INPUT_SIZE = 16;
export const MAX_INPUT_SIZE = 1024;

/** The input size to use: the model's fixed size, else `size` (default 224) checked against the limits. */
export function inputSizeFor(input: ImageInput, size = 224): {width: number; height: number; fixed: boolean} {
  if (input.height != null && input.width != null) return {width: input.width, height: input.height, fixed: true};
  if (!Number.isInteger(size) || size < MIN_INPUT_SIZE || size > MAX_INPUT_SIZE) {
    throw new RangeError(`input size must be a whole number of pixels from ${MIN_INPUT_SIZE} to ${MAX_INPUT_SIZE}, got ${size}`);
  }
  // One fixed side and one symbolic: keep the fixed one.
  return {width: input.width ?? size, height: input.height ?? size, fixed: false};
}

/** Operators whose output is never negative when their input comes from one (or always). */
const NON_NEGATIVE = new Set(["Relu", "Sigmoid", "Softplus", "Abs"]);

/** True when the layer's operator guarantees values ≥ 0 (ReLU and the like): the 8-bit unsigned codes fit. */
export function surelyNonNegative(layer: Pick<CandidateLayer, "opType">): boolean {
  return NON_NEGATIVE.has(layer.opType);
}

/**
 * The layers ticked by default: the middle one of those whose operator guarantees non-negative values
 * (ReLU…), else the middle one of all, plus the last such layer when it differs (a coarse and a finer grid).
 */
export function defaultLayers(layers: readonly CandidateLayer[]): string[] {
  if (!layers.length) return [];
  const pool = layers.filter(surelyNonNegative);
  const from = pool.length ? pool : layers;
  const middle = from[Math.floor((from.length - 1) / 2)]!.output;
  const last = from[from.length - 1]!.output;
  return middle === last ? [middle] : [middle, last];
}

/** A layer's display name: its output name (unique in the graph). */
export function layerName(layer: Pick<CandidateLayer, "output">): string {
  return layer.output;
}

/** Stride, receptive field and offset of a layer, or a stand-in when the graph analysis could not give them. */
function geometry(layer: CandidateLayer, size: {width: number; height: number}): {stride: number; receptiveField: number; offset: number; known: boolean} {
  // Token layers: a cell is a patch, and it sees the whole image (the spec says wholeImage).
  if (layer.tokens) return {stride: layer.tokens.patch, receptiveField: Math.max(size.width, size.height), offset: layer.tokens.patch / 2 - 0.5, known: true};
  const f = layer.receptiveField;
  if (f) return {stride: f.stride, receptiveField: f.receptiveField, offset: f.offset, known: true};
  // Unknown: cells tile the input; the outline is then a cell, not a receptive field (the page says so).
  const stride = Math.max(size.width / layer.width, size.height / layer.height);
  return {stride, receptiveField: stride, offset: stride / 2 - 0.5, known: false};
}

/** The ModelSpec of a user's model with the chosen options (its id is "user:" + the file's name). */
export function userModelSpec(input: ImageInput, layers: readonly CandidateLayer[], options: UserModelOptions): ModelSpec {
  const size = inputSizeFor(input, options.inputSize);
  if (!options.outputs.length) throw new Error("no layers chosen: tick at least one layer");
  const chosen = options.outputs.map((output) => {
    const layer = layers.find((l) => l.output === output);
    if (!layer) throw new Error(`invalid layer: ${output} (the model offers ${layers.map((l) => l.output).join(", ")})`);
    return layer;
  });
  if (input.channels !== 3 && input.channels !== 1) throw new Error(`the model's input has ${input.channels} channels; this page feeds colour (3 channels) or grey (1 channel) images`);
  const specs: LayerSpec[] = chosen.map((layer) => {
    const {stride, receptiveField, offset, known} = geometry(layer, size);
    const tokens = layer.tokens ? {prefixTokens: layer.tokens.prefix, wholeImage: true} : {};
    const name = options.names?.[layer.output] ?? layerName(layer);
    return {name, output: layer.output, channels: layer.channels, stride, receptiveField, offset, finetuned: false, layout: layer.layout, grid: {width: layer.width, height: layer.height}, ...tokens, ...(known ? {} : {receptiveFieldKnown: false})};
  });
  const normalization = typeof options.preprocessing === "string" ? (PREPROCESSING[options.preprocessing].normalization as Normalization) : options.preprocessing;
  return {
    id: options.id ?? `user:${options.name}`,
    title: options.title ?? options.name,
    source: options.source ?? "your file; it stays in this browser",
    input: {
      name: input.name,
      layout: input.layout,
      channelOrder: options.channelOrder,
      normalization,
      minSize: 1,
      fixedSize: size.fixed ? {width: size.width, height: size.height} : null,
      ...(input.channels === 1 ? {channels: 1 as const} : {})
    },
    // A fixed input is filled by resizing the whole picture; a free one by a centre square crop.
    sizePolicy: size.fixed ? {kind: "fixed", width: size.width, height: size.height} : size.width === size.height ? {kind: "square", size: size.width} : {kind: "fixed", width: size.width, height: size.height},
    defaultLayer: specs[0]!.name,
    layers: specs
  };
}

/** The layer metadata the similarity worker's loadValues() takes (grids and step are added there). */
export function userLayerInfo(model: ModelSpec, layer: LayerSpec): Omit<LayerInfo, "grids" | "step"> {
  return {...layer, model: model.id};
}

/** True when the receptive field of `layer` is known: found by the graph analysis, or a token layer's whole image (else the outline is one cell). */
export function hasReceptiveField(layer: CandidateLayer): boolean {
  return layer.receptiveField !== null || layer.tokens !== undefined;
}

/** How the layer list names a layer's receptive field: "43 px, stride 8", "the whole image (tokens: patch 16, 1 prefix token left out)", or "unknown". */
export function describeField(layer: CandidateLayer): string {
  if (layer.tokens) return `the whole image (tokens: patch ${layer.tokens.patch} px, ${layer.tokens.prefix} prefix token${layer.tokens.prefix === 1 ? "" : "s"} left out)`;
  const f = layer.receptiveField;
  return f ? `${f.receptiveField} px, stride ${f.stride}` : "unknown";
}

/** One default of the "Your model" panel and where it came from, in words. */
export interface Default<T> {
  value: T;
  from: string;
}

/** The panel's defaults for a model file: preprocessing, channel order, input size, layers ticked. */
export interface ModelDefaults {
  /** A preset id, or "file" for a normalization the file's metadata gives that no preset matches. */
  preprocessing: Default<PreprocessingId | "file"> & {normalization: Normalization};
  channelOrder: Default<"RGB" | "BGR">;
  size: Default<number> & {fixed: boolean};
  layers: Default<string[]>;
}

const sameNormalization = (a: Normalization, b: Normalization) => JSON.stringify(a) === JSON.stringify(b);

/**
 * What the panel starts with for a model, each with its source: the input shape (a fixed size), the file's
 * metadata (ownModel.ts modelHints: preprocessing, channel order, size, layers), else the page's defaults
 * (ImageNet mean/std, RGB, 224 px, the middle and last ReLU outputs), said to be guesses.
 */
export function modelDefaults(input: ImageInput, layers: readonly CandidateLayer[], hints: ModelHints): ModelDefaults {
  const META = "from the file's metadata";
  let preprocessing: ModelDefaults["preprocessing"];
  if (hints.normalization) {
    const preset = (Object.keys(PREPROCESSING) as PreprocessingId[]).find((id) => sameNormalization(PREPROCESSING[id].normalization as Normalization, hints.normalization!));
    preprocessing = {value: preset ?? "file", normalization: hints.normalization, from: META};
  } else {
    const torch = /pytorch/i.test(hints.producer ?? "");
    const from = torch ? "a guess: the file does not say, and PyTorch exports (this one was written by PyTorch) mostly expect it" : "the page's default, a guess: the file does not say";
    preprocessing = {value: "imagenet", normalization: PREPROCESSING.imagenet.normalization as Normalization, from};
  }
  const channelOrder: Default<"RGB" | "BGR"> = hints.channelOrder ? {value: hints.channelOrder, from: META} : {value: "RGB", from: "the page's default: the file does not say"};
  const fixed = inputSizeFor(input);
  const size = fixed.fixed
    ? {value: fixed.width, fixed: true, from: "fixed by the model's input shape"}
    : hints.size && hints.size >= MIN_INPUT_SIZE && hints.size <= MAX_INPUT_SIZE
      ? {value: hints.size, fixed: false, from: META}
      : {value: 224, fixed: false, from: "the page's default: the input shape leaves the size free and the file does not say"};
  const named = (hints.layers ?? []).filter((name) => layers.some((l) => l.output === name));
  const ticked = named.length ? {value: named, from: "named in the file's metadata"} : {value: defaultLayers(layers), from: "the page's choice: the middle and the last ReLU outputs (the file names none)"};
  return {preprocessing, channelOrder, size, layers: ticked};
}

/** The first value of cell-major `values` that is not a finite number (NaN, +Infinity or −Infinity), as {cell, channel, value}, or null. */
export function firstNonFinite(values: Float32Array, channels: number): {cell: number; channel: number; value: number} | null {
  for (let i = 0; i < values.length; ++i) {
    const v = values[i]!;
    if (!Number.isFinite(v)) return {cell: Math.floor(i / channels), channel: i % channels, value: v};
  }
  return null;
}

/** The message for a layer with NaN or infinite activations: no similarity can be computed from them. */
export function nonFiniteMessage(layer: string, where: {image: number; channel: number; value: number}, opType?: string): string {
  const op = opType ? ` (${opType})` : "";
  const at = `in channel ${where.channel} of image ${where.image + 1}`;
  if (Number.isNaN(where.value)) {
    return `layer ${JSON.stringify(layer)}${op} has NaN ("not a number") activations (${at}): the model computes an undefined result there (a square root or logarithm of a negative number, 0/0, ∞ − ∞…), so no similarity can be computed. Pick another layer, or check the preprocessing.`;
  }
  return `layer ${JSON.stringify(layer)}${op} has infinite activations (${where.value > 0 ? "+" : "−"}Infinity ${at}): its values overflow the 32-bit floats the model computes with, so no similarity can be computed. Pick an earlier layer, or check the preprocessing (a wrong input range can make values explode).`;
}

/** The message for a layer that is zero at every cell of every picture (a dead ReLU): it has no signal for them. */
export function deadLayerMessage(layer: string, images: number, opType?: string): string {
  const op = opType ? ` (${opType})` : "";
  return `layer ${JSON.stringify(layer)}${op} is zero at every cell of these ${images} picture${images === 1 ? "" : "s"}: it has no signal for them (a "dead" ReLU?), so every overlay would be black. Pick another layer.`;
}

/** What to say about a layer of one channel: two cells' cosine is then 1 (both active) or 0, a mask. */
export function oneChannelNote(layer: string, opType?: string): string {
  const op = opType ? ` (${opType})` : "";
  return `layer ${JSON.stringify(layer)}${op} has a single channel: the cosine of two cells is then 1 where both are active and 0 where one is not, so its overlay is a 0/1 mask of where it is active. Pick a layer with more channels for graded similarity.`;
}
