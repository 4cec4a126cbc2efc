// The models the app offers: the two Keras models inside nsfwjs, converted to ONNX (cached), each with its
// ModelSpec. Layer channels and the fine-tuned flag come from the conversion (stored in the ONNX file's
// metadata); stride, receptive field and offset are computed from the ONNX graph.
//
// A layer loader whose activations are cached needs the ModelSpec, not the graph: the spec is stored beside
// the model as <id>-<hash>.spec.json (keyed also by the code that computes it), so such a loader neither
// parses the 11 MB ONNX file nor loads the converter and protobuf modules (imported here only when needed).
import {basename, join} from "node:path";
import type {LayerSpec, ModelSpec} from "../../src/core/modelSpec.js";
import {INPUT_METADATA_KEY, LAYERS_METADATA_KEY} from "../../src/core/ownModel.js";
import {CACHE_DIR, cached, converterHash, filesHash, pruneStale, ROOT} from "./cache.js";
import type {ConvertedLayer} from "./convert.js";
import {nsfwjsVersion} from "./nsfwjsFiles.js";
import type {ModelProto} from "./onnxBuilder.js";

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
  /** Layers the model file names in its metadata for "Your model" to tick first (a finer and a coarser grid). */
  suggested: string[];
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
    suggested: ["mixed2", "mixed4"],
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
    suggested: ["block_9_add", "out_relu"],
    minSize: 32,
    inputSize: 224,
  },
};

// LAYERS_METADATA_KEY: the converted layers' channels and fine-tuned flags (JSON ConvertedLayer[]);
// INPUT_METADATA_KEY: what the model needs from its input and the layers to try first, as any ONNX file may
// say it about itself (src/core/ownModel.ts modelHints, read by the "Your model" page).

/** What a converted model's file says about its input (INPUT_METADATA_KEY): [−1, 1], RGB, its size and layers. */
export function inputMetadata(id: ModelId): string {
  const entry = CATALOGUE[id];
  const version = nsfwjsVersion();
  return JSON.stringify({preprocessing: {range: [-1, 1]}, channelOrder: "RGB", size: entry.inputSize, layers: entry.suggested, title: entry.title(version), source: entry.source(version)});
}

async function convert(id: ModelId): Promise<Uint8Array> {
  const [{convertKerasModel}, {readNsfwjsModel}, {encodeModel, onnx}] = await Promise.all([import("./convert.js"), import("./nsfwjsFiles.js"), import("./onnxBuilder.js")]);
  const {model, weightData} = readNsfwjsModel(id);
  const outputs = CATALOGUE[id].layers.map((l) => l.name);
  const conversion = convertKerasModel(model, weightData, {outputs, name: id});
  conversion.model.metadataProps.push(
    onnx.StringStringEntryProto.create({key: LAYERS_METADATA_KEY, value: JSON.stringify(conversion.outputs)}),
    onnx.StringStringEntryProto.create({key: INPUT_METADATA_KEY, value: inputMetadata(id)})
  );
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
export async function modelSpec(id: ModelId, model: ModelProto): Promise<ModelSpec> {
  const [{receptiveFields}, {INPUT_NAME}] = await Promise.all([import("../../src/core/receptiveField.js"), import("./convert.js")]);
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
  return {bytes, spec: await cachedSpec(id, path, bytes), key: basename(path, ".onnx")};
}

/** The code between a converted model's bytes and its ModelSpec (part of the spec file's key). */
const SPEC_CODE = ["receptiveField.ts", "fieldAlgebra.ts", "onnxGraph.ts", "onnxNodes.ts", "tensorLayout.ts", "modelSpec.ts"].map((f) => join(ROOT, "src", "core", f));

const specs = new Map<string, Promise<ModelSpec>>();

/** The ModelSpec of the model at `path`: computed once, then read from <path without .onnx>-<code hash>.spec.json. */
function cachedSpec(id: ModelId, path: string, bytes: Uint8Array): Promise<ModelSpec> {
  let spec = specs.get(path);
  if (!spec) {
    spec = filesHash(SPEC_CODE, "model-spec 1").then(async (code) => {
      const file = `${path.slice(0, -".onnx".length)}-${code}.spec.json`;
      const make = async () => {
        const {decodeModel} = await import("./onnxBuilder.js");
        return new TextEncoder().encode(JSON.stringify(await modelSpec(id, decodeModel(bytes))));
      };
      const {bytes: json, hit} = await cached(file, make);
      // A spec computed by older code is dead weight (and would be read by nobody): drop it.
      const base = basename(path, ".onnx");
      if (!hit) await pruneStale(join(path, ".."), new RegExp(`^${base}-[0-9a-f]{16}\\.spec\\.json$`), basename(file));
      return JSON.parse(new TextDecoder().decode(json)) as ModelSpec;
    });
    specs.set(path, spec);
    spec.catch(() => specs.delete(path));
  }
  return spec;
}
