// A dataset is a folder with images and a dataset.json. This checks that file's contents and names the
// first thing wrong, so a forked dataset fails with a message that says what to fix.

import type {SizePolicy} from "./modelSpec.js";
import {checkSizePolicy} from "./sizePolicy.js";

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
  /** Model id from the model catalogue, e.g. "inception_v3". */
  model: string;
  /** Layers to snapshot, each offered by the model. */
  layers: string[];
  /** How images are cropped and sized; the model's default when absent. */
  sizePolicy?: SizePolicy;
  images: DatasetImage[];
}

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
  const layers = r.layers.map((l, i) => text_("layers", l, `layers[${i}]`));
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
    model: text_("model"),
    layers,
    ...(r.sizePolicy === undefined ? {} : {sizePolicy: checkSizePolicy(r.sizePolicy, where)}),
    images
  };
}

/** The image id used in tables and URLs: the file name without its extension. */
export function imageId(file: string): string {
  return file.replace(/\.[^.]+$/, "");
}
