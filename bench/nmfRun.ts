// The timed part of the NMF benchmark, with no Node imports so the same function can run in a browser
// worker (the in-Chromium row): best of a few runs of the core nmf() on one matrix, after one untimed run.

import {nmf} from "../src/core/nmf.js";

/** Best time of `repeats` timed runs, with the result of the last one. */
export interface NmfTiming {
  ms: number;
  relativeError: number;
  iterations: number;
  converged: boolean;
}

export function timeNmf(X: Float32Array, cells: number, channels: number, k: number, repeats = 3): NmfTiming {
  let last = nmf(X, cells, channels, k); // untimed: lets the JIT compile the loops
  let ms = Infinity;
  for (let r = 0; r < repeats; ++r) {
    const t0 = performance.now();
    last = nmf(X, cells, channels, k);
    ms = Math.min(ms, performance.now() - t0);
  }
  return {ms, relativeError: last.relativeError, iterations: last.iterations, converged: last.converged};
}
