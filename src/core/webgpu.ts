// Whether the browser offers WebGPU: asked by the uploads worker (workers/ortSetup.ts) to pick its backend,
// and by pages, without loading onnxruntime, to start the uploads worker that fits. Returns null in Node
// and in browsers without navigator.gpu.

/** The part of WebGPU used here (TypeScript's DOM library has no WebGPU types). */
interface GpuLike {
  requestAdapter(options?: {powerPreference?: "low-power" | "high-performance"}): Promise<object | null>;
}

/** Asks for a WebGPU adapter; null when there is no navigator.gpu, no adapter, or an error. */
export async function findWebGPUAdapter(): Promise<object | null> {
  const gpu = (globalThis.navigator as (Navigator & {gpu?: GpuLike}) | undefined)?.gpu;
  if (!gpu) return null;
  try {
    return await gpu.requestAdapter({powerPreference: "high-performance"});
  } catch {
    return null;
  }
}
