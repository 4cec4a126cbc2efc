// A researcher's own ONNX model, named by a dataset.json ("model": {"file": "…onnx", …}), and what any ONNX
// file says about itself in its metadata (read by the build for such a model, and by the "Your model" page
// for its defaults). No DOM, no Node APIs.
import type {Layout, ModelProto} from "./onnxGraph.js";
import type {Normalization} from "./modelSpec.js";

/** The "model" object of a dataset.json that names an ONNX file, checked. */
export interface OwnModelConfig {
  /** Path of the .onnx file, relative to the dataset folder (inside it, or inside the project's models/ folder). */
  file: string;
  /** Model id in file names and URLs (data/models/ID.json): "id" in the config, else the file's name without .onnx. */
  id: string;
  title?: string;
  source?: string;
  /** How pixels become input values; from the file's metadata when absent. */
  normalization?: Normalization;
  channelOrder?: "RGB" | "BGR";
  /** Layout of the image input, for a model whose input shape does not show it. */
  layout?: Layout;
  /** The ONNX output name of each layer, by layer name (the name pages and files use). */
  outputs: Record<string, string>;
}

/** Layer names that can be file names and URL parameters. */
export const LAYER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

const MODEL_ID = /^[a-z0-9][a-z0-9_-]*$/;

/** Reads a normalization given as {"mean": [3], "std": [3]} or {"range": [min, max]} (or the ModelSpec form). */
export function checkNormalization(value: unknown, at: string): Normalization {
  const o = (value ?? {}) as Record<string, unknown>;
  const numbers = (k: string, n: number): number[] => {
    const v = o[k];
    if (!Array.isArray(v) || v.length !== n || !v.every((x) => typeof x === "number" && Number.isFinite(x))) throw new Error(`${at}.${k} must be ${n} numbers, got ${JSON.stringify(v)}`);
    return v as number[];
  };
  if (o.kind === "range" && typeof o.min === "number" && typeof o.max === "number" && o.max > o.min) return {kind: "range", min: o.min, max: o.max};
  if (o.range !== undefined) {
    const [min, max] = numbers("range", 2) as [number, number];
    if (!(max > min)) throw new Error(`${at}.range must be [min, max] with max > min, got ${JSON.stringify(o.range)}`);
    return {kind: "range", min, max};
  }
  if (o.mean !== undefined || o.std !== undefined || o.kind === "meanStd") {
    const mean = numbers("mean", 3) as [number, number, number];
    const std = numbers("std", 3) as [number, number, number];
    if (!std.every((s) => s > 0)) throw new Error(`${at}.std must be positive, got ${JSON.stringify(std)}`);
    return {kind: "meanStd", mean, std};
  }
  throw new Error(`${at} must be {"mean": [r, g, b], "std": [r, g, b]} (values for pixels scaled to [0, 1], as torchvision's) or {"range": [min, max]} (pixels mapped linearly onto it), got ${JSON.stringify(value)}`);
}

/** The id a model file gets when the config gives none: its name without .onnx, in lowercase, other characters as "-". */
export function modelIdOf(file: string): string {
  const base = file.split("/").pop()!.replace(/\.onnx$/i, "");
  return base.toLowerCase().replace(/[^a-z0-9_-]+/g, "-").replace(/^[-_]+/, "") || "model";
}

/**
 * Checks a dataset.json's "model" when it names an ONNX file (a string ending in .onnx, or an object with
 * "file") and its "layers" (names, or {"name", "output"} for outputs whose names cannot be file names).
 * Returns null when "model" is a bundled model's id. `where` names the file in messages.
 */
