// The models the app offers: the two Keras models inside nsfwjs, converted to ONNX (cached), each with its
// ModelSpec. Layer channels and the fine-tuned flag come from the conversion (stored in the ONNX file's
// metadata); stride, receptive field and offset are computed from the ONNX graph.
import {basename, join} from "node:path";
import type {LayerSpec, ModelSpec} from "../../src/core/modelSpec.js";
import {receptiveFields} from "../../src/core/receptiveField.js";
import {CACHE_DIR, cached, converterHash, pruneStale} from "./cache.js";
import {convertKerasModel, INPUT_NAME, type ConvertedLayer} from "./convert.js";
import {nsfwjsVersion, readNsfwjsModel} from "./nsfwjsFiles.js";
import {decodeModel, encodeModel, onnx, type ModelProto} from "./onnxBuilder.js";

export type ModelId = "inception_v3" | "mobilenet_v2";

export const MODEL_IDS: readonly ModelId[] = ["inception_v3", "mobilenet_v2"];

export function isModelId(id: string): id is ModelId {
  return (MODEL_IDS as readonly string[]).includes(id);
}

/** What the catalogue states about a model; everything else in its ModelSpec is computed. */
export interface CatalogueEntry {
  title: (version: string) => string;
  source: (version: string) => string;
  /** Exposed layers (Keras layer names, which are also the ONNX output names), shallow to deep. */
  layers: Array<{name: string}>;
  defaultLayer: string;
  minSize: number;
  inputSize: number;
}

const NSFWJS = "nsfwjs (MIT licence, github.com/infinitered/nsfwjs)";

export const CATALOGUE: Readonly<Record<ModelId, CatalogueEntry>> = {
  inception_v3: {
    title: (v) => `InceptionV3 (ImageNet, from nsfwjs ${v})`,
    source: (v) =>
      `Keras InceptionV3 shipped in ${NSFWJS} ${v}, converted to ONNX at build time. Weights up to mixed5 are the ` +
      "Keras ImageNet weights, frozen; from mixed6 on nsfwjs fine-tuned them on its own 5-class task. The classification head is not included.",
    layers: ["mixed0", "mixed1", "mixed2", "mixed3", "mixed4", "mixed5", "mixed6", "mixed7", "mixed8"].map((name) => ({name})),
    defaultLayer: "mixed4",
    minSize: 75,
    inputSize: 299,
  },
  mobilenet_v2: {
    title: (v) => `MobileNetV2 (ImageNet, from nsfwjs ${v})`,
    source: (v) =>
      `Keras MobileNetV2 shipped in ${NSFWJS} ${v}, converted to ONNX at build time. Weights up to block_10 are the ` +
      "Keras ImageNet weights, frozen; from block_11 on nsfwjs fine-tuned them on its own 5-class task. The classification head is not included.",
    layers: ["block_2_add", "block_5_add", "block_9_add", "block_12_add", "block_15_add", "out_relu"].map((name) => ({name})),
    defaultLayer: "block_9_add",
    minSize: 32,
    inputSize: 224,
  },
};

/** ONNX metadata key holding the converted layers' channels and fine-tuned flags (JSON ConvertedLayer[]). */
export const LAYERS_METADATA_KEY = "similarity-overlays.layers";

function convert(id: ModelId): Uint8Array {
  const {model, weightData} = readNsfwjsModel(id);
  const outputs = CATALOGUE[id].layers.map((l) => l.name);
  const conversion = convertKerasModel(model, weightData, {outputs, name: id});
  conversion.model.metadataProps.push(onnx.StringStringEntryProto.create({key: LAYERS_METADATA_KEY, value: JSON.stringify(conversion.outputs)}));
  return encodeModel(conversion.model);
}

const pending = new Map<string, Promise<{bytes: Uint8Array; path: string; hit: boolean}>>();

/** The ONNX file of model `id`: converted once, then read from .cache/models/<id>-<hash>.onnx. */
export async function modelFile(id: ModelId, cacheDir: string = CACHE_DIR): Promise<{bytes: Uint8Array; path: string; hit: boolean}> {
  if (!isModelId(id)) throw new Error(`unknown model ${String(id)} (available: ${MODEL_IDS.join(", ")})`);
  const hash = await converterHash(`nsfwjs@${nsfwjsVersion()}\0${id}`);
  const path = join(cacheDir, `${id}-${hash}.onnx`);
  let p = pending.get(path);
  if (!p) {
    p = cached(path, () => convert(id)).then(async (r) => {
      if (!r.hit) await pruneStale(cacheDir, new RegExp(`^${id}-[0-9a-f]{16}\\.onnx$`), `${id}-${hash}.onnx`);
      return {...r, path};
    });
    pending.set(path, p);
    p.catch(() => pending.delete(path));
  }
  return p;
}

/** The ONNX bytes of model `id`. */
export async function modelBytes(id: ModelId): Promise<Uint8Array> {
  return (await modelFile(id)).bytes;
}

function convertedLayers(model: ModelProto): Map<string, ConvertedLayer> {
  const entry = model.metadataProps.find((p) => p.key === LAYERS_METADATA_KEY);
  if (!entry) throw new Error(`ONNX model has no ${LAYERS_METADATA_KEY} metadata`);
  const layers = JSON.parse(entry.value ?? "[]") as ConvertedLayer[];
  return new Map(layers.map((l) => [l.name, l]));
}

/** The ModelSpec of a converted model (parsed ONNX graph). */
export function modelSpec(id: ModelId, model: ModelProto): ModelSpec {
  const entry = CATALOGUE[id];
  const version = nsfwjsVersion();
  const fields = receptiveFields(model);
  const converted = convertedLayers(model);
  const layers = entry.layers.map(({name}): LayerSpec => {
    const rf = fields.get(name);
    const layer = converted.get(name);
    if (!rf || !layer) throw new Error(`model ${id}: no receptive field or metadata for output ${name}`);
    return {name, output: name, channels: layer.channels, stride: rf.stride, receptiveField: rf.receptiveField, offset: rf.offset, finetuned: layer.finetuned, layout: "NCHW"};
  });
  return {
    id,
    title: entry.title(version),
    source: entry.source(version),
    input: {
      name: INPUT_NAME,
      layout: "NCHW",
      channelOrder: "RGB",
      normalization: {kind: "range", min: -1, max: 1},
      minSize: entry.minSize,
      fixedSize: null,
    },
    sizePolicy: {kind: "square", size: entry.inputSize},
    defaultLayer: entry.defaultLayer,
    layers,
  };
}

/**
 * Model `id` as ONNX bytes (NCHW input "input", one output per exposed layer), its ModelSpec, and a key that
 * changes whenever the bytes may (the cached file's name: id and the hash of the converter's inputs).
 */
export async function loadModel(id: string): Promise<{bytes: Uint8Array; spec: ModelSpec; key: string}> {
  if (!isModelId(id)) throw new Error(`unknown model ${id} (available: ${MODEL_IDS.join(", ")})`);
  const {bytes, path} = await modelFile(id);
  return {bytes, spec: modelSpec(id, decodeModel(bytes)), key: basename(path, ".onnx")};
}
