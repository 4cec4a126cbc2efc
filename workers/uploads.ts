// Runs users' own images through the model in their browser, off the main thread: the engine of "live
// uploads". A page starts it once (startWorker(await FileAttachment("w/uploads.js").url())), calls init()
// on the first upload (it downloads the model and onnxruntime's WebAssembly binary, with progress), then
// embed() per image. embed() decodes the file with the browser (EXIF orientation applied), then takes the
// same path as the build's loaders for bundled images (src/core/embedImage.ts): planInput → cropResize →
// 8-bit RGB → toInputTensor → tap session → toCellMajor, so an upload and a bundled copy of the same photo give the
// same activations (tests/e2e/uploadsParity.test.ts measures how close).
import {expose, transfer} from "comlink";
import {embedPixels, resolveLayers, type EmbeddedLayers, type InputTransform} from "../src/core/embedImage.js";
import {checkUploadBytes, checkUploadFile, checkUploadPixels, decodeFailure, describeUpload, MAX_UPLOAD_PIXELS, readChosenFile} from "../src/core/imageFile.js";
import {cropWarning, planInput} from "../src/core/sizePolicy.js";
import {checkModelFile, describeModel, describeModelFile, MAX_MODEL_BYTES, type ModelDescription} from "../src/core/modelFile.js";
import type {LayerSpec, ModelSpec, SizePolicy} from "../src/core/modelSpec.js";
import type {Pixels} from "../src/core/pixels.js";
import {createTapSession, type TapSession} from "../src/core/tapSession.js";
import {decodeTiff, tiffSize} from "../src/core/tiff.js";
import {download, type DownloadProgress} from "./download.js";
import {holdLifeline} from "./lifeline.js";
import {fallBackToWasm, isOrtThread, sessionOptionsFor, setupOrt, startRuntime, type OrtSetup} from "./ortSetup.js";
import type {Backend} from "./runtimePlan.js";

export type {DownloadProgress} from "./download.js";
export type {Backend} from "./runtimePlan.js";
export type {EmbeddedLayers, LayerCells} from "../src/core/embedImage.js";
export type {CandidateLayer} from "../src/core/layerTap.js";
export type {ImageInput} from "../src/core/onnxGraph.js";

/** The name onnxruntime-web gives its WebAssembly binary with WebGPU support (what wasmBaseUrl must hold). */
export const ORT_WASM_FILE = "ort-wasm-simd-threaded.jsep.wasm";

/** What init() needs. */
export interface UploadsInit {
  /** URL of the model's ONNX file (FileAttachment("data/models/inception_v3.onnx").url()). */
  modelUrl: string;
  /** URL of onnxruntime's ort-wasm-simd-threaded.jsep.wasm (FileAttachment("w/ort-wasm-simd-threaded.jsep.wasm").url()). */
  wasmUrl?: string;
  /** Or the URL of a folder that serves it under its own name. */
  wasmBaseUrl?: string;
  /** The layers to compute: names from `spec` ("mixed4") or their ONNX output names. */
  outputs: string[];
  /** The model's description (data/models/MODEL.json). */
  spec: ModelSpec;
  /** Use WebGPU when the browser has an adapter (default true). */
  preferWebGPU?: boolean;
  /** Thread count (benchmarks); default navigator.hardwareConcurrency when cross-origin isolated, else 1. */
  numThreads?: number;
  /** Largest image accepted, in pixels (default MAX_UPLOAD_PIXELS, 50 megapixels). */
  maxPixels?: number;
}

/** What init() reports once the session is ready. */
export interface UploadsReady {
  /** Where the model runs. */
  backend: Backend;
  numThreads: number;
  /** Why it is not WebGPU on every core (also logged once), or null. */
  fallback: string | null;
  /** The layers embed() returns, by name. */
  layers: string[];
  /** Bytes downloaded by this call (0 for a file already loaded by an earlier init()). */
  bytes: {model: number; runtime: number};
  /** Milliseconds: downloads (both files, in parallel, until the later one is in), starting the runtime
   * (compiling it and its threads, the first time; it overlaps the model's download), creating the session,
   * and the whole call. */
  ms: {download: number; compile: number; session: number; total: number};
}

