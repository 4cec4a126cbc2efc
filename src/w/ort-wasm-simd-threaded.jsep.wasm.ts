// onnxruntime-web's WebAssembly binary (CPU kernels and WebGPU), copied from node_modules into the site
// for the workers that run a model (workers/ortSetup.ts explains why this is the only runtime file they
// load). A page passes its URL to the worker: FileAttachment("w/ort-wasm-simd-threaded.jsep.wasm").url().
import {readFile} from "node:fs/promises";
import {createRequire} from "node:module";
import {runLoader} from "../../data-loaders/runLoader.js";

await runLoader(async () => {
  // Resolved through the package's exports map, so it is the file of the installed onnxruntime-web.
  const path = createRequire(import.meta.url).resolve("onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm");
  const bytes = await readFile(path);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
});
