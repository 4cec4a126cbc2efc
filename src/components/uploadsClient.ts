// The page's side of workers/uploads.ts (live uploads: users' images through the model in their browser).
// This module holds the literal FileAttachment calls that make Framework publish the worker bundle, the
// model and onnxruntime's WebAssembly binary; a page that imports it gets them into the build, and nothing
// is downloaded until init() runs (the first upload).
//
//   import {startUploads} from "./components/uploadsClient.js";
//   const uploads = startUploads(invalidation);
//   await uploads.init({outputs: ["mixed4"], onProgress: (p) => …});   // downloads 11 MB + 28 MB, once
//   const result = await uploads.embed(file);                           // {layers: {mixed4: {values, grid, channels}}, jpeg, …}
import {proxy} from "comlink";
import {FileAttachment} from "observablehq:stdlib";
import type {ModelSpec} from "../core/modelSpec.js";
import type {DownloadProgress, EmbedOptions, Embedding, UploadsApi, UploadsInit, UploadsReady} from "../../workers/uploads.js";
import {startWorker, type WorkerHandle} from "./startWorker.js";

/** The files live uploads need, by role; each model by its id (its ONNX file and its description). */
export const uploadFiles = {
  worker: FileAttachment("../w/uploads.js"),
  runtime: FileAttachment("../w/ort-wasm-simd-threaded.jsep.wasm"),
  models: {
    inception_v3: {onnx: FileAttachment("../data/models/inception_v3.onnx"), spec: FileAttachment("../data/models/inception_v3.json")}
  }
};

export type UploadModelId = keyof typeof uploadFiles.models;

/** Options of UploadsClient.init(). */
export interface UploadsClientInit extends Omit<UploadsInit, "modelUrl" | "wasmUrl" | "wasmBaseUrl" | "spec"> {
  /** Which model (default inception_v3). */
  model?: UploadModelId;
  /** Hears about both downloads as they progress. */
  onProgress?: (progress: DownloadProgress) => void;
}

/** A running uploads worker. */
export interface UploadsClient {
  /** Downloads what is missing and makes the session (see workers/uploads.ts init()). */
  init(options: UploadsClientInit): Promise<UploadsReady & {spec: ModelSpec}>;
  /** Runs one image file through the model. */
  embed(file: Blob, options?: EmbedOptions): Promise<Embedding>;
  /** Releases the session (the worker itself ends with the cell's invalidation). */
  dispose(): Promise<void>;
}

/**
 * A client for the uploads worker. The worker (a 560 KB bundle) starts on the first call, and is terminated
 * when `invalidation` resolves; nothing is downloaded before that.
 */
export function startUploads(invalidation?: Promise<unknown>): UploadsClient {
  let handle: Promise<WorkerHandle<UploadsApi>> | null = null;
  const worker = () => (handle ??= uploadFiles.worker.url().then((url) => startWorker<UploadsApi>(url, invalidation)));
  return {
    async init({model = "inception_v3", onProgress, ...options}) {
      const files = uploadFiles.models[model];
      const [{remote}, modelUrl, wasmUrl, spec] = await Promise.all([worker(), files.onnx.url(), uploadFiles.runtime.url(), files.spec.json() as Promise<ModelSpec>]);
      const ready = await remote.init({...options, modelUrl, wasmUrl, spec}, onProgress ? proxy(onProgress) : undefined);
      return {...ready, spec};
    },
    async embed(file, options) {
      return (await worker()).remote.embed(file, options);
    },
    async dispose() {
      if (handle) await (await handle).remote.dispose();
    }
  };
}