/** The stages init() enters after the downloads have begun (reported to its `onStage`): starting the
 * runtime (compiling it, while the model may still be downloading), then making the model's session. */
export type InitStage = "compile" | "session";

/** Options of embed(). */
export interface EmbedOptions {
  /** How the image becomes the model input; default the model's (spec.sizePolicy). */
  sizePolicy?: SizePolicy;
  /** Name for messages when `file` is a Blob rather than a File, or a File without a name (pasted). */
  name?: string;
  /** Also return the exact pixels the model saw (`Embedding.input`, 8-bit RGB), e.g. for tests. */
  keepInput?: boolean;
  /** Transform the model input first (a transformed set of an upload, src/core/transforms.ts). */
  transformed?: InputTransform;
}

/** One image's result. The layers' buffers are transferred to the caller. */
export interface Embedding {
  /** The file's name, when known. */
  name: string | null;
  /** Model input size: the size of `png`, and what the layer grids cover. */
  width: number;
  height: number;
  /** Size of the decoded file (after EXIF orientation). */
  originalWidth: number;
  originalHeight: number;
  /** The exact image the model saw (crop, resize, rounded to 8 bits), as a lossless PNG: decoded, it gives
   * back the very bytes the model was fed. */
  png: Blob;
  /** With `keepInput`: that image as 8-bit RGB, width × height × 3 bytes, row-major (alpha already
   * flattened onto white, as the model saw it). */
  input?: Uint8Array;
  /** Per layer: cell-major values (grid.height × grid.width rows of `channels` floats). */
  layers: EmbeddedLayers;
  /** Set when the picture was used but the user should know something (its crop keeps less than half of it). */
  warning?: string;
  backend: Backend;
  /** Milliseconds: decoding and reading the pixels; crop, resize and normalisation; the model run;
   * cell-major order and the PNG; all of it. */
  ms: {decode: number; preprocess: number; inference: number; postprocess: number; total: number};
}

interface Ready {
  setup: OrtSetup;
  session: TapSession;
  spec: ModelSpec;
  layers: LayerSpec[];
  maxPixels: number;
}

let ready: Ready | null = null;
/** onnxruntime as set up by the last init() or inspectModel(). */
let runtimeSetup: OrtSetup | null = null;
let runtimeBytes: Uint8Array | null = null;
/** Whether the runtime has been compiled and started in this worker (startRuntime). */
let runtimeStarted = false;
let model: {url: string; bytes: Uint8Array} | null = null;

// Calls run one at a time, in order: a session runs one image at a time, and init/dispose must not
// interleave with a run.
let queue: Promise<unknown> = Promise.resolve();
function serial<T>(job: () => Promise<T>): Promise<T> {
  const result = queue.then(job, job);
  queue = result.catch(() => undefined);
  return result;
}

function runtimeUrl(options: {wasmUrl?: string; wasmBaseUrl?: string}): string {
  if (options.wasmUrl) return options.wasmUrl;
  if (options.wasmBaseUrl) return new URL(ORT_WASM_FILE, new URL(options.wasmBaseUrl, self.location.href)).href;
  throw new Error(`init() needs wasmUrl (the URL of ${ORT_WASM_FILE} in the site) or wasmBaseUrl`);
}

/** Makes `next` the session embed() uses, and says what init() and initModel() report. */
function becomeReady(next: Ready, bytes: UploadsReady["bytes"], ms: UploadsReady["ms"]): UploadsReady {
  ready = next;
  const {plan} = next.setup;
  return {backend: plan.backend, numThreads: plan.numThreads, fallback: plan.fallback, layers: next.layers.map((l) => l.name), bytes, ms};
}

