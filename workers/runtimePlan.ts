// Which onnxruntime-web backend and how many threads an uploads worker uses, decided from what the browser
// offers. Pure, so the rule is tested in Node (tests/unit/uploadsRuntime.test.ts); workers/ortSetup.ts
// gathers the facts and applies the plan.

/** Where the model runs: onnxruntime-web's WebGPU execution provider, or its WebAssembly CPU kernels. */
export type Backend = "webgpu" | "wasm";

/** What the browser offers, and what the caller asks for. */
export interface RuntimeFacts {
  /** `crossOriginIsolated`: SharedArrayBuffer, hence WebAssembly threads, is available only then. */
  crossOriginIsolated: boolean;
  /** `navigator.hardwareConcurrency` (0 or missing when unknown). */
  hardwareConcurrency: number;
  /** Whether `navigator.gpu.requestAdapter()` returned an adapter. */
  webgpuAdapter: boolean;
  /** Use WebGPU when there is an adapter (default true). */
  preferWebGPU?: boolean;
  /** A thread count chosen by the caller (benchmarks); it is still capped to 1 without isolation. */
  numThreads?: number;
}

export interface RuntimePlan {
  backend: Backend;
  /** WebAssembly threads (also used by the WebGPU backend for the operators it leaves on the CPU). */
  numThreads: number;
  /** Why the plan is not WebGPU with every core, for a one-time log line; null when it is. */
  fallback: string | null;
}

/** The plan for `facts`: WebGPU when an adapter exists (and is wanted), else WebAssembly; all cores when
 * the page is cross-origin isolated, else one thread. */
export function planRuntime(facts: RuntimeFacts): RuntimePlan {
  const cores = Number.isInteger(facts.hardwareConcurrency) && facts.hardwareConcurrency > 0 ? facts.hardwareConcurrency : 1;
  const wanted = facts.numThreads ?? cores;
  if (!(Number.isInteger(wanted) && wanted >= 1)) throw new RangeError(`numThreads must be a whole number ≥ 1, got ${facts.numThreads}`);
  const numThreads = facts.crossOriginIsolated ? wanted : 1;
  const preferWebGPU = facts.preferWebGPU ?? true;
  const backend: Backend = preferWebGPU && facts.webgpuAdapter ? "webgpu" : "wasm";
  const reasons: string[] = [];
  if (backend === "wasm") reasons.push(preferWebGPU ? "no WebGPU adapter" : "WebGPU not requested");
  if (!facts.crossOriginIsolated && wanted > 1) reasons.push("the page is not cross-origin isolated, so WebAssembly runs on 1 thread");
  const fallback = reasons.length ? `${reasons.join("; ")}: running on ${backend === "webgpu" ? "WebGPU" : "WebAssembly"} with ${numThreads} thread${numThreads === 1 ? "" : "s"}` : null;
  return {backend, numThreads, fallback};
}
