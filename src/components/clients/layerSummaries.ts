// Summaries of layer files, made by the layerInfo worker (workers/layerInfo.ts). Each file is fetched and
// decoded at most once per page view: going back to a layer costs nothing, and a picker that reports the
// same choice twice does not fetch twice.
import type {FileAttachment} from "observablehq:stdlib";
import {transfer} from "comlink";
import type {LayerInfoApi, LayerSummary} from "../../../workers/layerInfo.js";
import type {WorkerHandle} from "./startWorker.js";

/** Returns a function that summarizes a layer file, fetching it on the first call only. */
export function layerSummaries(worker: WorkerHandle<LayerInfoApi>): (file: FileAttachment) => Promise<LayerSummary> {
  const cache = new Map<FileAttachment, Promise<LayerSummary>>();
  return (file) => {
    let summary = cache.get(file);
    if (!summary) {
      // The bytes move to the worker without a copy; the page never parses them.
      summary = file.arrayBuffer().then((buffer) => worker.remote.summarize(transfer(buffer, [buffer])));
      summary.catch(() => cache.delete(file)); // a failed fetch is retried next time
      cache.set(file, summary);
    }
    return summary;
  };
}
