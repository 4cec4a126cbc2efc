// NMF of a set's activations (issue 9): our nmf() in Node against scikit-learn's NMF(solver="cd",
// init="nndsvda", tol=1e-4, max_iter=200) on the same float32 cells × channels matrix, dequantised from the
// built layer file. scikit-learn runs in Debian's python3-sklearn on a .npy copy of the matrix, in the same
// bench run; only its fit is timed (best of the same number of runs). Tests never need Python.

import {spawnSync} from "node:child_process";
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {layerArrow} from "../data-loaders/snapshot.js";
import {distDir, openSite} from "../tests/e2e/browser.js";
import {inPageWorker} from "./hover.js";
import {readLayerTable} from "../src/core/layerTable.js";
import {dequantizeCells} from "../src/core/quantize.js";
import {timeNmf, type NmfTiming} from "./nmfRun.js";

const python = "/usr/bin/python3"; // Debian's, which python3-sklearn installs into (not a pyenv shim)

/** The dequantised cells × channels matrix of a built layer (the Framework cache's file, else built now). */
export async function layerMatrix(dataset: string, layer: string) {
  const cached = join(import.meta.dirname, "..", "src", ".observablehq", "cache", "data", dataset, `${layer}.arrow`);
  const bytes = existsSync(cached) ? readFileSync(cached) : await layerArrow(dataset, layer);
  const {codes, norms, info} = readLayerTable(bytes);
  return {X: dequantizeCells({codes, norms, step: info.step, channels: info.channels}), cells: norms.length, channels: info.channels};
}

/** A float32 matrix as NumPy's .npy format, version 1.0: magic, header length, a dict literal padded to 64 bytes. */
export function npyBytes(X: Float32Array, rows: number, columns: number): Uint8Array {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${columns}), }`;
  const headerLength = Math.ceil((10 + dict.length + 1) / 64) * 64 - 10; // dict, spaces, "\n"
  const out = new Uint8Array(10 + headerLength + X.byteLength);
  out.set([0x93, ..."NUMPY"].map((c) => (typeof c === "string" ? c.charCodeAt(0) : c)));
  out.set([1, 0, headerLength & 255, headerLength >> 8], 6);
  const header = dict.padEnd(headerLength - 1, " ") + "\n";
  for (let i = 0; i < headerLength; ++i) out[10 + i] = header.charCodeAt(i);
  // .npy data is little-endian; so is every platform this project runs on.
  out.set(new Uint8Array(X.buffer, X.byteOffset, X.byteLength), 10 + headerLength);
  return out;
}

const sklearnScript = `
import json, sys, time
import numpy as np
from sklearn.decomposition import NMF
X = np.load(sys.argv[1]); k = int(sys.argv[2]); repeats = int(sys.argv[3])
NMF(n_components=k, init="nndsvda", solver="cd", tol=1e-4, max_iter=200).fit_transform(X)
best = float("inf")
for _ in range(repeats):
    model = NMF(n_components=k, init="nndsvda", solver="cd", tol=1e-4, max_iter=200)
    t0 = time.perf_counter(); W = model.fit_transform(X); best = min(best, time.perf_counter() - t0)
X64 = X.astype(np.float64)
error = np.linalg.norm(X64 - W.astype(np.float64) @ model.components_.astype(np.float64)) / np.linalg.norm(X64)
import sklearn
print(json.dumps({"ms": best * 1000, "relativeError": float(error), "iterations": int(model.n_iter_), "version": sklearn.__version__}))
`;

/** scikit-learn's fit on the same matrix, or why it could not run. */
function sklearnTiming(X: Float32Array, cells: number, channels: number, k: number, repeats: number): (NmfTiming & {version: string}) | string {
  if (!existsSync(python)) return `${python} not found: install Debian's python3 and python3-sklearn (apt-get install -y python3-sklearn)`;
  const check = spawnSync(python, ["-c", "import sklearn"], {encoding: "utf8"});
  if (check.status !== 0) return `scikit-learn is missing from ${python}: install it with apt-get install -y python3-sklearn`;
  const dir = mkdtempSync(join(tmpdir(), "nmf-bench-"));
  try {
    const file = join(dir, "X.npy");
    writeFileSync(file, npyBytes(X, cells, channels));
    const run = spawnSync(python, ["-c", sklearnScript, file, String(k), String(repeats)], {encoding: "utf8", env: {...process.env, PYTHONWARNINGS: "ignore"}});
    if (run.status !== 0) return `scikit-learn's run failed: ${run.stderr.trim().split("\n").at(-1)}`;
    return {...JSON.parse(run.stdout.trim().split("\n").at(-1)!), converged: true};
  } finally {
    rmSync(dir, {recursive: true, force: true});
  }
}