export function parseOwnModel(model: unknown, layers: unknown[], where: string): {config: OwnModelConfig; layers: string[]} | null {
  if (typeof model === "string" && !/\.onnx$/i.test(model)) return null;
  const o = (typeof model === "string" ? {file: model} : model) as Record<string, unknown> | null;
  if (!o || typeof o !== "object" || Array.isArray(o)) throw new Error(`${where}: "model" must be a bundled model's id ("inception_v3", "mobilenet_v2") or an object {"file": "….onnx", …}`);
  const known = new Set(["file", "id", "title", "source", "preprocessing", "channelOrder", "layout"]);
  const unknown = Object.keys(o).filter((k) => !known.has(k));
  if (unknown.length) throw new Error(`${where}: "model" has unknown field${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => JSON.stringify(k)).join(", ")} (it takes ${[...known].join(", ")})`);
  const file = o.file;
  if (typeof file !== "string" || !/\.onnx$/i.test(file) || file.startsWith("/") || file.includes("\\")) throw new Error(`${where}: "model.file" must be the path of an .onnx file relative to the dataset folder, got ${JSON.stringify(file)}`);
  const text = (k: string): string | undefined => {
    const v = o[k];
    if (v === undefined) return undefined;
    if (typeof v !== "string" || !v.trim()) throw new Error(`${where}: "model.${k}" must be a non-empty string`);
    return v;
  };
  const id = text("id") ?? modelIdOf(file);
  if (!MODEL_ID.test(id)) throw new Error(`${where}: "model.id" must use lowercase letters, digits, "-" and "_", got ${JSON.stringify(id)}`);
  const channelOrder = text("channelOrder");
  if (channelOrder !== undefined && channelOrder !== "RGB" && channelOrder !== "BGR") throw new Error(`${where}: "model.channelOrder" must be "RGB" or "BGR", got ${JSON.stringify(channelOrder)}`);
  const layout = text("layout");
  if (layout !== undefined && layout !== "NCHW" && layout !== "NHWC") throw new Error(`${where}: "model.layout" must be "NCHW" or "NHWC", got ${JSON.stringify(layout)}`);
  const outputs: Record<string, string> = {};
  const names = layers.map((entry, i) => {
    const e = typeof entry === "string" ? {name: entry, output: entry} : ((entry ?? {}) as Record<string, unknown>);
    const {name, output} = e;
    if (typeof output !== "string" || !output) throw new Error(`${where}: layers[${i}] must be an output name of the model, or {"name": "…", "output": "…"}`);
    if (typeof name !== "string" || !LAYER_NAME.test(name)) {
      const shown = JSON.stringify(typeof entry === "string" ? entry : name);
      throw new Error(`${where}: layers[${i}] name ${shown} cannot be a file name (letters, digits, "_", "." and "-"): write {"name": "layer1", "output": ${JSON.stringify(output)}}`);
    }
    if (name in outputs) throw new Error(`${where}: layers[${i}] name ${JSON.stringify(name)} is listed twice`);
    outputs[name] = output;
    return name;
  });
  return {
    config: {
      file,
      id,
      ...(text("title") ? {title: text("title")} : {}),
      ...(text("source") ? {source: text("source")} : {}),
      ...(o.preprocessing === undefined ? {} : {normalization: checkNormalization(o.preprocessing, `${where}: "model.preprocessing"`)}),
      ...(channelOrder ? {channelOrder: channelOrder as "RGB" | "BGR"} : {}),
      ...(layout ? {layout: layout as Layout} : {}),
      outputs
    },
    layers: names
  };
}

/** ONNX metadata key (metadata_props) in which a model file describes its input for similarity overlays. */
export const INPUT_METADATA_KEY = "similarity-overlays.input";
/** ONNX metadata key with the layers a model file offers (JSON [{name, …}]; the site's converted models write it). */
export const LAYERS_METADATA_KEY = "similarity-overlays.layers";

/** What a model file says about itself: each field only when its metadata says it. */
export interface ModelHints {
  normalization?: Normalization;
  channelOrder?: "RGB" | "BGR";
  /** Input side for a model whose size is free. */
  size?: number;
  /** Layers (output names) the file names for overlays, the first one shown first. */
  layers?: string[];
  title?: string;
  source?: string;
  /** Who wrote the file (producer_name), e.g. "pytorch". */
  producer?: string;
}

/**
 * Reads the model's own description from its metadata_props: "similarity-overlays.input", a JSON object
 * {"preprocessing": {"mean", "std"} | {"range"}, "channelOrder", "size", "layers": [...], "title", "source"},
 * and the layer list the site's converted models carry. Bad entries are ignored (they are hints).
 */
export function modelHints(model: Pick<ModelProto, "metadataProps" | "producerName">): ModelHints {
  const hints: ModelHints = {};
  if (model.producerName) hints.producer = model.producerName;
  const json = (key: string): unknown => {
    const entry = model.metadataProps?.find((p) => p.key === key);
    try {
      return entry?.value ? JSON.parse(entry.value) : undefined;
    } catch {
      return undefined;
    }
  };
  const input = json(INPUT_METADATA_KEY) as Record<string, unknown> | undefined;
  if (input && typeof input === "object") {
    try {
      if (input.preprocessing !== undefined) hints.normalization = checkNormalization(input.preprocessing, "preprocessing");
    } catch {
      // not a normalization this page reads
    }
    if (input.channelOrder === "RGB" || input.channelOrder === "BGR") hints.channelOrder = input.channelOrder;
    if (typeof input.size === "number" && Number.isInteger(input.size) && input.size > 0) hints.size = input.size;
    if (Array.isArray(input.layers) && input.layers.every((l) => typeof l === "string")) hints.layers = input.layers as string[];
    if (typeof input.title === "string") hints.title = input.title;
    if (typeof input.source === "string") hints.source = input.source;
  }
  const layers = json(LAYERS_METADATA_KEY);
  if (!hints.layers && Array.isArray(layers)) {
    const names = layers.map((l) => (l as {name?: unknown})?.name).filter((n): n is string => typeof n === "string");
    if (names.length) hints.layers = names;
  }
  return hints;
}
