// The uploads worker's pure parts: which backend and thread count it picks (workers/runtimePlan.ts) and
// downloads with progress (workers/download.ts).
import assert from "node:assert/strict";
import {test} from "node:test";
import {download, type DownloadProgress} from "../../workers/download.js";
import {planRuntime} from "../../workers/runtimePlan.js";

test("planRuntime: WebGPU when there is an adapter, every core when cross-origin isolated", () => {
  assert.deepEqual(planRuntime({crossOriginIsolated: true, hardwareConcurrency: 8, webgpuAdapter: true}), {backend: "webgpu", numThreads: 8, fallback: null});
  assert.deepEqual(planRuntime({crossOriginIsolated: true, hardwareConcurrency: 2, webgpuAdapter: false}), {backend: "wasm", numThreads: 2, fallback: "no WebGPU adapter: running on WebAssembly with 2 threads"});
  assert.deepEqual(planRuntime({crossOriginIsolated: false, hardwareConcurrency: 4, webgpuAdapter: false}), {
    backend: "wasm",
    numThreads: 1,
    fallback: "no WebGPU adapter; the page is not cross-origin isolated, so WebAssembly runs on 1 thread: running on WebAssembly with 1 thread"
  });
  assert.equal(planRuntime({crossOriginIsolated: true, hardwareConcurrency: 4, webgpuAdapter: true, preferWebGPU: false}).fallback, "WebGPU not requested: running on WebAssembly with 4 threads");
  assert.equal(planRuntime({crossOriginIsolated: true, hardwareConcurrency: 4, webgpuAdapter: false, numThreads: 1}).numThreads, 1);
  assert.equal(planRuntime({crossOriginIsolated: false, hardwareConcurrency: 4, webgpuAdapter: true, numThreads: 3}).numThreads, 1);
  assert.equal(planRuntime({crossOriginIsolated: true, hardwareConcurrency: 0, webgpuAdapter: false}).numThreads, 1, "unknown core count");
  assert.throws(() => planRuntime({crossOriginIsolated: true, hardwareConcurrency: 4, webgpuAdapter: false, numThreads: 0}), /numThreads must be a whole number ≥ 1, got 0/);
});

/** A fetch that answers with `chunks` as a stream and the given headers. */
function fakeFetch(chunks: Uint8Array[], init: ResponseInit = {}): typeof fetch {
  return (async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const c of chunks) controller.enqueue(c);
        controller.close();
      }
    });
    return new Response(body, init);
  }) as typeof fetch;
}

test("download joins the chunks and reports progress up to the total", async () => {
  const chunks = Array.from({length: 10}, (_, i) => new Uint8Array(100).fill(i));
  const reports: DownloadProgress[] = [];
  const bytes = await download("/m.onnx", {file: "model", onProgress: (p) => reports.push(p), step: 0.25, fetch: fakeFetch(chunks, {headers: {"content-length": "1000"}})});
  assert.equal(bytes.length, 1000);
  assert.equal(bytes[999], 9);
  assert.deepEqual(reports.map((r) => r.loaded), [0, 300, 600, 900, 1000]);
  assert.ok(reports.every((r) => r.total === 1000 && r.file === "model" && r.url === "/m.onnx"));
});

test("download without Content-Length reports null totals and still ends with the size", async () => {
  const reports: DownloadProgress[] = [];
  const bytes = await download("/x", {file: "runtime", onProgress: (p) => reports.push(p), fetch: fakeFetch([new Uint8Array(5), new Uint8Array(7)])});
  assert.equal(bytes.length, 12);
  assert.deepEqual(reports.at(-1), {file: "runtime", url: "/x", loaded: 12, total: null});
});

test("download failures name the file, the URL and the problem", async () => {
  await assert.rejects(download("/gone.onnx", {file: "model", fetch: (async () => new Response("nope", {status: 404, statusText: "Not Found"})) as typeof fetch}), /^Error: could not download the model from \/gone\.onnx: HTTP 404 Not Found$/);
  await assert.rejects(
    download("/w.wasm", {file: "runtime", fetch: (async () => new Response("<!DOCTYPE html>", {headers: {"content-type": "text/html; charset=utf-8"}})) as typeof fetch}),
    /could not download the runtime from \/w\.wasm: the server sent an HTML page/
  );
  await assert.rejects(download("/m", {file: "model", fetch: fakeFetch([new Uint8Array(10)], {headers: {"content-length": "20"}})}), /received 10 bytes, expected 20/);
  await assert.rejects(download("/m", {file: "model", fetch: (async () => { throw new TypeError("Failed to fetch"); }) as typeof fetch}), /could not download the model from \/m: Failed to fetch/);
});
