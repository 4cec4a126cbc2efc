// The loader entries that put live uploads' files into the site, run as Framework runs them: the model's
// ONNX file and onnxruntime-web's WebAssembly binary.
import assert from "node:assert/strict";
import {spawnSync} from "node:child_process";
import {readFileSync} from "node:fs";
import {createRequire} from "node:module";
import {test} from "node:test";
import {loadModel} from "../../data-loaders/models/catalogue.js";

function run(entry: string, args: string[] = []) {
  const r = spawnSync(process.execPath, ["--import", "tsx", entry, ...args], {maxBuffer: 1 << 26});
  return {status: r.status, stdout: r.stdout, stderr: r.stderr.toString()};
}

test("data/models/[model].onnx writes the converted model", async () => {
  const r = run("src/data/models/[model].onnx.ts", ["--model=inception_v3"]);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(Buffer.from((await loadModel("inception_v3")).bytes).equals(r.stdout));
});

test("data/models/[model].onnx fails on an unknown model, naming those on offer, and writes nothing", () => {
  const r = run("src/data/models/[model].onnx.ts", ["--model=resnet9000"]);
  assert.equal(r.status, 1);
  assert.equal(r.stdout.length, 0);
  assert.match(r.stderr, /unknown model resnet9000 \(available: inception_v3, mobilenet_v2\)/);
});

test("w/ort-wasm-simd-threaded.jsep.wasm is the installed onnxruntime-web's binary", () => {
  const r = run("src/w/ort-wasm-simd-threaded.jsep.wasm.ts");
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual([...r.stdout.subarray(0, 4)], [0, 0x61, 0x73, 0x6d], "WebAssembly magic");
  const installed = readFileSync(createRequire(import.meta.url).resolve("onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm"));
  assert.ok(installed.equals(r.stdout));
});

test("w/ort-wasm-simd-threaded.wasm is the installed onnxruntime-web's CPU-only binary, half the size of the one with WebGPU", () => {
  const r = run("src/w/ort-wasm-simd-threaded.wasm.ts");
  assert.equal(r.status, 0, r.stderr);
  const installed = readFileSync(createRequire(import.meta.url).resolve("onnxruntime-web/ort-wasm-simd-threaded.wasm"));
  assert.ok(installed.equals(r.stdout));
  const jsep = readFileSync(createRequire(import.meta.url).resolve("onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm"));
  assert.ok(r.stdout.length < 0.6 * jsep.length, `${r.stdout.length} bytes against ${jsep.length}`);
});

test("w/uploadsWasm.js is the uploads worker on onnxruntime-web/wasm: no WebGPU glue, and smaller", () => {
  const wasm = run("src/w/[worker].js.ts", ["--worker=uploadsWasm"]);
  const full = run("src/w/[worker].js.ts", ["--worker=uploads"]);
  assert.equal(wasm.status, 0, wasm.stderr);
  assert.equal(full.status, 0, full.stderr);
  const text = (b: Buffer) => b.toString("utf8");
  // The WebGPU build's glue copies tensors between the CPU and the GPU; the CPU-only one cannot.
  assert.match(text(full.stdout), /jsepCopyGpuToCpu/);
  assert.doesNotMatch(text(wasm.stdout), /jsepCopyGpuToCpu/);
  assert.ok(wasm.stdout.length < 0.6 * full.stdout.length, `${wasm.stdout.length} bytes against ${full.stdout.length}`);
  // Both are the same worker: its API's names are in both.
  for (const name of ["inspectModel", "initModel", "lifeline"]) assert.ok(text(wasm.stdout).includes(name) && text(full.stdout).includes(name), name);
});
