// The page's side of workers/uploads.ts (live uploads: users' images through the model in their browser).
// This module holds the literal FileAttachment calls that make Framework publish the worker bundle, the
// model and onnxruntime's WebAssembly binary; a page that imports it gets them into the build, and nothing
// is downloaded until init() runs (the first upload).
//
//   import {startUploads} from "./components/clients/uploadsClient.js";
//   const uploads = startUploads(invalidation);
//   await uploads.init({outputs: ["mixed4"], onProgress: (p) => …});   // downloads 11 MB + 28 MB, once
//   const result = await uploads.embed(file);                           // {layers: {mixed4: {values, grid, channels}}, png, …}
//   const model = await uploads.inspectModel(onnxFile);                 // {input, layers: candidate layers}; refused by size first
import {FileAttachment} from "observablehq:stdlib";
import type {ModelSpec} from "../../core/modelSpec.js";
import {fetchKept} from "../../core/fileCache.js";
import {createUploadsClient, type UploadsClient} from "./uploadsWorkerClient.js";

export type {UploadsClient, UploadsClientInit} from "./uploadsWorkerClient.js";

/** The files live uploads need, by role; each model by its id (its ONNX file and its description). */
export const uploadFiles = {
  worker: FileAttachment("../../w/uploads.js"),
  runtime: FileAttachment("../../w/ort-wasm-simd-threaded.jsep.wasm"),
  models: {
    inception_v3: {onnx: FileAttachment("../../data/models/inception_v3.onnx"), spec: FileAttachment("../../data/models/inception_v3.json")}
  }
};

export type UploadModelId = keyof typeof uploadFiles.models;

/** An absolute URL for a FileAttachment (the worker may run from a blob: URL, against which a path does not resolve). */
const absolute = async (file: {url(): Promise<string>}) => new URL(await file.url(), location.href).href;

/** The model's description, read through the file cache (src/core/fileCache.ts), so that it is there offline. */
export async function uploadModelSpec(id: UploadModelId): Promise<ModelSpec> {
  const files = uploadFiles.models[id];
  if (!files) throw new Error(`unknown model ${JSON.stringify(id)} (offered: ${Object.keys(uploadFiles.models).join(", ")})`);
  return JSON.parse(new TextDecoder().decode(await fetchKept(await absolute(files.spec), "the model", "application/json"))) as ModelSpec;
}

/** The worker bundle as a blob: URL of its kept copy (a Worker's script is fetched by the browser, past Cache Storage), made once. */
let workerUrl: Promise<string> | null = null;
function keptWorkerUrl(): Promise<string> {
  workerUrl ??= absolute(uploadFiles.worker).then(async (url) => URL.createObjectURL(new Blob([await fetchKept(url, "the model's runtime", "text/javascript") as BlobPart], {type: "text/javascript"})));
  workerUrl.catch(() => (workerUrl = null));
  return workerUrl;
}

/**
 * A client for the uploads worker. The worker (a 560 KB bundle) starts on the first call, and is terminated
 * when `invalidation` resolves; nothing is downloaded before that. A worker that dies is replaced (see
 * uploadsWorkerClient.ts): the call in flight fails saying so, and the next call works again.
 */
export function startUploads(invalidation?: Promise<unknown>): UploadsClient<UploadModelId> {
  return createUploadsClient<UploadModelId>(
    {
      workerUrl: keptWorkerUrl,
      runtimeUrl: () => absolute(uploadFiles.runtime),
      async model(id) {
        const spec = await uploadModelSpec(id as UploadModelId);
        return {modelUrl: await absolute(uploadFiles.models[id as UploadModelId].onnx), spec};
      }
    },
    invalidation
  );
}
