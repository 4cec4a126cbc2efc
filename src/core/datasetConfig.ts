// A dataset is a folder with images and a dataset.json. This checks that file's contents and names the
// first thing wrong, so a forked dataset fails with a message that says what to fix.

import type {SizePolicy} from "./modelSpec.js";
import {parseOwnModel, type OwnModelConfig} from "./ownModel.js";
import {checkSizePolicy} from "./sizePolicy.js";
import {parseTransformSets, type TransformSetConfig} from "./transformSets.js";

/** One image of a dataset. */
export interface DatasetImage {
  /** File name inside the dataset folder. */
  file: string;
  /** Who made the photo and where it comes from. */
  credit: string;
  /** Licence of the photo. */
  licence: string;
}

/** The contents of datasets/NAME/dataset.json. */
export interface DatasetConfig {
  /** Folder name; lowercase letters, digits and dashes (it appears in URLs). */
  name: string;
  title: string;
  description: string;
  /** Model id: from the model catalogue, e.g. "inception_v3", or the id of the dataset's own ONNX model. */
  model: string;
  /** The dataset's own ONNX model, when "model" names a file (see ownModel.ts). */
  ownModel?: OwnModelConfig;
  /** Layers to snapshot, each offered by the model (names; an own model maps them to output names). */
  layers: string[];
  /** How images are cropped and sized; the model's default when absent. */
  sizePolicy?: SizePolicy;
  images: DatasetImage[];
  /** Transformed sets made from some of the images (rotations, zooms); see transformSets.ts. */
  transforms?: TransformSetConfig[];
  /** Matrix factorisations to snapshot besides k = 4 at the default layer (src/core/factors.ts). */
  factors?: Array<{layer: string; k: number}>;
}

/** The range of k for matrix factors (the page's control and dataset.json's "factors"). */
export const FACTOR_K_RANGE = {min: 2, max: 8} as const;

const imageFile = /^[^/\\]+\.(jpe?g|png|webp|gif|tiff?|avif|bmp)$/i;

/** Parses and checks dataset.json text; `where` names the file in messages. */
export function parseDatasetConfig(text: string, where: string): DatasetConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where}: not valid JSON (${(error as Error).message})`);
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new Error(`${where}: expected a JSON object`);
  const r = raw as Record<string, unknown>;
  const text_ = (k: string, value: unknown = r[k], at = k): string => {
    if (typeof value !== "string" || !value.trim()) throw new Error(`${where}: "${at}" must be a non-empty string`);
    return value;
  };
  const name = text_("name");
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new Error(`${where}: "name" must use lowercase letters, digits and dashes, got ${JSON.stringify(name)}`);
  if (!Array.isArray(r.layers) || r.layers.length === 0) throw new Error(`${where}: "layers" must be a non-empty array of layer names`);
  const own = parseOwnModel(r.model, r.layers, where);
  const layers = own ? own.layers : r.layers.map((l, i) => text_("layers", l, `layers[${i}]`));
  if (!Array.isArray(r.images) || r.images.length === 0) throw new Error(`${where}: "images" must be a non-empty array`);
  if (r.images.length > 65535) throw new Error(`${where}: at most 65535 images, got ${r.images.length}`);
  const seen = new Set<string>();
  const images = r.images.map((d: unknown, i: number) => {
    const o = (d ?? {}) as Record<string, unknown>;
    const file = text_("file", o.file, `images[${i}].file`);
    if (!imageFile.test(file)) throw new Error(`${where}: images[${i}].file ${JSON.stringify(file)} must be a file name in the dataset folder ending in .jpg, .png, .webp, .gif, .tif, .avif or .bmp`);
    if (seen.has(file)) throw new Error(`${where}: images[${i}].file ${JSON.stringify(file)} is listed twice`);
    seen.add(file);
    return {file, credit: text_("credit", o.credit, `images[${i}].credit`), licence: text_("licence", o.licence, `images[${i}].licence`)};
  });
  return {
    name,
    title: text_("title"),
    description: text_("description"),
    ...(own ? {model: own.config.id, ownModel: own.config} : {model: text_("model")}),
    layers,
    ...(r.sizePolicy === undefined ? {} : {sizePolicy: checkSizePolicy(r.sizePolicy, where)}),
    images,
    ...(r.transforms === undefined ? {} : {transforms: parseTransformSets(r.transforms, where, images)}),
    ...(r.factors === undefined ? {} : {factors: checkFactors(r.factors, layers, where)})
  };
}

/** The k the page starts with and the build snapshots at each set's default layer. */
export const DEFAULT_FACTORS = 4;

/** One factorisation the build snapshots. */
export interface FactorSnapshot {
  layer: string;
  k: number;
}

/**
 * The factorisations the build snapshots for a set: k = DEFAULT_FACTORS at its default layer (the model's
 * default if the set lists it, else its first layer), then those its dataset.json asks for ("factors"),
 * without repeats.
 */
export function factorSnapshots(config: {layers: readonly string[]; factors?: readonly FactorSnapshot[]}, modelDefaultLayer: string): FactorSnapshot[] {
  const layer = config.layers.includes(modelDefaultLayer) ? modelDefaultLayer : config.layers[0];
  const out: FactorSnapshot[] = [{layer, k: DEFAULT_FACTORS}];
  for (const f of config.factors ?? []) if (!out.some((o) => o.layer === f.layer && o.k === f.k)) out.push({layer: f.layer, k: f.k});
  return out;
}

/** The name of a snapshot's file under src/data/DATASET/factors/, without ".arrow". */
export function factorFileName({layer, k}: FactorSnapshot): string {
  return `${layer}-k${k}`;
}

/** dataset.json's optional "factors": [{"layer": "mixed5", "k": 6}, …], each layer one the set lists. */
function checkFactors(value: unknown, layers: readonly string[], where: string): Array<{layer: string; k: number}> {
  if (!Array.isArray(value)) throw new Error(`${where}: "factors" must be an array of {"layer": …, "k": …} (or left out)`);
  const {min, max} = FACTOR_K_RANGE;
  return value.map((f: unknown, i) => {
    const o = (f ?? {}) as Record<string, unknown>;
    if (typeof o.layer !== "string" || !layers.includes(o.layer)) {
      throw new Error(`${where}: factors[${i}].layer must be one of the set's layers (${layers.join(", ")}), got ${JSON.stringify(o.layer)}`);
    }
    if (!Number.isInteger(o.k) || (o.k as number) < min || (o.k as number) > max) {
      throw new Error(`${where}: factors[${i}].k must be a whole number from ${min} to ${max}, got ${JSON.stringify(o.k)}`);
    }
    return {layer: o.layer, k: o.k as number};
  });
}

/** The image id used in tables and URLs: the file name without its extension. */
export function imageId(file: string): string {
  return file.replace(/\.[^.]+$/, "");
}
