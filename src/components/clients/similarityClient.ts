// The page's side of workers/similarity.ts. Hover requests are coalesced: at most one is in flight, a newer
// one replaces any waiting one, and a reply that arrives after the pointer has moved on is dropped unpainted.
// Every request is answered exactly once: with its values, or with null when it was dropped (superseded
// while waiting, overtaken while in flight, made for another version of the table, or failed), so a caller
// waiting for it (the off-screen images' rest request) is never left hanging.
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

/**
 * Receives each request's answer: its values, only valid during the call (the buffer goes back to the
 * worker), or null when the request was dropped unpainted.
 */
export type SimilarityListener = (values: Float32Array | null, request: SimilarityRequest) => void;

export class SimilarityClient {
  private inFlight = false;
  private waiting: SimilarityRequest | null = null;
  private waitingListener: SimilarityListener | null = null;
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

  /** Asks for the similarity overlay of `request`; `listener` runs once: with the values if it is computed and still current, else with null. */
  request(request: SimilarityRequest, listener: SimilarityListener): void {
    const superseded = this.waiting, tell = this.waitingListener;
    this.waiting = request;
    this.waitingListener = listener;
    if (superseded) tell!(null, superseded);
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
    const request = this.waiting, listener = this.waitingListener;
    if (!request || !listener) return;
    this.waiting = this.waitingListener = null;
    this.inFlight = true;
    const out = this.spare ?? new Float32Array(0);
    this.spare = null;
    let values: Float32Array | null = null;
    try {
      const {key, version, queries, kind, ranges} = request;
      const reply = await this.handle.remote.compute(key, version, queries, kind, transfer(out, [out.buffer]), ranges);
      this.spare = reply.values;
      // Paint only if the pointer has not moved on meanwhile, and the values are of the request's table.
      if (!this.waiting && reply.version === version) values = reply.values;
    } catch (error) {
      console.error(error);
    }
    try {
      listener(values, request);
    } finally {
      this.inFlight = false;
      if (this.waiting) void this.next();
    }
  }
}
