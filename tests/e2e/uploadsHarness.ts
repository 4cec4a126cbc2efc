// What the live-upload tests (uploadsParity.test.ts) and benchmark (bench/uploads.ts) share:
// - buildUploadsSite(): a real `observable build` of the site with the upload files at fixed paths
//   (uploadsSite.config.ts), into tests/output/uploads-site/, leaving dist/ alone;
// - startUploads() / embedInBrowser() / embedError(): drive the built worker from a page of that site
//   through the site's own Comlink bundle;
// - nodeEmbedding(): the build's path for a dataset image (sharp, embedPixels, onnxruntime-node), the
//   reference the browser's results are compared with.
import {spawnSync} from "node:child_process";
import {readdirSync, rmSync} from "node:fs";
import {delimiter, join} from "node:path";
import * as ort from "onnxruntime-node";
import type {Page} from "playwright-core";
import {decodeImage} from "../../data-loaders/decodeImage.js";
import {openDataset} from "../../data-loaders/snapshot.js";
import {embedPixels} from "../../src/core/embedImage.js";
import {createTapSession} from "../../src/core/layerTap.js";
import {findLayer} from "../../src/core/modelSpec.js";
import {toInputTensor} from "../../src/core/preprocess.js";
import type {UploadsInit, UploadsReady} from "../../workers/uploads.js";
import {UPLOAD_PATHS} from "./uploadsSite.config.js";

export {UPLOAD_PATHS};

const root = join(import.meta.dirname, "..", "..");

/** The folder the uploads site is built into. */
export const uploadsSiteDir = join(root, "tests", "output", "uploads-site");

