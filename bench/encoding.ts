// Bytes per image-layer of the stored 8-bit codes against float32, and the largest cosine error they cause
// against float64 cosines of the float32 activations (all pairs among a seeded sample of cells). Unsigned
// layers (after a ReLU) and signed ones (residual sums, …: signed codes, quantize.ts) side by side; for the
// signed ones also the alternative measured against the chosen encoding (one step for the whole table, as
// unsigned codes have) and what an entropy coder (Debian's zstd command, when installed) would make of the
// uncompressed file.

import {tableToIPC} from "apache-arrow";
import {spawnSync} from "node:child_process";
import {embedImages, openDataset, prepareImages} from "../data-loaders/snapshot.js";
import {loadModel} from "../data-loaders/models/catalogue.js";
import {tableToCompressedIPC} from "../src/core/arrowLz4.js";
import type {LayerCells} from "../src/core/embedImage.js";
import {cosine} from "../src/core/cosine.js";
import {layerTable} from "../src/core/layerTable.js";
import {findLayer} from "../src/core/modelSpec.js";
import {codeCosine, quantizeCells, SIGNED_MAX} from "../src/core/quantize.js";

/** Largest cosine error of signed codes with one step for the whole table (the alternative not chosen). */
function tableStepError(values: Float32Array, C: number, pick: number[]): number {
  const n = values.length / C;
  const norms = new Float64Array(n);
  let largest = 0;
  for (let i = 0; i < n; ++i) {
    let s = 0, m = 0;
    for (let c = i * C; c < (i + 1) * C; ++c) (s += values[c] * values[c]), (m = Math.max(m, Math.abs(values[c])));
    norms[i] = Math.sqrt(s);
    if (norms[i] > 0) largest = Math.max(largest, m / norms[i]);
  }
  const step = largest / SIGNED_MAX;
  const code = (i: number) => Int8Array.from(values.subarray(i * C, (i + 1) * C), (v) => (norms[i] ? Math.round(v / norms[i] / step) : 0));
  const codes = pick.map(code);
  let worst = 0;
  for (let a = 0; a < pick.length; ++a) {
    for (let b = a; b < pick.length; ++b) {
      let dot = 0;
      for (let c = 0; c < C; ++c) dot += codes[a][c] * codes[b][c];
      const exact = cosine(values.subarray(pick[a] * C, (pick[a] + 1) * C), values.subarray(pick[b] * C, (pick[b] + 1) * C));
      worst = Math.max(worst, Math.abs(dot * step * step - exact));
    }
  }
  return worst;
}

/** Bytes of `data` compressed by `zstd -19`, or null without the command. */
function zstdBytes(data: Uint8Array): number | null {
  const run = spawnSync("zstd", ["-19", "-c", "-q"], {input: data, maxBuffer: 1 << 28});
  return run.status === 0 ? run.stdout.length : null;
}

/** Rows for `layers` of `dataset`'s images, run through `modelId` (default the dataset's own model). */
export async function benchEncoding(dataset: string, layers: string[], {sample = 600, modelId}: {sample?: number; modelId?: string} = {}) {
  const opened = await openDataset(dataset);
  const model = modelId ? await loadModel(modelId) : opened.model;
  const prepared = await prepareImages(opened.dataset, model.spec);
  // Every image through the build's path once, tapped at all the layers measured.
  const cells = new Map(layers.map((name) => [name, [] as LayerCells[]]));
  await embedImages(model, prepared.map((p) => p.input), layers.map((name) => findLayer(model.spec, name)), (_, out) => {
    for (const name of layers) cells.get(name)!.push(out[name]);
  });
  const rows = [];
  for (const name of layers) {
    const layer = findLayer(model.spec, name);
    const chunks = cells.get(name)!.map((c) => c.values);
    const grids = cells.get(name)!.map((c) => c.grid);
    const C = layer.channels;
    const values = new Float32Array(chunks.reduce((s, c) => s + c.length, 0));
    chunks.reduce((o, c) => (values.set(c, o), o + c.length), 0);
    const n = values.length / C;
    const q = quantizeCells(values, C);
    const signed = q.codes instanceof Int8Array;
    const table = layerTable({...layer, model: model.spec.id, grids}, q);
    const plain = tableToIPC(table, "file");
    const fileBytes = tableToCompressedIPC(table).length;
    // Seeded sample of cells; every pair among them.
    let seed = 12345;
    const pick = Array.from({length: Math.min(sample, n)}, () => (seed = (seed * 16807) % 2147483647) % n);
    let worst = 0, sum = 0, pairs = 0, zeros = 0;
    for (let i = 0; i < n; ++i) if (q.norms[i] === 0) ++zeros;
    for (let a = 0; a < pick.length; ++a) {
      const va = values.subarray(pick[a] * C, (pick[a] + 1) * C);
      for (let b = a; b < pick.length; ++b) {
        const e = Math.abs(codeCosine(q, pick[a], pick[b]) - cosine(va, values.subarray(pick[b] * C, (pick[b] + 1) * C)));
        if (e > worst) worst = e;
        sum += e;
        ++pairs;
      }
    }
    let zeroValues = 0, negative = 0;
    for (let i = 0; i < values.length; ++i) (values[i] === 0 && ++zeroValues), (values[i] < 0 && ++negative);
    const float32 = (values.length * 4) / prepared.length;
    const perImage = fileBytes / prepared.length;
    const zstd = signed ? zstdBytes(plain) : null;
    rows.push({
      layer: `${model.spec.id}/${name}`, codes: signed ? "signed" : "unsigned", channels: C, cells: n, "below 0 %": (100 * negative) / values.length, "float32 B/image": Math.round(float32),
      "8-bit B/image": Math.round(plain.length / prepared.length), "8-bit+LZ4 B/image": Math.round(perImage), "shrink ×": float32 / perImage, "max |Δcos|": worst, "mean |Δcos|": sum / pairs, pairs,
      "zero values %": (100 * zeroValues) / values.length, "zero cells": zeros,
      "signed, one table step: max |Δcos|": signed ? tableStepError(values, C, pick) : "-",
      "zstd -19 shrink ×": zstd ? float32 / (zstd / prepared.length) : "-"
    });
  }
  return rows;
}
