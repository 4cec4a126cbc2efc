// The site's own configuration plus, at fixed paths, the files of live uploads (the worker, the model, its
// description and onnxruntime's WebAssembly binary). No page references them yet, and Framework builds
// only what a page references or `dynamicPaths` lists; this config lists them, so the tests and the
// benchmark can drive the real built worker. tests/e2e/uploadsSite.ts builds it into its own folder,
// leaving dist/ as it is.
import base from "../../observablehq.config.js";

/** Where the upload files are in this build (site-absolute paths). */
export const UPLOAD_PATHS = {
  worker: "/w/uploads.js",
  wasm: "/w/ort-wasm-simd-threaded.jsep.wasm",
  model: "/data/models/inception_v3.onnx",
  spec: "/data/models/inception_v3.json"
} as const;

export default {...base, output: process.env.UPLOADS_SITE_DIR ?? "tests/output/uploads-site", dynamicPaths: Object.values(UPLOAD_PATHS)};