/** A tap session on `setup`'s backend; if WebGPU cannot make it, one on WebAssembly (the setup returned says which). */
async function openTapSession(setup: OrtSetup, bytes: Uint8Array, outputs: string[], fileName: string): Promise<{setup: OrtSetup; session: TapSession}> {
  try {
    return {setup, session: await createTapSession(setup.ort, bytes, outputs, setup.sessionOptions, fileName)};
  } catch (error) {
    if (setup.plan.backend !== "webgpu") throw error;
    const wasm = fallBackToWasm(setup, (error as Error).message);
    return {setup: wasm, session: await createTapSession(wasm.ort, bytes, outputs, wasm.sessionOptions, fileName)};
  }
}

async function init(options: UploadsInit, onProgress?: (progress: DownloadProgress) => unknown, onStage?: (stage: InitStage) => unknown): Promise<UploadsReady> {
  const layers = resolveLayers(options.spec, options.outputs);
  const maxPixels = options.maxPixels ?? MAX_UPLOAD_PIXELS;
  if (!(maxPixels >= 1)) throw new RangeError(`maxPixels must be at least 1, got ${options.maxPixels}`);
  // Callbacks from the page are Comlink proxies: calling one posts a message; never wait for it.
  const report = (progress: DownloadProgress) => void Promise.resolve(onProgress?.(progress)).catch(() => undefined);
  const stage = (name: InitStage) => void Promise.resolve(onStage?.(name)).catch(() => undefined);

  const t0 = performance.now();
  const wasmUrl = runtimeUrl(options);
  const needModel = model?.url !== options.modelUrl;
  const needRuntime = runtimeBytes === null;
  let downloaded = t0;
  const arrived = <T>(value: T) => ((downloaded = Math.max(downloaded, performance.now())), value);
  const modelBytes = needModel ? download(options.modelUrl, {file: "model", onProgress: report}).then(arrived) : Promise.resolve(model!.bytes);
  // The runtime is compiled and started as soon as its bytes are here, while the model may still be on its way.
  let compile = 0;
  const started = (runtimeBytes ? Promise.resolve(runtimeBytes) : download(wasmUrl, {file: "runtime", onProgress: report}).then(arrived)).then(async (runtime) => {
    runtimeBytes = runtime;
    const setup = await setupOrt({wasmBinary: runtime, preferWebGPU: options.preferWebGPU, numThreads: options.numThreads});
    if (!runtimeStarted) {
      stage("compile");
      const c0 = performance.now();
      await startRuntime(setup);
      runtimeStarted = true;
      compile = performance.now() - c0;
    }
    return setup;
  });
  const [first, bytesOfModel] = await Promise.all([started, modelBytes]);
  const bytes = {model: needModel ? bytesOfModel.length : 0, runtime: needRuntime ? runtimeBytes!.length : 0};
  model = {url: options.modelUrl, bytes: bytesOfModel};

  if (ready) await dispose();
  stage("session");
  const t1 = performance.now();
  const opened = await openTapSession(first, bytesOfModel, layers.map((l) => l.output), `${options.spec.id}.onnx`);
  runtimeSetup = opened.setup;
  return becomeReady({setup: opened.setup, session: opened.session, spec: options.spec, layers, maxPixels}, bytes, {download: downloaded - t0, compile, session: performance.now() - t1, total: performance.now() - t0});
}

/**
 * Decodes `file` with EXIF orientation applied and reads its RGBA pixels. Before the browser decodes it,
 * the bytes are checked (src/core/imageFile.ts): SVG and non-images are refused whatever the name says, a
 * JPEG, PNG or WebP cut short is refused, and a size read from the header is checked against the pixel
 * limit; the decoded size is checked again before the pixels are read. Colour: the browser converts to
 * sRGB (CMYK JPEGs included); 16-bit PNGs come out as 8 bits per channel, greyscale as R = G = B, an
 * animated GIF, PNG or WebP as its first frame. Alpha stays straight (unpremultiplied); cropResize
 * flattens it onto white.
 */
