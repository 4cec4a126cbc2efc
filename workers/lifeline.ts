// A worker's lifeline: a Web Lock the worker takes and never releases, so the page can tell when the
// worker is gone (terminated, closed, or killed by the browser, e.g. out of memory), which no Worker
// event reports. The page asks the worker to hold a lock of a unique name, then queues its own request
// for the same name: the browser grants it when the worker's hold ends with the worker
// (src/components/clients/restartingWorker.ts).

interface LockManagerLike {
  request(name: string, callback: () => Promise<unknown>): Promise<unknown>;
}

/** Takes the Web Lock `name` for the rest of this worker's life; true once it is held, false when this
 * browser has no Web Locks in workers. */
export function holdLifeline(name: string): Promise<boolean> {
  const locks = (globalThis.navigator as (Navigator & {locks?: LockManagerLike}) | undefined)?.locks;
  if (!locks) return Promise.resolve(false);
  return new Promise((resolve) => {
    locks.request(name, () => {
      resolve(true);
      return new Promise(() => {}); // held until the worker ends
    }).catch(() => resolve(false));
  });
}
