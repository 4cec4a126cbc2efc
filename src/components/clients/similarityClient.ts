// The page's side of workers/similarity.ts. Hover requests are coalesced: at most one is in flight, a newer
// one replaces any waiting one, and a reply that arrives after the pointer has moved on is dropped unpainted.
// The result buffer travels to the worker and back by transfer, so steady hovering allocates no arrays. A
// request names the version of the table it was made for (LayerSummary.version); when the worker's table
// is another version by then (uploads added or removed), the worker computes nothing and the reply is dropped.
import {transfer} from "comlink";
import type {SimilarityKind} from "../../core/similarity.js";
import type {AddedImage, AddedRef, LayerSummary, SimilarityApi} from "../../../workers/similarity.js";
import type {WorkerHandle} from "./startWorker.js";

/** One similarity request: which layer, which query cells (max over several), which function. */
export interface SimilarityRequest {
  key: string;
  /** The version of the layer's table the query cells refer to (LayerSummary.version). */
  version: number;
  /** The engine's number of the query (QueryEngine), handed back with the reply. */
  seq?: number;
  queries: number[];
  kind: SimilarityKind;
  /** When the request was triggered (the event's timeStamp, performance.now() clock); handed back to the listener. */
  start?: number;
  /** Only these cells: [from, to, from, to, …] (the rest of the values handed back are not meaningful). */
  ranges?: number[];
}

/** Receives each fresh result; `values` is only valid during the call (its buffer goes back to the worker). */
export type SimilarityListener = (values: Float32Array, request: SimilarityRequest) => void;

export class SimilarityClient {
  private inFlight = false;
  private waiting: {request: SimilarityRequest; listener: SimilarityListener} | null = null;
  private spare: Float32Array | null = null;

  constructor(private readonly handle: WorkerHandle<SimilarityApi>) {}

  /** Loads a layer file into the worker under `key`. */
  load(key: string, url: string, copies = 1): Promise<LayerSummary> {
    return this.handle.remote.load(key, url, copies) as Promise<LayerSummary>;
  }

  /** Replaces the images added to layer `key` (live uploads); values sent are moved to the worker. */
  setAdded(key: string, images: Array<AddedImage | AddedRef>): Promise<LayerSummary> {
    const buffers = images.flatMap((i) => (i.values ? [i.values.buffer as ArrayBuffer] : []));
    return this.handle.remote.setAdded(key, transfer(images, buffers)) as Promise<LayerSummary>;
  }

  /** Asks for the similarity overlay of `request`; `listener` runs when it is computed and still current. */
  request(request: SimilarityRequest, listener: SimilarityListener): void {
    this.waiting = {request, listener};
    if (!this.inFlight) void this.next();
  }

  /** The k most similar cells to the request's queries; null when the table is now another version. */
  top(request: SimilarityRequest, k: number): Promise<Array<{cell: number; value: number}> | null> {
    return this.handle.remote.top(request.key, request.version, request.queries, request.kind, k) as Promise<Array<{cell: number; value: number}> | null>;
  }

  /** Installs a layer computed in the browser (a user's model) under `key`; the values' buffers are moved to the worker. */
  loadValues(key: string, info: Parameters<SimilarityApi["loadValues"]>[1], images: Parameters<SimilarityApi["loadValues"]>[2], opType?: string): Promise<LayerSummary> {
    const buffers = [...new Set(images.map((i) => i.values.buffer as ArrayBuffer))];
    return this.handle.remote.loadValues(key, info, transfer(images, buffers), opType) as Promise<LayerSummary>;
  }

  private async next(): Promise<void> {
    const job = this.waiting;
    if (!job) return;
    this.waiting = null;
    this.inFlight = true;
    const out = this.spare ?? new Float32Array(0);
    this.spare = null;
    try {
      const {key, version, queries, kind, ranges} = job.request;
      const reply = await this.handle.remote.compute(key, version, queries, kind, transfer(out, [out.buffer]), ranges);
      // Paint only if the pointer has not moved on meanwhile, and the values are of the request's table.
      if (!this.waiting && reply.version === version) job.listener(reply.values, job.request);
      this.spare = reply.values;
    } catch (error) {
      console.error(error);
    } finally {
      this.inFlight = false;
      if (this.waiting) void this.next();
    }
  }
}
