// Loads layer files into the similarity worker (workers/similarity.ts), each once per page view: the worker
// fetches and decodes the file itself, so the bytes never pass through the page. Each loaded layer gets its
// own SimilarityClient, because a client coalesces requests and a page that shows several layers must not
// let one layer's request replace another's.
import type {FileAttachment} from "observablehq:stdlib";
import type {LayerSummary, SimilarityApi} from "../../../workers/similarity.js";
import {SimilarityClient} from "./similarityClient.js";
import type {WorkerHandle} from "./startWorker.js";

/** A layer loaded into the worker: the key to compute with, what it holds, and its client. */
export interface LoadedLayer {
  key: string;
  summary: LayerSummary;
  client: SimilarityClient;
}

/** Returns a function that loads `layer` of `dataset` (its images repeated `copies` times) into the worker. */
export function layerLoader(worker: WorkerHandle<SimilarityApi>, files: Readonly<Record<string, {layers: Record<string, FileAttachment>}>>): (dataset: string, layer: string, copies?: number) => Promise<LoadedLayer> {
  const cache = new Map<string, Promise<LoadedLayer>>();
  return (dataset, layer, copies = 1) => {
    const file = files[dataset]?.layers[layer];
    if (!file) return Promise.reject(new Error(`invalid layer: ${dataset}/${layer}`));
    const key = copies === 1 ? `${dataset}/${layer}` : `${dataset}/${layer}×${copies}`;
    let loaded = cache.get(key);
    if (!loaded) {
      const client = new SimilarityClient(worker);
      loaded = file.url().then(async (url) => ({key, summary: await client.load(key, String(new URL(url, location.href)), copies), client}));
      loaded.catch(() => cache.delete(key));
      cache.set(key, loaded);
    }
    return loaded;
  };
}
