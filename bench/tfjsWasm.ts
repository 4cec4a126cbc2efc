// TensorFlow.js with its WebAssembly backend running the original Keras InceptionV3 (the nsfwjs 4.3.0
// layers model the converter starts from), cut at one layer, in headless Chromium: the reference the
// uploads benchmark compares onnxruntime-web with.
//
// buildTfjsSite() assembles a small static site under tests/output/tfjs-site/ (gitignored): an index.html,
// the tfjs and tfjs-backend-wasm UMD bundles with the backend's three .wasm binaries (from node_modules),
// and the model as a plain TensorFlow.js model.json plus weight shards (nsfwjs ships them as JavaScript
// modules; here they are decoded to .bin files). openSite() serves it with the same cross-origin isolation
// headers as the app, so the backend may use its SIMD + threads binary, and every request stays on
// 127.0.0.1 (setWasmPaths points at the local server).
//
// runTfjsWasm() loads the model in a fresh page, builds tf.model({outputs: the layer's output}) and times
// predict() + data() (the input tensor's upload included, as onnxruntime's session.run copies its input).
import {copyFileSync, mkdirSync, rmSync, writeFileSync} from "node:fs";
import {createRequire} from "node:module";
import {dirname, join} from "node:path";
import {nsfwjsModelDir} from "../data-loaders/models/nsfwjsFiles.js";
import {CHROMIUM_FLAGS, openSite} from "../tests/e2e/browser.js";

const require = createRequire(import.meta.url);
const root = join(import.meta.dirname, "..");

/** Where the TF.js benchmark site is assembled. */
export const tfjsSiteDir = join(root, "tests", "output", "tfjs-site");

const INDEX_HTML = `<!doctype html>
<meta charset="utf-8">
<title>TensorFlow.js wasm benchmark</title>
<script src="/tfjs/tf.min.js"></script>
<script src="/tfjs/tf-backend-wasm.min.js"></script>
<p>TensorFlow.js wasm backend benchmark page (bench/tfjsWasm.ts).</p>
`;

/** Assembles the site (bundles, wasm binaries, model) and returns its folder. */
export function buildTfjsSite(): string {
  rmSync(tfjsSiteDir, {recursive: true, force: true});
  const lib = join(tfjsSiteDir, "tfjs");
  const modelDir = join(tfjsSiteDir, "model");
  mkdirSync(lib, {recursive: true});
  mkdirSync(modelDir, {recursive: true});
  writeFileSync(join(tfjsSiteDir, "index.html"), INDEX_HTML);

  const tfjsDist = join(dirname(require.resolve("@tensorflow/tfjs/package.json")), "dist");
  const wasmDist = join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist");
  copyFileSync(join(tfjsDist, "tf.min.js"), join(lib, "tf.min.js"));
  copyFileSync(join(wasmDist, "tf-backend-wasm.min.js"), join(lib, "tf-backend-wasm.min.js"));
  for (const file of ["tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm", "tfjs-backend-wasm-threaded-simd.wasm"]) copyFileSync(join(wasmDist, file), join(lib, file));

  // nsfwjs: model.min.js exports the model.json object; each group1-shardNofM.min.js one base64 string.
  const dir = nsfwjsModelDir("inception_v3");
  const load = (file: string): unknown => {
    const path = join(dir, file);
    const value: unknown = require(path);
    delete require.cache[require.resolve(path)];
    return value;
  };
  const json = load("model.min.js") as {modelTopology: unknown; weightsManifest: Array<{paths: string[]; weights: unknown[]}>};
  const weightsManifest = json.weightsManifest.map((group) => ({
    ...group,
    paths: group.paths.map((path) => {
      const base64 = load(`${path}.min.js`);
      if (typeof base64 !== "string") throw new Error(`nsfwjs shard ${path}.min.js does not export a string`);
      writeFileSync(join(modelDir, `${path}.bin`), Buffer.from(base64, "base64"));
      return `${path}.bin`;
    })
  }));
  writeFileSync(join(modelDir, "model.json"), JSON.stringify({format: "layers-model", modelTopology: json.modelTopology, weightsManifest}));
  return tfjsSiteDir;
}

/** Options of runTfjsWasm(). */
export interface TfjsWasmOptions {
  /** Keras layer whose output is timed and returned, e.g. "mixed4". */
  layer: string;
  /** The model input, NHWC float32 in the model's range ([−1, 1]). */
  input: Float32Array;
  dims: [number, number, number, number];
  /** tf.wasm.setThreadsCount(); default: the backend's own choice. The backend caps the count at half of
   * navigator.hardwareConcurrency (it assumes two logical cores per physical one), so a larger count also
   * makes the page report twice as many cores to the backend; getThreadsCount() says what it used. */
  threads?: number;
  warmup: number;
  repeats: number;
  /** Chromium flags (default CHROMIUM_FLAGS). */
  args?: string[];
  /** Serve with COOP/COEP (default true); without them the backend cannot use threads. */
  crossOriginIsolation?: boolean;
}

