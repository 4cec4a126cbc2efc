// The page's side of workers/uploads.ts (live uploads: users' images through the model in their browser).
// This module holds the literal FileAttachment calls that make Framework publish the worker bundle, the
// model and onnxruntime's WebAssembly binary; a page that imports it gets them into the build, and nothing
// is downloaded until init() runs (the Your images panel touched, or the first upload).
//
//   import {startUploads} from "./components/clients/uploadsClient.js";
//   const uploads = startUploads(invalidation);
//   await uploads.init({outputs: ["mixed4"], onProgress: (p) => …});   // downloads 11 MB + 14 MB (28 MB with WebGPU), once
//   const result = await uploads.embed(file);                           // {layers: {mixed4: {values, grid, channels}}, png, …}
//   const model = await uploads.inspectModel(onnxFile);                 // {input, layers: candidate layers}; refused by size first
import {FileAttachment} from "observablehq:stdlib";
import type {ModelSpec} from "../../core/modelSpec.js";
import {modelFiles} from "../dataFiles.js";
import {findWebGPUAdapter} from "../../core/webgpu.js";
import {fetchKept} from "../../core/fileCache.js";
import {createUploadsClient, type UploadsClient} from "./uploadsWorkerClient.js";

export type {UploadsClient, UploadsClientInit} from "./uploadsWorkerClient.js";

/** The files live uploads need, by role; each model the datasets name by its id (its ONNX file and its
 * description, from the generated dataFiles.js). */
export const uploadFiles = {
  worker: FileAttachment("../../w/uploads.js"),
  runtime: FileAttachment("../../w/ort-wasm-simd-threaded.jsep.wasm"),
  /** Where the browser has no WebGPU adapter: the same worker on onnxruntime's CPU-only build, whose binary is half the size. */
  cpuWorker: FileAttachment("../../w/uploadsWasm.js"),
  cpuRuntime: FileAttachment("../../w/ort-wasm-simd-threaded.wasm"),
  models: modelFiles
};

/** A model the datasets name (see dataFiles.js). */
export type UploadModelId = string;

/** An absolute URL for a FileAttachment (the worker may run from a blob: URL, against which a path does not resolve). */
const absolute = async (file: {url(): Promise<string>}) => new URL(await file.url(), location.href).href;

/** The model's description, read through the file cache (src/core/fileCache.ts), so that it is there offline. */
export async function uploadModelSpec(id: UploadModelId): Promise<ModelSpec> {
  const files = uploadFiles.models[id];
  if (!files) throw new Error(`unknown model ${JSON.stringify(id)} (offered: ${Object.keys(uploadFiles.models).join(", ")})`);
  return JSON.parse(new TextDecoder().decode(await fetchKept(await absolute(files.spec), "the model", "application/json"))) as ModelSpec;
}

/** A worker bundle as a blob: URL of its kept copy (a Worker's script is fetched by the browser, past Cache Storage), made once. */
let workerUrl: Promise<string> | null = null;
function keptWorkerUrl(file: {url(): Promise<string>}): Promise<string> {
  workerUrl ??= absolute(file).then(async (url) => URL.createObjectURL(new Blob([await fetchKept(url, "the model's runtime", "text/javascript") as BlobPart], {type: "text/javascript"})));
  workerUrl.catch(() => (workerUrl = null));
  return workerUrl;
}

/**
 * A client for the uploads worker. The worker (a 320 KB bundle on onnxruntime's CPU-only build, 660 KB with
 * WebGPU when the browser has an adapter) starts on the first call, and is terminated
 * when `invalidation` resolves; nothing is downloaded before that. A worker that dies is replaced (see
 * uploadsWorkerClient.ts): the call in flight fails saying so, and the next call works again.
 */
export function startUploads(invalidation?: Promise<unknown>): UploadsClient<UploadModelId> {
  // Asked once, on the first call: whether WebGPU can run here decides which worker and binary to load.
  let gpu: Promise<boolean> | null = null;
  const webgpu = () => (gpu ??= findWebGPUAdapter().then((adapter) => adapter !== null));
  return createUploadsClient<UploadModelId>(
    {
      workerUrl: async () => keptWorkerUrl((await webgpu()) ? uploadFiles.worker : uploadFiles.cpuWorker),
      runtimeUrl: async () => absolute((await webgpu()) ? uploadFiles.runtime : uploadFiles.cpuRuntime),
      async model(id) {
        const spec = await uploadModelSpec(id as UploadModelId);
        return {modelUrl: await absolute(uploadFiles.models[id as UploadModelId].onnx), spec};
      }
    },
    invalidation
  );
}
