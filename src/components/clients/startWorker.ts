// Starts a module worker and talks to it through Comlink. Workers live in workers/ and reach the site as
// bundles made by src/w/[worker].js.ts, so a page passes the URL of FileAttachment("w/NAME.js").
import {wrap, type Remote} from "comlink";

/** A running worker: call its methods through `remote`. */
export interface WorkerHandle<T> {
  /** The worker's exposed object; every method returns a promise. */
  readonly remote: Remote<T>;
  readonly worker: Worker;
}

/**
 * Starts the module worker at `url`. It is terminated when `invalidation` resolves (pass the cell's
 * `invalidation`), so a re-run cell leaves no worker behind.
 *
 * The proxy comes wrapped in an object because a page cell must not hold a Comlink proxy as its value: the
 * proxy has every property, `next` and `return` included, so Observable's runtime would take it for a
 * generator.
 */
export function startWorker<T>(url: string, invalidation?: Promise<unknown>): WorkerHandle<T> {
  const worker = new Worker(url, {type: "module"});
  // A worker that fails to load never answers; say so instead of leaving callers waiting in silence.
  worker.addEventListener("error", (event) => console.error(`worker ${url} failed: ${event.message || "could not load"}`));
  invalidation?.then(() => worker.terminate());
  return {remote: wrap<T>(worker), worker};
}
