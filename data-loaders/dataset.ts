// Reads a dataset folder (datasets/NAME/dataset.json plus images) and checks it before any work starts.

import {access, readFile} from "node:fs/promises";
import {join, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {parseDatasetConfig, type DatasetConfig} from "../src/core/datasetConfig.js";

/** The folder that holds all datasets: datasets/ beside this project, or $DATASETS_DIR (used by tests). */
export const datasetsRoot = process.env.DATASETS_DIR ?? resolve(fileURLToPath(import.meta.url), "../../datasets");

/** A checked dataset config and its folder. */
export interface Dataset {
  config: DatasetConfig;
  dir: string;
}

/** Reads and checks datasets/NAME/dataset.json, and that every image it lists exists. */
export async function readDataset(name: string, root = datasetsRoot): Promise<Dataset> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new Error(`invalid dataset name: ${JSON.stringify(name)}`);
  const dir = join(root, name);
  const path = join(dir, "dataset.json");
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new Error(`unknown dataset ${name}: ${path} does not exist (a dataset is a folder under datasets/ with a dataset.json)`);
  }
  const config = parseDatasetConfig(text, path);
  if (config.name !== name) throw new Error(`${path}: "name" is ${JSON.stringify(config.name)} but the folder is ${name}`);
  for (const image of config.images) {
    try {
      await access(join(dir, image.file));
    } catch {
      throw new Error(`${path}: image ${image.file} is listed but ${join(dir, image.file)} does not exist`);
    }
  }
  return {config, dir};
}
