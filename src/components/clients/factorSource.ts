// Where the factor page's factorisation comes from. With no uploads and a snapshot for this (layer, k),
// the build's Arrow file is read (fetched once, decoded on the page: no compute anywhere); otherwise the
// similarity worker factorises the layer's installed table (uploads included) with progress. A source lives
// as long as its page cell: on `invalidation` (k, the layer, the set or the uploads changed) a live run is
// cancelled in the worker.
import {proxy} from "comlink";
import type {FileAttachment} from "observablehq:stdlib";
import {readFactorTable, type Factors} from "../../core/factors.js";
import type {LayerSummary, SimilarityApi} from "../../../workers/similarity.js";
import type {WorkerHandle} from "./startWorker.js";

let runs = 0;

/** What a source has to show: progress, the result (and where it came from), or a failure. */
export type FactorState =
  | {status: "loading"; k: number}
  | {status: "running"; k: number; iteration: number; relativeError: number; maxIterations: number}
  | {status: "done"; factors: Factors; source: "snapshot" | "worker"; ms: number}
  | {status: "failed"; message: string};

/** The latest state, and an event ("change") after every new one. */
export class FactorSource extends EventTarget {
  state: FactorState;
  /** How many worker runs this source started (0 when the snapshot was used): the e2e test reads it. */
  readonly liveRuns: number;

  constructor(worker: WorkerHandle<SimilarityApi>, o: {key: string; summary: LayerSummary; dataset: string; k: number; snapshot?: FileAttachment; invalidation: Promise<unknown>}) {
    super();
    const {key, summary, dataset, k, snapshot, invalidation} = o;
    const runId = ++runs;
    const useSnapshot = snapshot !== undefined && summary.added === 0;
    this.liveRuns = useSnapshot ? 0 : 1;
    this.state = useSnapshot ? {status: "loading", k} : {status: "running", k, iteration: 0, relativeError: NaN, maxIterations: 200};
    let live = true;
    const set = (state: FactorState) => {
      if (!live) return;
      this.state = state;
      this.dispatchEvent(new Event("change"));
    };
    const t0 = performance.now();
    const done = (factors: Factors | null, source: "snapshot" | "worker") =>
      factors ? set({status: "done", factors, source, ms: performance.now() - t0}) : set({status: "failed", message: "the layer changed while its factors were computed; they will be computed again"});
    const failed = (error: unknown) => (error as Error)?.name !== "AbortError" && set({status: "failed", message: `could not compute the factors: ${(error as Error)?.message ?? error}`});
    if (useSnapshot) {
      snapshot
        .arrayBuffer()
        .then((bytes) => done(readFactorTable(bytes, `factors of ${dataset}/${summary.info.name}, k = ${k}`), "snapshot"))
        .catch(failed);
    } else {
      const progress = proxy((iteration: number, relativeError: number) => {
        if (this.state.status === "running") set({...this.state, iteration, relativeError});
      });
      worker.remote.factorize(key, summary.version, dataset, k, progress, runId).then((f) => done(f, "worker"), failed);
    }
    void invalidation.then(() => {
      live = false;
      if (!useSnapshot) void worker.remote.cancelFactors(runId);
    });
  }
}