/**
 * The same timing inside the built site's similarity worker in headless Chromium: a fresh worker of the
 * page's own bundle loads the layer file the page uses and runs timeNmf() on its dequantised cells (the
 * same function as the Node row, compiled into the worker bundle). A string says why it could not run.
 */
async function chromiumTiming(dataset: string, layer: string, k: number, repeats: number): Promise<(NmfTiming & {cells: number}) | string> {
  if (!existsSync(join(distDir, "factors.html"))) return "no built site with the Matrix factors page in dist/: run npm run build first";
  const site = await openSite();
  try {
    const page = await site.open(`factors?set=${dataset}&layer=${layer}`);
    await page.waitForSelector("[data-testid=factors-figure][data-factors-painted]", {timeout: 60_000});
    return await inPageWorker<NmfTiming & {cells: number}>(page, {dataset, layer}, "nmfTiming", [k, repeats]);
  } finally {
    await site.close();
  }
}

/** Rows for printTable: scikit-learn (baseline) and our nmf() in Node, with time and error as ratios to it. */
export async function benchNmf(dataset = "animals", layer = "mixed4", k = 4, repeats = 5) {
  const {X, cells, channels} = await layerMatrix(dataset, layer);
  const ours = timeNmf(X, cells, channels, k, repeats);
  const base = sklearnTiming(X, cells, channels, k, repeats);
  const row = (run: string, t: NmfTiming) => ({
    run,
    "ms (best)": t.ms,
    "× sklearn time": typeof base === "string" ? "-" : t.ms / base.ms,
    "relative error": t.relativeError,
    "× sklearn error": typeof base === "string" ? "-" : t.relativeError / base.relativeError,
    iterations: t.iterations
  });
  const rows = [];
  const notes: string[] = [];
  if (typeof base === "string") notes.push(`No scikit-learn row: ${base}.`);
  else rows.push(row(`scikit-learn ${base.version} NMF cd, nndsvda (baseline)`, base));
  rows.push(row("nmf() in Node (src/core/nmf.ts)", ours));
  const chromium = await chromiumTiming(dataset, layer, k, repeats);
  if (typeof chromium === "string") notes.push(`No Chromium row: ${chromium}.`);
  else rows.push(row("nmf() in the similarity worker, headless Chromium (the built site's bundle)", chromium));
  if (typeof base !== "string") {
    const met = ours.ms <= base.ms && ours.relativeError <= 1.01 * base.relativeError;
    notes.push(`Goal: time ≤ scikit-learn's at error ≤ 1.01× its error, in Node: ${met ? "met" : "not met"} (${(ours.ms / base.ms).toFixed(2)}× time, ${(ours.relativeError / base.relativeError).toFixed(4)}× error).`);
    if (typeof chromium !== "string") {
      const inBrowser = chromium.ms <= base.ms && chromium.relativeError <= 1.01 * base.relativeError;
      notes.push(`In Chromium's worker: ${inBrowser ? "met" : "not met"} (${(chromium.ms / base.ms).toFixed(2)}× time, ${(chromium.relativeError / base.relativeError).toFixed(4)}× error).`);
    }
  }
  return {rows, notes, title: `NMF of ${dataset}/${layer} (${cells} cells × ${channels} channels), k = ${k}, best of ${repeats} after one untimed run, against scikit-learn on the same float32 matrix`};
}
