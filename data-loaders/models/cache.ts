// The on-disk cache of converted models: .cache/models/<id>-<hash>.onnx, keyed by a hash of the converter's
// source files and whatever else the caller mixes in (nsfwjs version, outputs), written atomically.
import {createHash, randomBytes} from "node:crypto";
import {mkdir, readdir, readFile, rename, rm, writeFile} from "node:fs/promises";
import {dirname, join, relative} from "node:path";
import {fileURLToPath} from "node:url";

/** data-loaders/models/: every .ts file under it is part of the cache key. */
export const CONVERTER_DIR = dirname(fileURLToPath(import.meta.url));
/** The repository root. */
export const ROOT = join(CONVERTER_DIR, "..", "..");
/** Default cache directory. */
export const CACHE_DIR = join(ROOT, ".cache", "models");

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, {withFileTypes: true});
  const nested = await Promise.all(entries.map(async (e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.isFile() && e.name.endsWith(".ts") ? [path] : [];
  }));
  return nested.flat().sort();
}

/** Hex hash (16 digits) of `extra` and the given source files (their paths from `base`, and contents). */
export async function filesHash(files: readonly string[], extra: string, base = ROOT): Promise<string> {
  const hash = createHash("sha256");
  hash.update(extra);
  for (const file of files) {
    hash.update(`\0${relative(base, file)}\0`);
    hash.update(await readFile(file));
  }
  return hash.digest("hex").slice(0, 16);
}

/** Hex hash of the converter sources plus `extra`. */
export async function converterHash(extra: string): Promise<string> {
  return filesHash(await sourceFiles(CONVERTER_DIR), extra, CONVERTER_DIR);
}

/** Deletes files in `dir` whose names match `pattern`, except `keep` (earlier conversions of a model). */
export async function pruneStale(dir: string, pattern: RegExp, keep: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((n) => pattern.test(n) && n !== keep);
  await Promise.all(names.map((n) => rm(join(dir, n), {force: true})));
  return names;
}

/** Reads `path`, or creates it with `make()` (temp file + rename, so readers never see a partial file). */
export async function cached(path: string, make: () => Uint8Array | Promise<Uint8Array>): Promise<{bytes: Uint8Array; hit: boolean}> {
  try {
    return {bytes: new Uint8Array(await readFile(path)), hit: true};
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const bytes = await make();
  await mkdir(dirname(path), {recursive: true});
  const temp = `${path}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
  try {
    await writeFile(temp, bytes);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, {force: true});
    throw error;
  }
  return {bytes, hit: false};
}