/** Builds the site into uploadsSiteDir and returns that folder; throws with the build's output on failure. */
export function buildUploadsSite(): string {
  // Framework reuses a loader's cached output whatever changed in workers/, src/core/ or node_modules:
  // rebundle the worker, and recopy the runtime binary so that it matches the onnxruntime-web bundled in it.
  for (const file of ["uploads.js", "ort-wasm-simd-threaded.jsep.wasm"]) rmSync(join(root, "src", ".observablehq", "cache", "w", file), {force: true});
  const bin = join(root, "node_modules", ".bin");
  const cli = join(root, "node_modules", "@observablehq", "framework", "dist", "bin", "observable.js");
  const r = spawnSync(process.execPath, ["--import", "tsx", cli, "build", "--config", join("tests", "e2e", "uploadsSite.config.ts")], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 1 << 26,
    env: {...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ""}`, OBSERVABLE_TELEMETRY_DISABLE: "true", UPLOADS_SITE_DIR: uploadsSiteDir}
  });
  if (r.status !== 0) throw new Error(`observable build of the uploads site failed (status ${r.status}):\n${(r.stdout + r.stderr).slice(-4000)}`);
  return uploadsSiteDir;
}

/** Site path of the Comlink bundle the build made for the pages (under /_node/, content-hashed). */
export function comlinkPath(site: string): string {
  const dir = readdirSync(join(site, "_node")).find((d) => d.startsWith("comlink@"));
  const file = dir && readdirSync(join(site, "_node", dir)).find((f) => /^index\.[0-9a-f]+\.js$/.test(f));
  if (!file) throw new Error(`no Comlink bundle under ${site}/_node/`);
  return `/_node/${dir}/${file}`;
}

/** What startUploads returns: init()'s answer, every progress report, and the model description. */
export type StartedUploads = UploadsReady & {progress: Array<{file: string; loaded: number; total: number | null}>; spec: UploadsInit["spec"]};

/**
 * Starts the built worker in `page` as `window.uploads[key]` and calls init() with the site's model,
 * runtime and description plus `init` (e.g. {outputs: ["mixed4"], numThreads: 1}).
 */
export async function startUploads(page: Page, comlinkUrl: string, key: string, init: Partial<UploadsInit>): Promise<StartedUploads> {
  return page.evaluate(
    async ({paths, comlinkUrl, key, init}) => {
      const comlink = await import(comlinkUrl);
      const w = window as unknown as {uploads?: Record<string, unknown>};
      const remote = comlink.wrap(new Worker(paths.worker, {type: "module"}));
      (w.uploads ??= {})[key] = remote;
      const spec = await (await fetch(paths.spec)).json();
      const progress: Array<{file: string; loaded: number; total: number | null}> = [];
      const onProgress = comlink.proxy((p: {file: string; loaded: number; total: number | null}) => void progress.push({file: p.file, loaded: p.loaded, total: p.total}));
      const answer = await remote.init({modelUrl: paths.model, wasmUrl: paths.wasm, spec, ...init}, onProgress);
      return {...answer, progress, spec};
    },
    {paths: UPLOAD_PATHS, comlinkUrl, key, init}
  );
}

/** One embed() result as it comes back from the page: layer values as base64 of their float32 bytes. */
export interface BrowserEmbedding {
  name: string | null;
  width: number;
  height: number;
  originalWidth: number;
  originalHeight: number;
  /** The picture embed() returned: its type, and (last run only) its bytes as base64. */
  pngType: string;
  png: string;
  backend: string;
  ms: {decode: number; preprocess: number; inference: number; postprocess: number; total: number};
  /** Milliseconds the page waited for embed() (performance.now() around the call), to check `ms` against. */
  wallMs: number;
  layers: Record<string, {values: string; grid: {width: number; height: number}; channels: number}>;
}

/** Runs worker `key`'s embed() in the page on a file from this process, `repeats` times; returns every run
 * (only the last with its layer values). */
export async function embedInBrowser(page: Page, key: string, file: string, bytes: Uint8Array, type: string, repeats = 1): Promise<BrowserEmbedding[]> {
  return page.evaluate(
    async ({key, file, base64, type, repeats}) => {
      type Result = Record<string, unknown> & {png: Blob; layers: Record<string, {values: Float32Array; grid: unknown; channels: number}>};
      const remote = (window as unknown as {uploads: Record<string, {embed(file: Blob): Promise<Result>}>}).uploads[key];
      const data = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const toBase64 = (values: Float32Array | Uint8Array) => {
        const b = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
        let s = "";
        for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
        return btoa(s);
      };
      const runs = [];
      for (let r = 0; r < repeats; ++r) {
        const file_ = new File([data], file, {type});
        const t0 = performance.now();
        const result = await remote.embed(file_);
        const wallMs = performance.now() - t0;
        const last = r === repeats - 1;
        const layers = Object.fromEntries(Object.entries(result.layers).map(([name, l]) => [name, {values: last ? toBase64(l.values) : "", grid: l.grid, channels: l.channels}]));
        runs.push({...result, pngType: result.png.type, png: last ? toBase64(new Uint8Array(await result.png.arrayBuffer())) : "", wallMs, layers});
      }
      return runs as unknown as BrowserEmbedding[];
    },
    {key, file, base64: Buffer.from(bytes).toString("base64"), type, repeats}
  );
}

/** Runs worker `key`'s embed() in the page on a file and returns its error message ("no error" if none). */
export async function embedError(page: Page, key: string, file: string, bytes: Uint8Array, type: string): Promise<string> {
  return page.evaluate(
    async ({key, file, base64, type}) => {
      const remote = (window as unknown as {uploads: Record<string, {embed(file: Blob): Promise<unknown>}>}).uploads[key];
      try {
        await remote.embed(new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], file, {type}));
        return "no error";
      } catch (error) {
        return (error as Error).message;
      }
    },
    {key, file, base64: Buffer.from(bytes).toString("base64"), type}
  );
}

/** Stops worker `key` in the page (dispose, then terminate). */
export async function stopUploads(page: Page, key: string): Promise<void> {
  await page.evaluate(async (key) => {
    const w = window as unknown as {uploads?: Record<string, {dispose(): Promise<void>} | undefined>};
    await w.uploads?.[key]?.dispose();
    delete w.uploads?.[key];
  }, key);
}

/** A layer's float32 values from the page's base64. */
export function floats(base64: string): Float32Array {
  const bytes = Buffer.from(base64, "base64");
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

/** One image's activations at one layer by the build's path, cell-major, with the sizes the worker reports. */
export interface NodeEmbedding {
  values: Float32Array;
  grid: {width: number; height: number};
  channels: number;
  width: number;
  height: number;
  originalWidth: number;
  originalHeight: number;
  /** Milliseconds of each timed session run (after one warm-up run). */
  inferenceMs: number[];
  /** The model input the session ran on (the ONNX model's layout). */
  input: {data: Float32Array; dims: readonly number[]};
  /** The 8-bit RGB pixels it was made from. */
  rgb: Uint8Array;
}

/** Runs the image file at `path` through the build's path (decoded by sharp, then the core's embedPixels with
 * the animals dataset's size policy) to `layer` with `threads` intra-op threads, timing `repeats` runs after
 * a warm-up. */
export async function nodeEmbedding(path: string, layerName: string, {threads = 2, repeats = 1} = {}): Promise<NodeEmbedding> {
  const {dataset, model} = await openDataset("animals");
  const pixels = await decodeImage(path);
  const policy = dataset.config.sizePolicy ?? model.spec.sizePolicy;
  const layer = findLayer(model.spec, layerName);
  const session = await createTapSession(ort, model.bytes, [layer.output], {intraOpNumThreads: threads}, `${model.spec.id}.onnx`);
  try {
    let result = await embedPixels(session, pixels, model.spec, policy, [layer]);
    const inferenceMs: number[] = [];
    for (let r = 0; r < repeats; ++r) {
      result = await embedPixels(session, pixels, model.spec, policy, [layer]);
      inferenceMs.push(result.ms.inference);
    }
    const cells = result.layers[layer.name];
    return {
      values: cells.values,
      grid: cells.grid,
      channels: cells.channels,
      width: result.width,
      height: result.height,
      originalWidth: pixels.width,
      originalHeight: pixels.height,
      inferenceMs,
      input: toInputTensor(result.rgb, model.spec.input),
      rgb: result.rgb.data
    };
  } finally {
    await session.dispose();
  }
}

/** Largest absolute difference between two arrays of the same length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`lengths differ: ${a.length} and ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; ++i) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/** Largest absolute value, to put a difference in proportion. */
export function maxAbs(values: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < values.length; ++i) max = Math.max(max, Math.abs(values[i]));
  return max;
}

/** Median of a list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
