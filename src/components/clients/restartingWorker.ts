// A module worker behind Comlink that is replaced when it dies. A worker is dead when
// - its `error` event fires (it failed to load, or threw outside any call),
// - its lifeline is released: the worker holds a Web Lock for as long as it lives (workers/lifeline.ts), so
//   the page learns when it was terminated, closed itself or was killed by the browser (out of memory),
//   which no Worker event reports, or
// - a call fails with an error after which its WebAssembly runtime cannot go on (an abort, out of memory).
// Calls in flight on a dead worker reject with a WorkerStoppedError saying it stopped and was restarted;
// a fresh worker is started at once when the dead one had been running (at the next call when it never
// started), and `onStart` runs on each new worker before its first call (e.g. to replay init()).
import {wrap, type Remote} from "comlink";

/** Errors from a worker after which its WebAssembly runtime is unusable. */
const FATAL = /Aborted\(|\bOOM\b|out of memory|memory access out of bounds|WebAssembly\.Memory\(\): could not allocate/i;

/** A call failed because the worker stopped. */
export class WorkerStoppedError extends Error {
  constructor(
    message: string,
    /** Why the worker stopped. */
    readonly reason: string
  ) {
    super(message);
    this.name = "WorkerStoppedError";
  }
}

/** What a worker offers for its lifeline (see workers/lifeline.ts). */
export interface WithLifeline {
  lifeline(name: string): Promise<boolean>;
}

/** Options of startRestartingWorker. */
export interface RestartingWorkerOptions<T> {
  /** Ends the worker for good (pass the cell's `invalidation`). */
  invalidation?: Promise<unknown>;
  /** Names the worker in messages (e.g. "uploads worker"). */
  name?: string;
  /** Runs on each worker before its first call (e.g. init() again after a restart). */
  onStart?: (remote: Remote<T>, generation: number) => Promise<void>;
}

/** A worker that is started on the first call and replaced when it dies. */
export interface RestartingWorker<T> {
  /** Runs `job` on the live worker (starting one if there is none). */
  call<R>(job: (remote: Remote<T>) => Promise<R>): Promise<R>;
  /** The running Worker, if any (for tests and diagnostics). */
  readonly worker: Worker | null;
  /** Workers started so far. */
  readonly generation: number;
  /** Terminates the worker; a later call starts a new one. */
  terminate(): void;
}

interface Live<T> {
  worker: Worker;
  remote: Remote<T>;
  generation: number;
  /** Rejects with WorkerStoppedError when the worker dies. */
  dead: Promise<never>;
  die(reason: string, restart?: boolean): void;
  alive: boolean;
  /** onStart's run, once started (cleared when it fails, so the next call tries again). */
  ready: Promise<void> | null;
  /** Whether it ever answered (held its lifeline or finished a call). */
  answered: boolean;
}

let lifelines = 0;

/** Starts workers from `url()` on demand; see the module comment. T should offer `lifeline` (WithLifeline). */
export function startRestartingWorker<T>(url: () => Promise<string>, options: RestartingWorkerOptions<T> = {}): RestartingWorker<T> {
  const name = options.name ?? "worker";
  let current: Promise<Live<T>> | null = null;
  let live: Live<T> | null = null;
  let generation = 0;
  let ended = false;
  options.invalidation?.then(() => {
    ended = true;
    live?.die("the page no longer needs it");
  });

  function launch(href: string): Live<T> {
    const worker = new Worker(href, {type: "module"});
    const remote = wrap<T>(worker);
    let reject!: (error: Error) => void;
    const dead = new Promise<never>((_, r) => (reject = r));
    dead.catch(() => undefined);
    const lock = new AbortController();
    const self: Live<T> = {
      worker,
      remote,
      generation: ++generation,
      dead,
      alive: true,
      answered: false,
      ready: null,
      die(reason, restart = true) {
        if (!self.alive) return;
        self.alive = false;
        lock.abort();
        worker.terminate();
        if (live === self) {
          live = null;
          current = null;
        }
        const restarted = restart && !ended && self.answered;
        if (restarted) current = Promise.resolve(start(href)); // a fresh worker at once; it downloads nothing before its first call
        const message = ended || !restart
          ? `the ${name} was stopped: ${reason}`
          : restarted
            ? `the ${name} stopped (${reason}) and was restarted: try again`
            : `the ${name} stopped (${reason}); a new one will be started on the next try`;
        reject(new WorkerStoppedError(message, reason));
      }
    };
    worker.addEventListener("error", (event) => {
      event.preventDefault();
      self.die(event.message ? `it failed: ${event.message}` : "it could not load or failed");
    });
    // The lifeline: granted to the page when the worker's own hold ends with the worker.
    const lifeline = `restarting-worker-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${++lifelines}`;
    const locks = (navigator as Navigator & {locks?: {request(name: string, options: {signal: AbortSignal}, callback: () => unknown): Promise<unknown>}}).locks;
    void (remote as unknown as Remote<WithLifeline>)
      .lifeline(lifeline)
      .then((held) => {
        if (!held || !self.alive) return;
        self.answered = true;
        locks?.request(lifeline, {signal: lock.signal}, () => self.die("it was terminated or crashed")).catch(() => undefined);
      })
      .catch(() => undefined);
    return self;
  }

  function start(href: string): Live<T> {
    const started = launch(href);
    live = started;
    return started;
  }

  /** Runs onStart on `worker` once (again after a failure). */
  function prepare(worker: Live<T>): Promise<void> {
    if (!options.onStart) return Promise.resolve();
    return (worker.ready ??= Promise.race([options.onStart(worker.remote, worker.generation), worker.dead]).catch((error) => {
      worker.ready = null;
      throw error;
    }));
  }

  return {
    async call(job) {
      if (ended) throw new Error(`the ${name} was stopped: the page no longer needs it`);
      const worker = await (current ??= url().then(start));
      try {
        await prepare(worker);
        const result = await Promise.race([job(worker.remote), worker.dead]);
        worker.answered = true;
        return result;
      } catch (error) {
        if (error instanceof WorkerStoppedError) throw error;
        const message = error instanceof Error ? error.message : String(error);
        if (FATAL.test(message)) {
          worker.die(`its WebAssembly runtime failed: ${message}`);
          return worker.dead;
        }
        throw error;
      }
    },
    get worker() {
      return live?.worker ?? null;
    },
    get generation() {
      return generation;
    },
    terminate() {
      live?.die("terminate() was called", false);
      live = null;
      current = null;
    }
  };
}