/** What one TF.js page measured. */
export interface TfjsWasmResult {
  tfjsVersion: string;
  /** The backend's feature checks: which binary it loaded. */
  simd: boolean;
  multithread: boolean;
  crossOriginIsolated: boolean;
  /** tf.wasm.getThreadsCount(): the XNNPACK thread pool size. */
  threads: number;
  /** Milliseconds: backend start (wasm download and compile), model load and cut. */
  initMs: number;
  /** The first predict() + data() after loading. */
  firstMs: number;
  /** The timed runs (after `warmup` untimed ones). */
  ms: number[];
  /** The layer's activations from the last run, NHWC (= cell-major for a batch of one). */
  values: Float32Array;
  shape: number[];
}

/** Runs the cut Keras model with the wasm backend in a fresh headless Chromium page on buildTfjsSite()'s site. */
export async function runTfjsWasm(site: string, options: TfjsWasmOptions): Promise<TfjsWasmResult> {
  const opened = await openSite({root: site, args: options.args ?? CHROMIUM_FLAGS, crossOriginIsolation: options.crossOriginIsolation});
  try {
    const page = await opened.open("");
    const input = Buffer.from(options.input.buffer, options.input.byteOffset, options.input.byteLength).toString("base64");
    const result = await page.evaluate(
      async ({layer, input, dims, threads, warmup, repeats}) => {
        // The UMD bundles define the global tf (tf.wasm for the backend); typed loosely here, as the
        // page's own code is not type-checked against @tensorflow/tfjs.
        type Tensor = {data(): Promise<Float32Array>; dispose(): void; shape: number[]};
        type Model = {inputs: unknown[]; getLayer(name: string): {output: unknown}; predict(x: Tensor): Tensor};
        const tf = (globalThis as unknown as {tf: {
          version: {tfjs: string};
          wasm: {setWasmPaths(prefix: string): void; setThreadsCount(n: number): void; getThreadsCount(): number};
          env(): {getAsync(flag: string): Promise<boolean>};
          setBackend(name: string): Promise<boolean>;
          ready(): Promise<void>;
          getBackend(): string;
          loadLayersModel(url: string): Promise<Model>;
          model(config: {inputs: unknown[]; outputs: unknown}): Model;
          tensor4d(values: Float32Array, shape: number[]): Tensor;
          tidy<T>(f: () => T): T;
        }}).tf;
        if (threads !== undefined) {
          // Read once by the backend's WebAssembly start-up (emscripten_num_logical_cores).
          const cores = 2 * threads;
          Object.defineProperty(navigator, "hardwareConcurrency", {get: () => cores, configurable: true});
        }
        const t0 = performance.now();
        tf.wasm.setWasmPaths(new URL("/tfjs/", location.href).href);
        if (threads !== undefined) tf.wasm.setThreadsCount(threads);
        if (!(await tf.setBackend("wasm"))) throw new Error("tf.setBackend('wasm') failed");
        await tf.ready();
        const full = await tf.loadLayersModel("/model/model.json");
        const cut = tf.model({inputs: full.inputs, outputs: full.getLayer(layer).output});
        const initMs = performance.now() - t0;

        const x = new Float32Array(Uint8Array.from(atob(input), (c) => c.charCodeAt(0)).buffer);
        const run = async () => {
          const start = performance.now();
          const y = tf.tidy(() => cut.predict(tf.tensor4d(x, dims)));
          const values = await y.data();
          const shape = y.shape;
          y.dispose();
          return {ms: performance.now() - start, values, shape};
        };
        const first = await run();
        for (let r = 0; r < warmup; ++r) await run();
        const ms: number[] = [];
        let last = first;
        for (let r = 0; r < repeats; ++r) {
          last = await run();
          ms.push(last.ms);
        }
        const bytes = new Uint8Array(last.values.buffer, last.values.byteOffset, last.values.byteLength);
        let s = "";
        for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
        return {
          tfjsVersion: tf.version.tfjs,
          backend: tf.getBackend(),
          simd: await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT"),
          multithread: await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT"),
          crossOriginIsolated: globalThis.crossOriginIsolated === true,
          threads: tf.wasm.getThreadsCount(),
          initMs,
          firstMs: first.ms,
          ms,
          values: btoa(s),
          shape: last.shape
        };
      },
      {layer: options.layer, input, dims: options.dims, threads: options.threads, warmup: options.warmup, repeats: options.repeats}
    );
    if (result.backend !== "wasm") throw new Error(`TensorFlow.js ran on ${result.backend}, not wasm`);
    if (opened.errors.length) throw new Error(`the TF.js page reported errors: ${opened.errors.join("; ")}`);
    const bytes = Buffer.from(result.values, "base64");
    return {...result, values: new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)};
  } finally {
    await opened.close();
  }
}