async function decode(file: Blob, name: string | undefined, maxPixels: number): Promise<Pixels> {
  // A file deleted since it was chosen may report size 0: reading it tells that apart from an empty file.
  if (file.size === 0) await readChosenFile(file, describeUpload(name));
  checkUploadFile(name, file.type, file.size);
  const bytes = await readChosenFile(file, describeUpload(name));
  // Browsers decode no TIFF (the build, with sharp, does): src/core/tiff.ts reads it, its size from its
  // first image's tags checked before any pixel is decoded.
  const header = checkUploadBytes(name, file.type, bytes, maxPixels, (format) => (format === "tiff" ? tiffSize(bytes) : undefined));
  if (header?.format === "tiff") {
    const pixels = decodeTiff(bytes, describeUpload(name));
    checkUploadPixels(name, pixels.width, pixels.height, maxPixels);
    return pixels;
  }
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, {imageOrientation: "from-image", premultiplyAlpha: "none", colorSpaceConversion: "default"});
  } catch (error) {
    throw new Error(decodeFailure(name, file.type, (error as Error).message || String(error), header?.format));
  }
  try {
    const {width, height} = bitmap;
    checkUploadPixels(name, width, height, maxPixels);
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext("2d", {willReadFrequently: true});
    if (!context) throw new Error(`could not read the pixels of ${describeUpload(name)}: this browser gives workers no 2D canvas`);
    context.drawImage(bitmap, 0, 0);
    const {data} = context.getImageData(0, 0, width, height, {colorSpace: "srgb"});
    return {data, width, height, channels: 4};
  } finally {
    bitmap.close();
  }
}

/** Lossless PNG of 8-bit RGB pixels (opaque, so the canvas keeps every byte). */
async function encodePng(rgb: Uint8Array, width: number, height: number): Promise<Blob> {
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < width * height; ++p) {
    rgba[p * 4] = rgb[p * 3];
    rgba[p * 4 + 1] = rgb[p * 3 + 1];
    rgba[p * 4 + 2] = rgb[p * 3 + 2];
    rgba[p * 4 + 3] = 255;
  }
  const canvas = new OffscreenCanvas(width, height);
  canvas.getContext("2d")!.putImageData(new ImageData(rgba, width, height), 0, 0);
  return canvas.convertToBlob({type: "image/png"});
}

/** Each layer's values in an ArrayBuffer of its own, so all can be transferred. */
function ownBuffers(layers: EmbeddedLayers): ArrayBuffer[] {
  const buffers: ArrayBuffer[] = [];
  for (const layer of Object.values(layers)) {
    const {values} = layer;
    const own = values.buffer instanceof ArrayBuffer && values.byteOffset === 0 && values.byteLength === values.buffer.byteLength && !buffers.includes(values.buffer);
    if (!own) layer.values = values.slice();
    buffers.push(layer.values.buffer as ArrayBuffer);
  }
  return buffers;
}

async function embed(file: Blob, options: EmbedOptions = {}): Promise<Embedding> {
  const name = (file instanceof File && file.name) || options.name;
  if (!ready) throw new Error(`cannot embed ${describeUpload(name)}: call init() first`);
  const {setup, session, spec, layers, maxPixels} = ready;
  const t0 = performance.now();
  const pixels = await decode(file, name, maxPixels);
  const t1 = performance.now();
  const policy = options.sizePolicy ?? spec.sizePolicy;
  const warning = cropWarning(describeUpload(name), pixels.width, pixels.height, planInput(policy, pixels.width, pixels.height));
  let result;
  try {
    result = await embedPixels(session, pixels, spec, policy, layers, undefined, options.transformed);
  } catch (error) {
    throw new Error(`could not compute the activations of ${describeUpload(name)}: ${(error as Error).message}`);
  }
  const t2 = performance.now();
  const rgb = result.rgb.data;
  const png = await encodePng(rgb, result.width, result.height);
  const t3 = performance.now();
  const embedding: Embedding = {
    name: name ?? null,
    width: result.width,
    height: result.height,
    originalWidth: pixels.width,
    originalHeight: pixels.height,
    png,
    ...(options.keepInput ? {input: rgb} : {}),
    layers: result.layers,
    ...(warning ? {warning} : {}),
    backend: setup.plan.backend,
    ms: {decode: t1 - t0, preprocess: result.ms.preprocess, inference: result.ms.inference, postprocess: result.ms.postprocess + (t3 - t2), total: t3 - t0}
  };
  const buffers = ownBuffers(embedding.layers);
  if (embedding.input) buffers.push(embedding.input.buffer as ArrayBuffer);
  return transfer(embedding, buffers);
}

