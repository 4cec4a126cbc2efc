// onnxruntime-web, set up once per worker: where its WebAssembly binary comes from, how many threads it
// runs, and whether sessions use WebGPU. Every worker that runs a model imports ort from here.
//
// How the runtime reaches the browser: `import * as ort from "onnxruntime-web"` makes esbuild bundle
// dist/ort.bundle.min.mjs (the default export condition), which carries the Emscripten glue
// (ort-wasm-simd-threaded.jsep.mjs) inside it. So the only file loaded at run time is the 28 MB
// WebAssembly binary, ort-wasm-simd-threaded.jsep.wasm (CPU kernels plus WebGPU), which
// src/w/ort-wasm-simd-threaded.jsep.wasm.ts copies into the site. The page hands its URL to the worker
// (the worker bundle cannot know the content-hashed name); the worker downloads it with progress and gives
// onnxruntime the bytes (env.wasm.wasmBinary).
//
// Threads: the glue starts each WebAssembly thread as `new Worker(<this bundle's URL>, {name: "em-pthread…"})`,
// so a worker bundle that imports this module is also loaded as a thread. Such a copy must do nothing of
// its own: check isOrtThread() before exposing an API.
import * as ort from "onnxruntime-web";
import {encodeModel} from "../src/core/onnxGraph.js";
import {createSession} from "../src/core/ortRuntime.js";
import {findWebGPUAdapter} from "../src/core/webgpu.js";
import {planRuntime, type RuntimePlan} from "./runtimePlan.js";

export {ort};
export type SessionOptions = ort.InferenceSession.SessionOptions;

/** A WebGPU adapter, as onnxruntime types it. */
type GpuAdapter = typeof ort.env.webgpu.adapter;

/** True in a copy of the bundle started by onnxruntime as a WebAssembly thread. */
export function isOrtThread(): boolean {
  return typeof self !== "undefined" && typeof self.name === "string" && self.name.startsWith("em-pthread");
}


/** What setupOrt needs: the runtime's binary, and the caller's wishes. */
export interface OrtSetupOptions {
  /** The bytes of ort-wasm-simd-threaded.jsep.wasm. */
  wasmBinary: Uint8Array;
  /** Use WebGPU when the browser has an adapter (default true). */
  preferWebGPU?: boolean;
  /** Thread count; default navigator.hardwareConcurrency when cross-origin isolated, else 1. */
  numThreads?: number;
}

/** The configured runtime: the plan it follows and the session options that go with it. */
export interface OrtSetup {
  ort: typeof ort;
  plan: RuntimePlan;
  sessionOptions: SessionOptions;
}

let done: {setup: OrtSetup; preferWebGPU: boolean; numThreads: number | undefined} | null = null;

/** Session options for a backend. WebGPU alone is named, so that a failing WebGPU start throws (and the
 * caller falls back and reports it) instead of silently running on the CPU; operators WebGPU lacks still
 * run on the CPU within the session. */
export function sessionOptionsFor(backend: RuntimePlan["backend"]): SessionOptions {
  return {executionProviders: [backend], graphOptimizationLevel: "all"};
}

/**
 * Sets onnxruntime-web up, once per worker: the thread count and WebGPU can no longer change once the
 * runtime has started, so a second call with other wishes fails (start another worker instead), and a
 * second call with the same wishes returns the first setup. Logs once why it is not WebGPU on every core.
 */
export async function setupOrt(options: OrtSetupOptions): Promise<OrtSetup> {
  const preferWebGPU = options.preferWebGPU ?? true;
  if (done) {
    if (done.preferWebGPU !== preferWebGPU || done.numThreads !== options.numThreads) {
      throw new Error(`onnxruntime-web is already set up in this worker (${done.setup.plan.backend}, ${done.setup.plan.numThreads} threads); start a new worker to change the backend or the thread count`);
    }
    return done.setup;
  }
  const adapter = preferWebGPU ? ((await findWebGPUAdapter()) as GpuAdapter | null) : null;
  const plan = planRuntime({
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    hardwareConcurrency: globalThis.navigator?.hardwareConcurrency ?? 1,
    webgpuAdapter: adapter !== null,
    preferWebGPU,
    numThreads: options.numThreads,
  });
  ort.env.logLevel = "warning";
  ort.env.wasm.numThreads = plan.numThreads;
  ort.env.wasm.wasmBinary = options.wasmBinary;
  if (adapter) ort.env.webgpu.adapter = adapter;
  if (plan.fallback) console.info(`onnxruntime-web: ${plan.fallback}`);
  const setup: OrtSetup = {ort, plan, sessionOptions: sessionOptionsFor(plan.backend)};
  done = {setup, preferWebGPU, numThreads: options.numThreads};
  return setup;
}

/** Records that WebGPU failed and WebAssembly took over (logged once), and returns the changed setup. */
export function fallBackToWasm(setup: OrtSetup, reason: string): OrtSetup {
  const fallback = `WebGPU failed (${reason}): running on WebAssembly with ${setup.plan.numThreads} thread${setup.plan.numThreads === 1 ? "" : "s"}`;
  console.info(`onnxruntime-web: ${fallback}`);
  const changed: OrtSetup = {ort, plan: {...setup.plan, backend: "wasm", fallback}, sessionOptions: sessionOptionsFor("wasm")};
  if (done) done.setup = changed;
  return changed;
}

/** A one-node model (Identity on one float), so the runtime can be started before the real model is there. */
function identityModel(): Uint8Array {
  const value = (name: string) => ({name, type: {tensorType: {elemType: 1, shape: {dim: [{dimValue: 1}]}}}});
  return encodeModel({irVersion: 8, opsetImport: [{domain: "", version: 13}], graph: {name: "warm-up", node: [{opType: "Identity", input: ["x"], output: ["y"]}], input: [value("x")], output: [value("y")]}});
}

/**
 * Starts onnxruntime's WebAssembly runtime now: the first session of a worker compiles the 14–28 MB binary
 * and starts its threads, which takes seconds. A session on a one-node model does that while the real
 * model is still downloading, and is released at once. Afterwards the runtime no longer needs its bytes.
 */
export async function startRuntime(setup: OrtSetup): Promise<void> {
  const session = await createSession(setup.ort, identityModel(), sessionOptionsFor("wasm"), "the runtime's warm-up model");
  await session.release();
  ort.env.wasm.wasmBinary = undefined;
}
