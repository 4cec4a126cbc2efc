// The files live uploads download once (the uploads worker's bundle, the model and its description,
// onnxruntime's WebAssembly binary), kept in the browser's Cache Storage so that uploads work offline
// after the first one. Their URLs carry a content hash, so an entry never goes stale; when a new build's
// copy of a file is kept, the entries of its older builds are deleted. Works in pages and workers; where
// there is no Cache Storage (Node, some private windows) it keeps nothing and says nothing.

/** The Cache Storage cache that holds the files. */
export const FILE_CACHE = "similarity-overlays-files";

async function openCache(): Promise<Cache | null> {
  if (typeof caches === "undefined") return null;
  try {
    return await caches.open(FILE_CACHE);
  } catch {
    return null; // storage refused (e.g. an opaque origin): download every time
  }
}

/** The same file in any build: its path with the content hash taken out ("/_file/w/uploads.2f3a….js" → "/_file/w/uploads.js"). */
function fileKey(url: string): string {
  return new URL(url).pathname.replace(/\.[0-9a-f]{8,}(?=\.[^./]+$)/, "");
}

/** The kept copy of `url` (an absolute URL), or null. */
export async function keptResponse(url: string): Promise<Response | null> {
  const cache = await openCache();
  return (await cache?.match(url).catch(() => undefined)) ?? null;
}

/** Keeps `bytes` as the copy of `url` (an absolute URL) and deletes older builds' copies of the same file. A full storage keeps nothing. */
export async function keepFile(url: string, bytes: Uint8Array, type: string): Promise<void> {
  const cache = await openCache();
  if (!cache) return;
  try {
    const key = fileKey(url);
    for (const request of await cache.keys()) if (request.url !== url && fileKey(request.url) === key) await cache.delete(request);
    await cache.put(url, new Response(bytes as BlobPart, {headers: {"content-type": type, "content-length": String(bytes.length)}}));
  } catch {
    // Quota or a storage cleared meanwhile: the next upload downloads it again.
  }
}

/** True when the browser says it is offline. */
export function isOffline(): boolean {
  return typeof navigator !== "undefined" && navigator.onLine === false;
}

/** What to say when `what` ("the model", "the runtime") is needed but was never downloaded and the browser is offline. */
export function offlineMessage(what: string): string {
  return `${what} has not been downloaded yet and this browser is offline: it will work once you are back online (after one upload, it is kept for offline use)`;
}

/** The bytes of `url` (absolute): the kept copy, else downloaded and kept. Offline without a copy, the error says so. */
export async function fetchKept(url: string, what: string, type = "application/octet-stream"): Promise<Uint8Array> {
  const kept = await keptResponse(url);
  if (kept) return new Uint8Array(await kept.arrayBuffer());
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(isOffline() ? offlineMessage(what) : `could not download ${what} from ${url}: ${(error as Error).message}`);
  }
  if (!response.ok) throw new Error(`could not download ${what} from ${url}: HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  await keepFile(url, bytes, response.headers.get("content-type") ?? type);
  return bytes;
}
