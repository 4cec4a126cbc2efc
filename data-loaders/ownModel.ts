// A dataset's own ONNX model (dataset.json "model": {"file": "….onnx", …}): its bytes and its ModelSpec, made
// the way the "Your model" page makes one (src/core/userModel.ts) from the file's image input and candidate
// layers (src/core/layerTap.ts: one probe run), with the preprocessing, layout, size and layers the config
// gives (or the file's metadata says). Every problem is an Error naming the dataset.json and what to fix.
// The spec is cached beside the converted models (.cache/models/own/), keyed by the file's bytes, the config
// and the code that computes it.
import {createHash} from "node:crypto";
import {access, readFile, readdir} from "node:fs/promises";
import {join, relative, resolve, sep} from "node:path";
import type {ModelSpec} from "../src/core/modelSpec.js";
import {checkModelBytes, checkSelfContained} from "../src/core/modelFile.js";
import {decodeModel, describeImageInput, encodeModel, graphOf, realInputs, type ImageInput, type ModelProto} from "../src/core/onnxGraph.js";
import {modelHints} from "../src/core/ownModel.js";
import {userModelSpec} from "../src/core/userModel.js";
import {readDataset, datasetsRoot, type Dataset} from "./dataset.js";
import {CACHE_DIR, ROOT, cached, filesHash} from "./models/cache.js";
import {isModelId, loadModel, MODEL_IDS} from "./models/catalogue.js";

/** The project's folder for model files that several datasets share. */
export const MODELS_DIR = join(ROOT, "models");

/** A model as the loaders use it: ONNX bytes, its ModelSpec, and a key that changes whenever the bytes may. */
export interface LoadedModel {
  bytes: Uint8Array;
  spec: ModelSpec;
  key: string;
}

const configPath = (dataset: Dataset) => join(dataset.dir, "dataset.json");

/** Where a dataset's own model file is; it must be inside the dataset folder or models/, and exist. */
export async function ownModelPath(dataset: Dataset): Promise<string> {
  const own = dataset.config.ownModel!;
  const where = configPath(dataset);
  const path = resolve(dataset.dir, own.file);
  const inside = (dir: string) => path.startsWith(`${resolve(dir)}${sep}`);
  if (!inside(dataset.dir) && !inside(MODELS_DIR)) throw new Error(`${where}: "model.file" ${JSON.stringify(own.file)} must be inside the dataset folder or the project's models/ folder`);
  try {
    await access(path);
  } catch {
    throw new Error(`${where}: model file ${own.file} is named but ${path} does not exist`);
  }
  return path;
}

/** The model with its image input declared in `layout` (a channel axis of 3), for an input whose shape does not show it. */
function declareLayout(model: ModelProto, input: string, layout: "NCHW" | "NHWC", where: string): ModelProto {
  const value = graphOf(model).input.find((v) => v.name === input);
  const dims = value?.type?.tensorType?.shape?.dim;
  if (!value || !dims || dims.length !== 4) throw new Error(`${where}: "model.layout" is given, but the model's input ${input} has no 4-dimensional shape`);
  const axis = layout === "NCHW" ? 1 : 3;
  const d = dims[axis]!;
  if (d.dimValue != null && Number(d.dimValue) !== 0 && Number(d.dimValue) !== 3) throw new Error(`${where}: "model.layout" is ${layout}, but axis ${axis} of input ${input} has size ${Number(d.dimValue)}, not 3`);
  dims[axis] = {dimValue: 3};
  return model;
}

/** The first input that is not an initializer (before any check of its shape). */
function firstInputName(model: ModelProto): string {
  return realInputs(graphOf(model))[0]?.name ?? "";
}

const SPEC_CODE = ["userModel.ts", "layerTap.ts", "receptiveField.ts", "fieldAlgebra.ts", "onnxGraph.ts", "onnxNodes.ts", "tensorLayout.ts", "modelSpec.ts", "ownModel.ts", "modelFile.ts"].map((f) => join(ROOT, "src", "core", f));

