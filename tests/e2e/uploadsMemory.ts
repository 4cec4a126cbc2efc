// Memory of many uploads in a row through the real uploads worker: what tests/e2e/uploadsMemory.test.ts
// asserts and bench/uploads.ts prints. After chosen upload counts it forces garbage collection and reads,
// through the Chrome DevTools Protocol:
// - the page's JS heap (HeapProfiler.collectGarbage, then Performance.getMetrics → JSHeapUsedSize);
// - the uploads worker's JS heap and ArrayBuffer backing stores (the same two calls in the worker's own
//   target, reached with Target.attachToTarget; Runtime.getHeapUsage → usedSize, backingStorageSize);
//   onnxruntime's WebAssembly threads run the same bundle but are named "em-pthread…" and are skipped;
// - the resident memory of Chromium's renderer processes (from /proc; the worker's WebAssembly memory,
//   which no JS heap figure counts, is in there), as a cross-check.
import {readFileSync, readdirSync} from "node:fs";
import {join} from "node:path";
import type {CDPSession, Page} from "playwright-core";
import type {Site} from "./browser.js";
import {UPLOAD_PATHS} from "./uploadsHarness.js";

const MB = 1024 * 1024;

/** Upload counts after which memory is measured. */
export const CHECKPOINTS = [1, 10, 50, 100];
/** Largest growth allowed (MB) between upload 10 and upload 100 of the page's and the worker's JS heaps and of
 * the worker's ArrayBuffer storage. */
export const GROWTH_MB = 20;
/** Largest growth allowed (MB) of the renderer processes' resident memory over the same uploads (noisier). */
export const RSS_GROWTH_MB = 64;

/** One measurement, after `uploads` uploads and a forced GC. Sizes in MB. */
export interface MemorySample {
  uploads: number;
  pageHeap: number;
  workerHeap: number;
  workerBuffers: number;
  /** Sum of the resident set sizes of the renderer processes started by this Node process (Linux), or NaN. */
  rendererRss: number;
}

/** A file to upload, read in this process. */
export interface UploadFile {
  name: string;
  bytes: Uint8Array;
  type: string;
}

/** The animals set's photos (JPEG and PNG), in name order. */
export function animalsUploads(): UploadFile[] {
  const dir = join(import.meta.dirname, "..", "..", "datasets", "animals");
  return readdirSync(dir)
    .filter((f) => /\.(jpe?g|png)$/.test(f))
    .sort()
    .map((name) => ({name, bytes: readFileSync(join(dir, name)), type: name.endsWith(".png") ? "image/png" : "image/jpeg"}));
}

/** A CDP session into a worker target, through the page's session (Target.sendMessageToTarget). */
interface TargetSession {
  send<T = unknown>(method: string, params?: Record<string, unknown>): Promise<T>;
}

async function attachToWorker(cdp: CDPSession, urlPath: string): Promise<TargetSession> {
  const {targetInfos} = (await cdp.send("Target.getTargets")) as {targetInfos: Array<{targetId: string; type: string; url: string; title: string}>};
  // onnxruntime's threads load the same bundle as workers titled "em-pthread…"; the uploads worker's title is its URL.
  const worker = targetInfos.find((t) => t.type === "worker" && new URL(t.url).pathname === urlPath && !t.title.startsWith("em-pthread"));
  if (!worker) throw new Error(`no worker target for ${urlPath} among ${targetInfos.map((t) => `${t.type} ${t.title}`).join(", ")}`);
  const {sessionId} = (await cdp.send("Target.attachToTarget", {targetId: worker.targetId, flatten: false})) as {sessionId: string};
  let nextId = 0;
  const pending = new Map<number, {resolve(value: unknown): void; reject(error: Error): void}>();
  cdp.on("Target.receivedMessageFromTarget", (event) => {
    if (event.sessionId !== sessionId) return;
    const message = JSON.parse(event.message) as {id?: number; result?: unknown; error?: {message: string}};
    const waiting = message.id === undefined ? undefined : pending.get(message.id);
    if (!waiting) return;
    pending.delete(message.id!);
    if (message.error) waiting.reject(new Error(`worker CDP: ${message.error.message}`));
    else waiting.resolve(message.result);
  });
  return {
    send<T>(method: string, params: Record<string, unknown> = {}) {
      const id = ++nextId;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, {resolve: resolve as (value: unknown) => void, reject});
        cdp.send("Target.sendMessageToTarget", {sessionId, message: JSON.stringify({id, method, params})}).catch(reject);
      });
    }
  };
}

