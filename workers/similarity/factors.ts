// Matrix factors in the similarity worker: the NMF of an installed layer's cells (the file's and any
// uploads'), by the same code the build's snapshot uses (src/core/factors.ts), off the page's thread. One
// run at a time: a new factorize() (another k, layer or set) or cancelFactors() aborts the one running,
// which then rejects with an AbortError (a run is named by the caller's id, so cancelling an old run
// never stops a newer one); nmfAsync gives way between iterations so those calls get through.
import {transfer} from "comlink";
import {factorize, type Factors} from "../../src/core/factors.js";
import {installedLayer} from "./api.js";

/** Called after each iteration with its number and ‖X − WH‖_F / ‖X‖_F. */
export type FactorProgress = (iteration: number, relativeError: number) => void;

let running: {id: number; controller: AbortController} | null = null;

export const factorsApi = {
  /**
   * NMF with k factors of version `version` of layer `key` (dataset `dataset`), reporting progress (a
   * Comlink proxy) after every iteration. Resolves to null when the layer is now another version; rejects
   * with an AbortError when a newer run or cancelFactors() stopped it. W and H are transferred.
   */
  async factorize(key: string, version: number, dataset: string, k: number, onProgress?: FactorProgress, id = 0): Promise<Factors | null> {
    running?.controller.abort();
    const controller = new AbortController();
    const run = (running = {id, controller});
    const layer = installedLayer(key);
    if (layer.version !== version) return null;
    try {
      // Progress goes out at most every 50 ms (and for the first iteration): each report is a message.
      let sent = -Infinity;
      const progress = onProgress && ((iteration: number, error: number) => {
        const now = performance.now();
        if (iteration === 1 || now - sent >= 50) (sent = now), void onProgress(iteration, error);
      });
      const f = await factorize(layer.data, {dataset}, k, {signal: controller.signal, onProgress: progress});
      return transfer(f, [f.W.buffer, f.H.buffer]);
    } finally {
      if (running === run) running = null;
    }
  },

  /** Stops the run in progress if it is run `id` (any run when id is left out). */
  cancelFactors(id?: number): void {
    if (!running || (id !== undefined && running.id !== id)) return;
    running.controller.abort();
    running = null;
  }
};
