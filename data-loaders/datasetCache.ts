// Keeps Framework's cached loader outputs in step with the dataset folders. Framework reruns a data loader
// only when its cached output is missing (a build even reuses an output older than its loader), so it cannot
// know that src/data/[dataset]/*.arrow depend on datasets/NAME/dataset.json and the images it lists. Each
// dataset gets a fingerprint of those inputs, recorded beside its cached outputs; when the folder no longer
// matches it, that dataset's cached outputs are deleted, and the next build or page load runs its loaders
// again (and a loader that fails then fails the build, naming the file, instead of a stale file being served).

import {createHash} from "node:crypto";
import {existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync} from "node:fs";
import {dirname, join, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import type {DatasetConfig} from "../src/core/datasetConfig.js";

/** Name of the file, inside a dataset's cache folder, that records the fingerprint its outputs were made from. */
const FINGERPRINT_FILE = ".dataset-fingerprint";

/** A digest of dataset.json's bytes and of each listed image's bytes (or its absence), in listed order. */
export function datasetFingerprint(dir: string, config: DatasetConfig): string {
  const hash = createHash("sha256").update("dataset-fingerprint 1\0").update(readFileSync(join(dir, "dataset.json")));
  for (const {file} of config.images) {
    const path = join(dir, file);
    const bytes = existsSync(path) ? createHash("sha256").update(readFileSync(path)).digest("hex") : "missing";
    hash.update(`\0${file}\0${bytes}`);
  }
  // A dataset's own model file: an edited model makes new activations (its description is fingerprinted too).
  if (config.ownModel) hash.update(`\0model\0${fileDigest(resolve(dir, config.ownModel.file))}`);
  return hash.digest("hex");
}

const fileDigest = (path: string) => (existsSync(path) ? createHash("sha256").update(readFileSync(path)).digest("hex") : "missing");

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The code between a model and its description file and ONNX output (data/models/ID.json, ID.onnx). */
function modelCodeDigest(): string {
  const hash = createHash("sha256").update(codeDigest(["data-loaders/models", "src/core"]));
  for (const file of [join(ROOT, "data-loaders", "ownModel.ts"), join(ROOT, "node_modules", "nsfwjs", "package.json")]) hash.update(`\0${fileDigest(file)}`);
  return hash.digest("hex");
}

/**
 * A digest of what model `id`'s outputs (data/models/ID.json and ID.onnx) are made from: the code, and for a
 * dataset's own model the file and the settings of every dataset that names it.
 */
export function modelFingerprint(id: string, datasetsDir: string, configs: DatasetConfig[], code = modelCodeDigest()): string {
  const hash = createHash("sha256").update(`model-fingerprint 1\0${id}\0${code}`);
  for (const config of configs) {
    if (config.model !== id || !config.ownModel) continue;
    hash.update(`\0${config.name}\0${JSON.stringify([config.ownModel, config.sizePolicy ?? null, config.layers])}\0${fileDigest(resolve(datasetsDir, config.name, config.ownModel.file))}`);
  }
  return hash.digest("hex");
}

/** A digest of every .ts file under `dirs` (relative to the project root), recursively, in name order. */
export function codeDigest(dirs: readonly string[]): string {
  const hash = createHash("sha256");
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, {withFileTypes: true}).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts")) hash.update(`\0${path.slice(ROOT.length)}\0`).update(readFileSync(path));
    }
  };
  for (const dir of dirs) walk(join(ROOT, dir));
  return hash.digest("hex");
}

/** The code a dataset's outputs are made by: the loaders and the core (the activation cache keeps its own keys). */
const LOADER_CODE = ["data-loaders", "src/core", "src/data"];

/** The code a worker bundle (src/w/[worker].js.ts) is made of: the workers and what they import. */
const WORKER_CODE = ["workers", "src/core", "bench", "src/w"];

/**
 * Deletes Framework's cached worker bundles (`cacheDir`/w) when the code they are made of changed since they
 * were bundled. Framework reuses a cached output even when its sources are newer, so without this an edit
 * under workers/ would keep serving the old bundle. Returns whether they were deleted.
 */
export function invalidateChangedWorkers(cacheDir: string): boolean {
  const dir = join(cacheDir, "w");
  const recordPath = join(cacheDir, ".workers.fingerprint");
  const fingerprint = codeDigest(WORKER_CODE);
  if (existsSync(recordPath) && readFileSync(recordPath, "utf8") === fingerprint) return false;
  rmSync(dir, {recursive: true, force: true});
  mkdirSync(cacheDir, {recursive: true});
  writeRecord(recordPath, fingerprint);
  return true;
}

/** Writes `text` to `path` by temp file and rename. */
function writeRecord(path: string, text: string): void {
  const temp = `${path}.${process.pid}`;
  writeFileSync(temp, text);
  renameSync(temp, path);
}

/**
 * Deletes the cached model outputs (`cacheDataDir`/models/ID.json, ID.onnx) of every model the datasets name
 * whose fingerprint changed since they were made (an edited model file or dataset.json, new code), and
 * records the new fingerprint. Returns those models' ids.
 */
export function invalidateChangedModels(datasetsDir: string, cacheDataDir: string, configs: DatasetConfig[]): string[] {
  const changed: string[] = [];
  const dir = join(cacheDataDir, "models");
  const code = modelCodeDigest();
  for (const id of [...new Set(configs.map((c) => c.model))]) {
    const fingerprint = modelFingerprint(id, datasetsDir, configs, code);
    const recordPath = join(dir, `.${id}.fingerprint`);
    if (existsSync(recordPath) && readFileSync(recordPath, "utf8") === fingerprint) continue;
    mkdirSync(dir, {recursive: true});
    for (const ext of ["json", "onnx"]) rmSync(join(dir, `${id}.${ext}`), {force: true});
    writeRecord(recordPath, fingerprint);
    changed.push(id);
  }
  return changed;
}

/**
 * Deletes the cached outputs (under `cacheDataDir`/NAME/) of every dataset whose folder under `datasetsDir`,
 * or whose loaders' code, changed since they were made, and records the new fingerprint. Returns the names of those datasets.
 */
export function invalidateChangedDatasets(datasetsDir: string, cacheDataDir: string, configs: DatasetConfig[]): string[] {
  const changed: string[] = [];
  // The loaders' code is part of every dataset's fingerprint: Framework would otherwise serve outputs made by older code.
  const code = codeDigest(LOADER_CODE);
  for (const config of configs) {
    const fingerprint = createHash("sha256").update(datasetFingerprint(join(datasetsDir, config.name), config)).update(`\0code\0${code}`).digest("hex");
    const cacheDir = join(cacheDataDir, config.name);
    const recordPath = join(cacheDir, FINGERPRINT_FILE);
    if (existsSync(recordPath) && readFileSync(recordPath, "utf8") === fingerprint) continue;
    // Outputs first, then the record: an interrupted run leaves outputs missing, never stale ones recorded fresh.
    rmSync(cacheDir, {recursive: true, force: true});
    mkdirSync(cacheDir, {recursive: true});
    writeRecord(recordPath, fingerprint);
    changed.push(config.name);
  }
  return changed;
}