/** Options of inspectModel(). */
export interface InspectOptions {
  /** Name for messages when the model is a Blob or bytes rather than a File. */
  name?: string;
  /** Largest file accepted, in bytes (default MAX_MODEL_BYTES, 500 MB); checked before the file is read. */
  maxBytes?: number;
  /** Where onnxruntime's WebAssembly binary is, when init() has not run yet (as in UploadsInit). */
  wasmUrl?: string;
  wasmBaseUrl?: string;
  /** As in UploadsInit, when onnxruntime is not set up yet. */
  preferWebGPU?: boolean;
  numThreads?: number;
  /** Probe size (default the model's fixed size, else 224 × 224). */
  size?: {height: number; width: number};
}

/** What inspectModel() reports: the file, its image input and the layers usable for overlays. */
export interface ModelInspection extends ModelDescription {
  name: string | null;
  /** Size of the file in bytes. */
  bytes: number;
}

/** onnxruntime, set up by init() or here (downloading its binary once when init() has not run). */
async function runtimeFor(options: InspectOptions): Promise<OrtSetup> {
  if (runtimeSetup) return runtimeSetup;
  runtimeBytes ??= await download(runtimeUrl(options), {file: "runtime"});
  runtimeSetup = await setupOrt({wasmBinary: runtimeBytes, preferWebGPU: options.preferWebGPU, numThreads: options.numThreads});
  return runtimeSetup;
}

/** A model file's bytes, however the page handed it over (a file changed on disk since it was chosen is said to be). */
async function bytesOf(file: Blob | Uint8Array | ArrayBuffer, name: string | undefined): Promise<Uint8Array> {
  return file instanceof Blob ? readChosenFile(file, describeModelFile(name)) : file instanceof Uint8Array ? file : new Uint8Array(file);
}

async function inspectModel(file: Blob | Uint8Array | ArrayBuffer, options: InspectOptions = {}): Promise<ModelInspection> {
  const name = file instanceof File ? file.name : options.name;
  const size = file instanceof Blob ? file.size : file.byteLength;
  // The size first: a file over the limit is never read (one that reports 0 bytes may have been deleted).
  if (size === 0) await bytesOf(file, name);
  checkModelFile(name, size, options.maxBytes ?? MAX_MODEL_BYTES);
  const bytes = await bytesOf(file, name);
  const setup = await runtimeFor(options);
  // The probe run makes every intermediate tensor an output: WebAssembly, whatever embed() runs on.
  const description = await describeModel(setup.ort, bytes, name, {sessionOptions: sessionOptionsFor("wasm"), size: options.size});
  return {name: name ?? null, bytes: size, ...description};
}

/** What initModel() needs: a user's own model, described by a ModelSpec built for it (src/core/userModel.ts). */
export interface UserModelInit {
  /** Its description: input layout, preprocessing, size policy and the chosen layers. */
  spec: ModelSpec;
  /** The layers to compute: names or ONNX output names from `spec`. */
  outputs: string[];
  /** The file's name, for messages when the model is a Blob or bytes. */
  name?: string;
  /** As in UploadsInit (needed when neither init() nor inspectModel() has run yet). */
  wasmUrl?: string;
  wasmBaseUrl?: string;
  preferWebGPU?: boolean;
  numThreads?: number;
  maxBytes?: number;
  maxPixels?: number;
}

