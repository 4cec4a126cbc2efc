// onnxruntime-web's WebAssembly binary with WebGPU (CPU kernels and WebGPU, 28 MB), copied from
// node_modules into the site for the workers that run a model (workers/ortSetup.ts explains why this is
// the only runtime file they load). A page passes its URL to the worker:
// FileAttachment("w/ort-wasm-simd-threaded.jsep.wasm").url(). Without a WebGPU adapter pages load the
// smaller CPU-only binary instead (ort-wasm-simd-threaded.wasm.ts).
import {ortBinary} from "../../data-loaders/ortBinary.js";
import {runLoader} from "../../data-loaders/runLoader.js";

await runLoader(() => ortBinary("ort-wasm-simd-threaded.jsep.wasm"));
