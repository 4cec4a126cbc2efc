// The page's side of workers/uploads.ts, apart from where its files come from (uploadsClient.ts names them
// with FileAttachment; the tests pass plain URLs). The worker is started on the first call and replaced
// when it dies (restartingWorker.ts): the call in flight then fails with a message saying the worker
// stopped and was restarted, and the next call first repeats the last init() on the new worker.
import {proxy} from "comlink";
import type {ModelSpec} from "../../core/modelSpec.js";
import type {DownloadProgress, EmbedOptions, Embedding, InitStage, InspectOptions, ModelInspection, UploadsApi, UploadsInit, UploadsReady, UserModelInit} from "../../../workers/uploads.js";
import {startRestartingWorker} from "./restartingWorker.js";

/** Where the uploads files are. */
export interface UploadsSource {
  /** URL of the worker bundle (w/uploads.js). */
  workerUrl(): Promise<string>;
  /** URL of onnxruntime's WebAssembly binary. */
  runtimeUrl(): Promise<string>;
  /** URL of model `id`'s ONNX file, and its description. */
  model(id: string): Promise<{modelUrl: string; spec: ModelSpec}>;
}

/** Options of UploadsClient.init(). */
export interface UploadsClientInit<Id extends string = string> extends Omit<UploadsInit, "modelUrl" | "wasmUrl" | "wasmBaseUrl" | "spec"> {
  /** Which model (default inception_v3). */
  model?: Id;
  /** Hears about both downloads as they progress. */
  onProgress?: (progress: DownloadProgress) => void;
  /** Hears when the runtime starts compiling and when the model's session is being made. */
  onStage?: (stage: InitStage) => void;
}

/** A running uploads worker. */
export interface UploadsClient<Id extends string = string> {
  /** Downloads what is missing and makes the session (see workers/uploads.ts init()). */
  init(options: UploadsClientInit<Id>): Promise<UploadsReady & {spec: ModelSpec}>;
  /** Runs one image file through the model; errors say what is wrong with the file and what to do. */
  embed(file: Blob, options?: EmbedOptions): Promise<Embedding>;
  /** Checks and describes a user's own ONNX model file (refused by size before it is read). */
  inspectModel(file: Blob, options?: Omit<InspectOptions, "wasmUrl" | "wasmBaseUrl">): Promise<ModelInspection>;
  /** Makes embed() run a user's own model file (it goes to the worker only; see workers/uploads.ts initModel()). */
  initModel(file: Blob, options: Omit<UserModelInit, "wasmUrl" | "wasmBaseUrl">): Promise<UploadsReady>;
  /** Releases the session (the worker itself ends with the cell's invalidation). */
  dispose(): Promise<void>;
  /** The running Worker, if any, and how many were started (for tests and diagnostics). */
  readonly worker: Worker | null;
  readonly generation: number;
}

/** A client for the uploads worker whose files `source` locates; the worker ends when `invalidation` resolves. */
export function createUploadsClient<Id extends string = string>(source: UploadsSource, invalidation?: Promise<unknown>): UploadsClient<Id> {
  /** The last init(), to repeat on a restarted worker (without progress reports). */
  let lastInit: UploadsInit | null = null;
  /** The last initModel(), to repeat on a restarted worker instead. */
  let lastModel: {file: Blob; init: UserModelInit} | null = null;
  const worker = startRestartingWorker<UploadsApi>(() => source.workerUrl(), {
    invalidation,
    name: "uploads worker",
    onStart: async (remote, generation) => {
      if (lastModel && generation > 1) await remote.initModel(lastModel.file, lastModel.init);
      else if (lastInit && generation > 1) await remote.init(lastInit);
    }
  });
  return {
    async init({model = "inception_v3" as Id, onProgress, onStage, ...options}) {
      const [{modelUrl, spec}, wasmUrl] = await Promise.all([source.model(model), source.runtimeUrl()]);
      const init: UploadsInit = {...options, modelUrl, wasmUrl, spec};
      const ready = await worker.call((remote) => remote.init(init, onProgress ? proxy(onProgress) : undefined, onStage ? proxy(onStage) : undefined));
      lastInit = init;
      lastModel = null;
      return {...ready, spec};
    },
    embed(file, options) {
      return worker.call((remote) => remote.embed(file, options));
    },
    async inspectModel(file, options) {
      const wasmUrl = await source.runtimeUrl();
      return worker.call((remote) => remote.inspectModel(file, {...options, wasmUrl}));
    },
    async initModel(file, options) {
      const wasmUrl = await source.runtimeUrl();
      const init = {...options, wasmUrl};
      const ready = await worker.call((remote) => remote.initModel(file, init));
      lastModel = {file, init};
      return ready;
    },
    async dispose() {
      if (worker.worker) await worker.call((remote) => remote.dispose());
    },
    get worker() {
      return worker.worker;
    },
    get generation() {
      return worker.generation;
    }
  };
}

/** Where a model ran, as the pages say it: "WebGPU" or "WebAssembly (2 threads)". */
export function describeBackend(backend: string, threads: number): string {
  return backend === "webgpu" ? "WebGPU" : `WebAssembly (${threads} thread${threads === 1 ? "" : "s"})`;
}