/** Resident memory (MB) of the renderer processes descended from this Node process; NaN off Linux. */
export function rendererRss(): number {
  try {
    const children = new Map<number, number[]>();
    const info = new Map<number, {rss: number; renderer: boolean}>();
    for (const entry of readdirSync("/proc")) {
      const pid = Number(entry);
      if (!Number.isInteger(pid)) continue;
      try {
        const status = readFileSync(`/proc/${pid}/status`, "utf8");
        const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
        const rss = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) / 1024;
        const renderer = readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("--type=renderer");
        info.set(pid, {rss, renderer});
        children.set(ppid, [...(children.get(ppid) ?? []), pid]);
      } catch {
        // the process ended while we looked
      }
    }
    let total = 0;
    const visit = (pid: number) => {
      for (const child of children.get(pid) ?? []) {
        const i = info.get(child);
        if (i?.renderer) total += i.rss;
        visit(child);
      }
    };
    visit(process.pid);
    return total;
  } catch {
    return NaN;
  }
}

/**
 * Uploads `files` in turn, `checkpoints.at(-1)` times in all, through worker `key` (started with
 * startUploads in `page`), and measures memory after each checkpoint count. Each upload's result reaches
 * the page (buffers transferred, the PNG as a Blob) and is dropped there, as a page that keeps only what it
 * shows would.
 */
export async function measureUploadsMemory(site: Site, page: Page, key: string, files: UploadFile[], checkpoints: number[]): Promise<MemorySample[]> {
  const cdp = await site.context.newCDPSession(page);
  await cdp.send("Performance.enable");
  const worker = await attachToWorker(cdp, UPLOAD_PATHS.worker);
  await page.evaluate((files) => {
    (window as unknown as {memoryFiles: File[]}).memoryFiles = files.map((f) => new File([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], f.name, {type: f.type}));
  }, files.map((f) => ({name: f.name, type: f.type, base64: Buffer.from(f.bytes).toString("base64")})));

  const measure = async (uploads: number): Promise<MemorySample> => {
    // Twice: objects freed by the first collection (e.g. finalisers, weak references) go in the second.
    for (let i = 0; i < 2; ++i) {
      await cdp.send("HeapProfiler.collectGarbage");
      await worker.send("HeapProfiler.collectGarbage");
    }
    const {metrics} = await cdp.send("Performance.getMetrics");
    const pageHeap = metrics.find((m) => m.name === "JSHeapUsedSize")?.value;
    if (pageHeap === undefined) throw new Error("Performance.getMetrics gave no JSHeapUsedSize");
    const usage = await worker.send<{usedSize: number; backingStorageSize?: number}>("Runtime.getHeapUsage");
    return {uploads, pageHeap: pageHeap / MB, workerHeap: usage.usedSize / MB, workerBuffers: (usage.backingStorageSize ?? NaN) / MB, rendererRss: rendererRss()};
  };

  const samples: MemorySample[] = [];
  let done = 0;
  for (const target of checkpoints) {
    await page.evaluate(
      async ({key, from, to}) => {
        const w = window as unknown as {memoryFiles: File[]; uploads: Record<string, {embed(file: Blob): Promise<{layers: Record<string, {values: Float32Array}>; png: Blob}>}>};
        for (let i = from; i < to; ++i) {
          const result = await w.uploads[key].embed(w.memoryFiles[i % w.memoryFiles.length]);
          if (!result.png.size || !Object.values(result.layers).every((l) => l.values.length > 0)) throw new Error(`upload ${i + 1} returned an empty result`);
        }
      },
      {key, from: done, to: target}
    );
    done = target;
    samples.push(await measure(done));
  }
  await cdp.detach();
  return samples;
}
