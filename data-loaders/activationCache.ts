// The build's on-disk cache under .cache/ (gitignored), shared by a dataset's loaders so that each image runs
// through the model once for all the dataset's layers, however many loader processes Framework starts (one
// per file, possibly at the same time). Two kinds of entry, both keyed by content:
//
//   inputs/<key>.rgb   an image's model input: its 8-bit RGB pixels and sizes. Key: the source file's bytes,
//                      the size policy, the sources of the decode → crop → resize → 8-bit code, sharp's and
//                      libvips' versions.
//   cells/<key>/       an image's activations at every layer of its dataset, one <layer>.f32 file each. Key:
//                      the model's bytes, its input description, the set of layers, onnxruntime's version,
//                      the sources of the tensor and cell-major code, and the exact 8-bit input pixels.
//
// Entries are written whole or not at all: a file as temp + rename, a layer folder as a temp folder renamed
// into place, so a reader (or a later run) never sees half an entry; a failed or killed loader leaves at
// most a temp file that nothing reads (swept by the next run). While one loader runs the model for a
// dataset, the others wait on a lock file (the holder's pid inside; a lock whose process is gone is taken
// over), then read what it wrote.
import {createHash, randomBytes} from "node:crypto";
import {mkdir, open, readdir, readFile, rename, rm, stat, writeFile} from "node:fs/promises";
import {join} from "node:path";
import {ROOT, cached, filesHash} from "./models/cache.js";
import type {LayerCells} from "../src/core/embedImage.js";
import type {Rgb8} from "../src/core/pixels.js";

/** Default cache folder; the environment variable ACTIVATION_CACHE_DIR overrides it (tests, benchmarks), and
 * `none` turns the cache off (every loader decodes its images and runs the model for its own layer). */
export const ACTIVATION_CACHE_DIR: string | null = process.env.ACTIVATION_CACHE_DIR === "none" ? null : (process.env.ACTIVATION_CACHE_DIR ?? join(ROOT, ".cache", "activations"));

/** Bumped when an entry's layout changes. */
const FORMAT = "activation-cache-1";

const sha256 = (...parts: Array<string | Uint8Array>) => {
  const hash = createHash("sha256");
  for (const p of parts) hash.update(typeof p === "string" ? `${p.length}:${p}` : p);
  return hash.digest("hex");
};

const code = (...files: string[]) => files.map((f) => join(ROOT, f));

/** The code between decoded file and 8-bit model input (part of every input entry's key). */
export const INPUT_CODE = code("data-loaders/decodeImage.ts", "src/core/embedImage.ts", "src/core/pixels.ts", "src/core/resize.ts", "src/core/sizePolicy.ts");
/** The code between 8-bit input and cell-major activations (part of every cells entry's key). */
export const CELLS_CODE = code("src/core/embedImage.ts", "src/core/preprocess.ts", "src/core/cellMajor.ts", "src/core/tapModel.ts", "src/core/tapSession.ts", "src/core/ortRuntime.ts");

/** What an input entry holds besides the pixels. */
export interface CachedInput extends Rgb8 {
  /** Size of the decoded source file. */
  originalWidth: number;
  originalHeight: number;
}

const HEADER = 16;

function encodeInput(input: CachedInput): Uint8Array {
  const out = new Uint8Array(HEADER + input.data.length);
  new DataView(out.buffer).setUint32(0, input.width, true);
  new DataView(out.buffer).setUint32(4, input.height, true);
  new DataView(out.buffer).setUint32(8, input.originalWidth, true);
  new DataView(out.buffer).setUint32(12, input.originalHeight, true);
  out.set(input.data, HEADER);
  return out;
}

function decodeInput(bytes: Uint8Array, path: string): CachedInput {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = view.getUint32(0, true), height = view.getUint32(4, true);
  if (bytes.length !== HEADER + width * height * 3) throw new Error(`cache entry ${path} has ${bytes.length} bytes, not ${HEADER + width * height * 3}: delete .cache/activations and build again`);
  return {data: bytes.slice(HEADER), width, height, channels: 3, originalWidth: view.getUint32(8, true), originalHeight: view.getUint32(12, true)};
}

let inputCode: Promise<string> | null = null;

/** The model input of a source file, from the cache or made by `make()` (and then stored). */
export async function cachedInput(dir: string, source: Uint8Array, policy: string, make: () => Promise<CachedInput>): Promise<CachedInput> {
  inputCode ??= import("sharp").then(async ({default: sharp}) => JSON.stringify(sharp.versions) + (await filesHash(INPUT_CODE, "")));
  const key = sha256(FORMAT, "input", policy, await inputCode, source);
  const path = join(dir, "inputs", `${key}.rgb`);
  const {bytes} = await cached(path, async () => encodeInput(await make()));
  return decodeInput(bytes, path);
}

