// Downloads a file with progress reports, for the files an uploads worker fetches once: the model and
// onnxruntime's WebAssembly binary. Uses only fetch and streams, so it runs in Node too (unit tests). In a
// browser the file is kept in Cache Storage (src/core/fileCache.ts) and later calls read that copy, so
// uploads work offline after the first one.
import {isOffline, keepFile, keptResponse, offlineMessage} from "../src/core/fileCache.js";

/** How far a download has got. `total` is null when the server sends no Content-Length. */
export interface DownloadProgress {
  /** Which file: "model" or "runtime". */
  file: string;
  url: string;
  loaded: number;
  total: number | null;
}

export type ProgressListener = (progress: DownloadProgress) => void;

/** Options of download(). */
export interface DownloadOptions {
  /** What the file is, for progress and errors ("model", "runtime"). */
  file: string;
  onProgress?: ProgressListener;
  /** Least growth, as a share of the total, between two reports (default 1%); the first and last always go. */
  step?: number;
  fetch?: typeof fetch;
}

/**
 * Fetches `url` into memory, calling `onProgress` as bytes arrive. Fails, naming the file and the URL, on a
 * network error, an HTTP error status, an HTML page where a binary file was expected (a static host's
 * not-found page), or a body whose length differs from Content-Length.
 */
export async function download(url: string, options: DownloadOptions): Promise<Uint8Array> {
  const {file, onProgress, step = 0.01} = options;
  const fetchImpl = options.fetch ?? fetch;
  const fail = (problem: string) => new Error(`could not download the ${file} from ${url}: ${problem}`);
  // Kept copies are looked up by absolute URL (a test's own fetch keeps nothing).
  const absolute = URL.canParse(url, globalThis.location?.href) ? new URL(url, globalThis.location?.href).href : url;
  const kept = options.fetch ? null : await keptResponse(absolute);
  let response: Response;
  try {
    response = kept ?? (await fetchImpl(url));
  } catch (error) {
    throw isOffline() ? new Error(offlineMessage(`the ${file}`)) : fail((error as Error).message);
  }
  if (!response.ok) throw fail(`HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`);
  if ((response.headers.get("content-type") ?? "").startsWith("text/html")) throw fail("the server sent an HTML page (is the file missing from the site?)");
  const length = response.headers.get("content-length");
  const total = length !== null && /^\d+$/.test(length) && !response.headers.get("content-encoding") ? Number(length) : null;
  const report = (loaded: number) => onProgress?.({file, url, loaded, total});
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    report(bytes.length);
    return bytes;
  }
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  let reported = -1;
  const every = total ? Math.max(1, Math.floor(total * step)) : 1 << 20;
  report(0);
  reported = 0;
  const reader = response.body.getReader();
  try {
    for (;;) {
      const {done, value} = await reader.read();
      if (done) break;
      chunks.push(value);
      loaded += value.length;
      if (loaded - reported >= every) {
        report(loaded);
        reported = loaded;
      }
    }
  } catch (error) {
    throw fail(`the connection broke after ${loaded} bytes (${(error as Error).message})`);
  }
  if (total !== null && loaded !== total) throw fail(`received ${loaded} bytes, expected ${total}`);
  if (reported !== loaded) report(loaded);
  let bytes = chunks[0] ?? new Uint8Array(0);
  if (chunks.length > 1) {
    bytes = new Uint8Array(loaded);
    let offset = 0;
    for (const chunk of chunks) bytes.set(chunk, offset), (offset += chunk.length);
  }
  if (!kept && !options.fetch) await keepFile(absolute, bytes, response.headers.get("content-type") ?? "application/octet-stream");
  return bytes;
}
