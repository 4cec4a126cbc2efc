// Keeps Framework's cached loader outputs in step with the dataset folders. Framework reruns a data loader
// only when its cached output is missing (a build even reuses an output older than its loader), so it cannot
// know that src/data/[dataset]/*.arrow depend on datasets/NAME/dataset.json and the images it lists. Each
// dataset gets a fingerprint of those inputs, recorded beside its cached outputs; when the folder no longer
// matches it, that dataset's cached outputs are deleted, and the next build or page load runs its loaders
// again (and a loader that fails then fails the build, naming the file, instead of a stale file being served).

import {createHash} from "node:crypto";
import {existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";
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
  return hash.digest("hex");
}

/**
 * Deletes the cached outputs (under `cacheDataDir`/NAME/) of every dataset whose folder under `datasetsDir`
 * changed since they were made, and records the new fingerprint. Returns the names of those datasets.
 */
export function invalidateChangedDatasets(datasetsDir: string, cacheDataDir: string, configs: DatasetConfig[]): string[] {
  const changed: string[] = [];
  for (const config of configs) {
    const fingerprint = datasetFingerprint(join(datasetsDir, config.name), config);
    const cacheDir = join(cacheDataDir, config.name);
    const recordPath = join(cacheDir, FINGERPRINT_FILE);
    if (existsSync(recordPath) && readFileSync(recordPath, "utf8") === fingerprint) continue;
    // Outputs first, then the record: an interrupted run leaves outputs missing, never stale ones recorded fresh.
    rmSync(cacheDir, {recursive: true, force: true});
    mkdirSync(cacheDir, {recursive: true});
    const temp = `${recordPath}.${process.pid}`;
    writeFileSync(temp, fingerprint);
    renameSync(temp, recordPath);
    changed.push(config.name);
  }
  return changed;
}