/** What a cells key depends on besides the image: the model (its cache key: id and the hash of the converter's
 * inputs), its input description, the layers, the runtime, the code. */
export async function cellsContext(parts: {model: string; input: unknown; layers: unknown; runtime: string}): Promise<string> {
  return sha256(FORMAT, "cells", JSON.stringify(parts), await filesHash(CELLS_CODE, ""));
}

/** The key of one image's activations in `context`. */
export function cellsKey(context: string, input: Rgb8): string {
  return sha256(context, `${input.width}x${input.height}`, input.data);
}

const layerFile = (dir: string, key: string, layer: string) => join(dir, "cells", key, `${layer}.f32`);

/** One layer of a cells entry, or null when the entry is absent. */
export async function readCells(dir: string, key: string, layer: string): Promise<LayerCells | null> {
  const path = layerFile(dir, key, layer);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = view.getUint32(0, true), height = view.getUint32(4, true), channels = view.getUint32(8, true);
  if (bytes.length !== 12 + width * height * channels * 4) throw new Error(`cache entry ${path} has ${bytes.length} bytes, not ${12 + width * height * channels * 4}: delete .cache/activations and build again`);
  // A view when the file has a buffer of its own (readFile's, for any entry of more than a few values) and
  // the values are aligned in it; otherwise a copy, aligned and independent of Node's buffer pool.
  const n = width * height * channels;
  const own = bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length;
  const values = own ? new Float32Array(bytes.buffer, 12, n) : new Float32Array(n);
  if (!own) new Uint8Array(values.buffer).set(bytes.subarray(12));
  return {values, grid: {width, height}, channels};
}

/** Whether the cells entry `key` exists (it is complete if it does: it appears by one rename). */
export async function hasCells(dir: string, key: string): Promise<boolean> {
  try {
    return (await stat(join(dir, "cells", key))).isDirectory();
  } catch {
    return false;
  }
}

const tempName = () => `.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;

/** Stores one image's activations at every layer as entry `key`, all layers or none. */
export async function writeCells(dir: string, key: string, layers: Readonly<Record<string, LayerCells>>): Promise<void> {
  const cells = join(dir, "cells");
  const temp = join(cells, tempName());
  await mkdir(temp, {recursive: true});
  try {
    for (const [name, {values, grid, channels}] of Object.entries(layers)) {
      const header = new Uint8Array(12);
      new DataView(header.buffer).setUint32(0, grid.width, true);
      new DataView(header.buffer).setUint32(4, grid.height, true);
      new DataView(header.buffer).setUint32(8, channels, true);
      await writeFile(join(temp, `${name}.f32`), Buffer.concat([header, new Uint8Array(values.buffer, values.byteOffset, values.byteLength)]));
    }
    await rename(temp, join(cells, key));
  } catch (error) {
    await rm(temp, {recursive: true, force: true});
    // Another loader stored the same entry first: it holds the same values.
    if (["ENOTEMPTY", "EEXIST"].includes((error as NodeJS.ErrnoException).code ?? "") && (await hasCells(dir, key))) return;
    throw error;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes temp files and folders left by processes that are gone. */
async function sweep(dir: string): Promise<void> {
  for (const sub of ["cells", "inputs"]) {
    const names = await readdir(join(dir, sub)).catch(() => [] as string[]);
    for (const name of names) {
      const pid = /(?:^\.tmp-|\.)(\d+)-[0-9a-f]{8}(?:\.tmp)?$/.exec(name)?.[1];
      if (pid && !alive(Number(pid))) await rm(join(dir, sub, name), {recursive: true, force: true});
    }
  }
}

/**
 * Runs `work` holding the lock `name` (a file in `dir` made with O_EXCL, holding this process's pid). While
 * another live process holds it, waits; a lock whose process is gone is removed and taken.
 */
export async function withLock<T>(dir: string, name: string, work: () => Promise<T>, {poll = 100, timeout = 30 * 60_000} = {}): Promise<T> {
  await mkdir(dir, {recursive: true});
  const path = join(dir, `${name}.lock`);
  const start = Date.now();
  for (;;) {
    try {
      const handle = await open(path, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = Number(await readFile(path, "utf8").catch(() => ""));
    // An empty file is a lock being written this instant; a dead pid is a lock left by a killed loader.
    if (holder && !alive(holder)) await rm(path, {force: true});
    else if (Date.now() - start > timeout) throw new Error(`waited ${Math.round(timeout / 60_000)} minutes for ${path} (held by process ${holder}): if no build is running, delete it and build again`);
    else await new Promise((resolve) => setTimeout(resolve, poll));
  }
  try {
    await sweep(dir);
    return await work();
  } finally {
    await rm(path, {force: true});
  }
}