/** Reads, checks and describes a dataset's own model. */
export async function loadOwnModel(dataset: Dataset, cacheDir = CACHE_DIR): Promise<LoadedModel> {
  const own = dataset.config.ownModel;
  if (!own) throw new Error(`${configPath(dataset)}: the dataset names no model file`);
  const where = configPath(dataset);
  const path = await ownModelPath(dataset);
  let bytes: Uint8Array = new Uint8Array(await readFile(path));
  const what = `model file ${own.file}`;
  const fail = (message: string): never => {
    throw new Error(`${where}: ${message}`);
  };
  try {
    checkModelBytes(own.file, bytes);
  } catch (error) {
    fail((error as Error).message);
  }
  let model: ModelProto;
  try {
    model = decodeModel(bytes, what);
  } catch (error) {
    return fail(`${(error as Error).message}: export it to ONNX again`);
  }
  try {
    checkSelfContained(model, what);
  } catch (error) {
    fail((error as Error).message);
  }
  if (own.layout) {
    model = declareLayout(model, firstInputName(model), own.layout, where);
    bytes = encodeModel(model);
  }
  let input: ImageInput;
  try {
    input = describeImageInput(model, what);
  } catch (error) {
    return fail(`${(error as Error).message}; if the input's layout is the problem, say it with "model": {"layout": "NCHW"} or "NHWC"`);
  }
  if (own.layout && input.layout !== own.layout) fail(`"model.layout" is ${own.layout}, but the input shape of ${own.file} reads as ${input.layout}`);
  if (input.channels !== 3) fail(`${what} takes ${input.channels}-channel images; datasets are colour images (3 channels)`);
  const hints = modelHints(model);
  const normalization = own.normalization ?? hints.normalization;
  if (!normalization) fail(`give the preprocessing ${own.file} was trained with, e.g. "model": {"preprocessing": {"mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]}} (torchvision) or {"range": [-1, 1]}; the file's metadata does not say`);
  const fixed = input.height != null && input.width != null;
  const policy = dataset.config.sizePolicy;
  const size = fixed ? input.width! : policy ? (policy.kind === "fixed" ? policy.width : policy.size) : hints.size;
  if (size == null) fail(`${own.file} takes any input size: give "sizePolicy", e.g. {"kind": "square", "size": 224}`);
  if (fixed && policy && !(policy.kind === "fixed" && policy.width === input.width && policy.height === input.height)) {
    fail(`${own.file} has a fixed input of ${input.width}×${input.height}; "sizePolicy" must be {"kind": "fixed", "width": ${input.width}, "height": ${input.height}} or left out`);
  }
  const sha = createHash("sha256").update(bytes).digest("hex").slice(0, 16);
  const settings = JSON.stringify({own, policy: policy ?? null, size, normalization});
  const code = await filesHash(SPEC_CODE, `own-model-spec 1\0${settings}`);
  const key = `${own.id}-${sha}`;
  const specFile = join(cacheDir, "own", `${key}-${code}.spec.json`);
  const make = async () => {
    const [ort, {listCandidateLayers}] = await Promise.all([import("onnxruntime-node"), import("../src/core/layerTap.js")]);
    const probe = fixed ? {width: input.width!, height: input.height!} : policy?.kind === "fixed" ? {width: policy.width, height: policy.height} : {width: size!, height: size!};
    let layers;
    try {
      layers = await listCandidateLayers(ort, model, {fileName: what, size: probe});
    } catch (error) {
      return fail(`${(error as Error).message}; check that onnxruntime can run ${own.file} (export it again with a recent standard opset, e.g. 17)`);
    }
    const outputs = Object.entries(own.outputs).map(([name, output]) => {
      if (layers.some((l) => l.output === output)) return output;
      const near = layers.slice(0, 12).map((l) => l.output).join(", ");
      return fail(`layer ${JSON.stringify(name)}: ${JSON.stringify(output)} is not an output of ${own.file} with a grid of cells (4-D with height and width > 1, or transformer tokens on a patch grid); its candidate outputs include ${near}${layers.length > 12 ? ", …" : ""}`);
    });
    const names = Object.fromEntries(Object.entries(own.outputs).map(([name, output]) => [output, name]));
    const spec = userModelSpec(input, layers, {
      name: own.file,
      id: own.id,
      title: own.title ?? hints.title ?? own.file,
      source: own.source ?? hints.source ?? `${own.file}, named by datasets/${dataset.config.name}/dataset.json`,
      preprocessing: normalization!,
      channelOrder: own.channelOrder ?? hints.channelOrder ?? "RGB",
      inputSize: fixed ? 224 : size!,
      outputs,
      names
    });
    if (policy && !fixed) spec.sizePolicy = policy;
    return new TextEncoder().encode(JSON.stringify(spec));
  };
  const {bytes: json} = await cached(specFile, make);
  return {bytes, spec: JSON.parse(new TextDecoder().decode(json)) as ModelSpec, key};
}

/** The model a dataset names: a bundled one from the catalogue, or its own file. */
export async function loadDatasetModel(dataset: Dataset): Promise<LoadedModel> {
  if (dataset.config.ownModel) return loadOwnModel(dataset);
  const id = dataset.config.model;
  if (!isModelId(id)) throw new Error(`${configPath(dataset)}: unknown model ${id} (bundled: ${MODEL_IDS.join(", ")}); for a model file of your own write "model": {"file": "….onnx", …}`);
  return loadModel(id);
}

/** Model `id`, bundled or the own model of a dataset (the first, by name, of those naming it; all must agree). */
export async function loadModelById(id: string, root = datasetsRoot): Promise<LoadedModel> {
  if (isModelId(id)) return loadModel(id);
  const names = (await readdir(root, {withFileTypes: true})).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  const users: Dataset[] = [];
  for (const name of names) {
    if (!(await access(join(root, name, "dataset.json")).then(() => true, () => false))) continue;
    const dataset = await readDataset(name, root);
    if (dataset.config.ownModel && dataset.config.model === id) users.push(dataset);
  }
  if (!users.length) throw new Error(`unknown model ${id} (available: ${MODEL_IDS.join(", ")}): no dataset.json names a model file with this id`);
  const first = users[0]!;
  for (const other of users.slice(1)) {
    const same = (await ownModelPath(other)) === (await ownModelPath(first)) && JSON.stringify({...other.config.ownModel, outputs: null}) === JSON.stringify({...first.config.ownModel, outputs: null});
    if (!same) throw new Error(`${relative(ROOT, configPath(other))}: model id ${JSON.stringify(id)} is also used by ${relative(ROOT, configPath(first))} for another file or other settings: give one of them another "model.id"`);
  }
  return loadOwnModel(first);
}
