// onnxruntime-web's CPU-only WebAssembly binary (14 MB, half the WebGPU one), for the uploads worker built
// against onnxruntime-web/wasm (w/uploadsWasm.js), which pages start when the browser has no WebGPU adapter.
import {ortBinary} from "../../data-loaders/ortBinary.js";
import {runLoader} from "../../data-loaders/runLoader.js";

await runLoader(() => ortBinary("ort-wasm-simd-threaded.wasm"));