/**
 * Makes the session embed() runs on from a user's model file (never sent anywhere: it arrives from the page
 * by postMessage). WebGPU when the browser has an adapter, else WebAssembly, as init(); a model WebGPU cannot
 * load falls back to WebAssembly.
 */
async function initModel(file: Blob | Uint8Array | ArrayBuffer, options: UserModelInit): Promise<UploadsReady> {
  const name = file instanceof File ? file.name : options.name;
  const size = file instanceof Blob ? file.size : file.byteLength;
  checkModelFile(name, size, options.maxBytes ?? MAX_MODEL_BYTES);
  const layers = resolveLayers(options.spec, options.outputs);
  const maxPixels = options.maxPixels ?? MAX_UPLOAD_PIXELS;
  const t0 = performance.now();
  const bytes = await bytesOf(file, name);
  const needRuntime = !runtimeSetup && !runtimeBytes;
  let setup = await runtimeFor(options);
  const t1 = performance.now();
  if (ready) await dispose();
  const fileName = describeModelFile(name);
  const outputs = layers.map((l) => l.output);
  const opened = await openTapSession(setup, bytes, outputs, fileName);
  if (opened.setup !== setup) runtimeSetup = setup = opened.setup; // WebGPU failed: later sessions use WebAssembly
  const session = opened.session;
  const downloaded = {model: 0, runtime: needRuntime ? (runtimeBytes?.length ?? 0) : 0};
  return becomeReady({setup, session, spec: options.spec, layers, maxPixels}, downloaded, {download: t1 - t0, compile: 0, session: performance.now() - t1, total: performance.now() - t0});
}

/** Releases the session (the downloaded files stay, so a later init() downloads nothing again). */
async function dispose(): Promise<void> {
  const current = ready;
  ready = null;
  await current?.session.dispose();
}

const api = {
  /**
   * Downloads the model and onnxruntime's WebAssembly binary (each once per worker; `onProgress` hears
   * about both, pass it wrapped in Comlink's proxy()), sets onnxruntime up (WebGPU when the browser has an
   * adapter, else WebAssembly on every core when the page is cross-origin isolated) and makes one session
   * computing `outputs`. Calling it again replaces the session (e.g. for other layers). `onStage` hears
   * when the runtime starts compiling (as soon as its bytes are in, while the model may still download)
   * and when the model's session is being made.
   */
  init: (options: UploadsInit, onProgress?: (progress: DownloadProgress) => unknown, onStage?: (stage: InitStage) => unknown) => serial(() => init(options, onProgress, onStage)),
  /** Runs one image file through the model; errors name the file and the problem. */
  embed: (file: Blob, options?: EmbedOptions) => serial(() => embed(file, options)),
  /**
   * Checks and describes a user's own ONNX model (a File, Blob or bytes): refused before it is read
   * when over `maxBytes`; then its image input and the layers usable for overlays, from one probe run.
   * Errors name the file, what is wrong and what to do. Needs init() first, or `wasmUrl`.
   */
  inspectModel: (file: Blob | Uint8Array | ArrayBuffer, options?: InspectOptions) => serial(() => inspectModel(file, options)),
  /**
   * Makes embed() run a user's own model (a File, Blob or bytes; see UserModelInit), replacing any session.
   * Errors name the file. Needs init() or inspectModel() first, or `wasmUrl`.
   */
  initModel: (file: Blob | Uint8Array | ArrayBuffer, options: UserModelInit) => serial(() => initModel(file, options)),
  /** Releases the session. */
  dispose: () => serial(dispose),
  /** Holds the Web Lock `name` until this worker ends, so the page can tell when it dies (workers/lifeline.ts). */
  lifeline: (name: string) => holdLifeline(name)
};

/** The worker's interface, for Comlink's wrap<UploadsApi>(). */
export type UploadsApi = typeof api;

// onnxruntime starts this same bundle as its WebAssembly threads; only the real worker answers the page.
if (!isOrtThread()) expose(api);
