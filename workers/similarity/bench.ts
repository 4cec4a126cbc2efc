// Benchmark support in the similarity worker, kept apart from its production API (api.ts): the arithmetic
// floor of the hover path, timed inside the page's own worker bundle (bench/hover.ts calls it).
import {codeDots, toSimilarity} from "../../src/core/similarity.js";
import {installedLayer, single} from "./api.js";

/** Median and 95th percentile of a list of times, in milliseconds. */
export interface Percentiles {
  p50: number;
  p95: number;
}

function percentiles(times: number[]): Percentiles {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return {p50: at(0.5), p95: at(0.95)};
}

export const benchApi = {
  /**
   * The arithmetic floor of the hover path: `repeats` bare cosine loops over every cell of layer `key`
   * (no messaging, no painting), with the kernel in use and with the TypeScript loop.
   */
  floor(key: string, repeats = 100): {backend: string; cells: number; channels: number; kernel: Percentiles; typescript: Percentiles} {
    const layer = installedLayer(key);
    const {data, scratch} = layer;
    const cells = data.norms.length;
    const index = {codes: data.codes, norms: data.norms, step: data.info.step, channels: data.info.channels, scales: data.scales};
    const time = (f: (query: number) => void): Percentiles => {
      const t: number[] = [];
      for (let r = 0; r < repeats; ++r) {
        const query = (r * 7919) % cells;
        const t0 = performance.now();
        f(query);
        t.push(performance.now() - t0);
      }
      return percentiles(t);
    };
    const ts = time((q) => toSimilarity(codeDots(index, q, scratch.dots, scratch), index, q, "cosine", layer.single));
    const kernel = layer.kernel ? time((q) => single(layer, q, "cosine", layer.single)) : ts;
    return {backend: layer.kernel ? "wasm-simd" : "js", cells, channels: data.info.channels, kernel, typescript: ts};
  }
};
