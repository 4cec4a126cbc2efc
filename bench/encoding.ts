// Bytes per image-layer of the stored 8-bit codes against float32, and the largest cosine error they cause
// against float64 cosines of the float32 activations (all pairs among a seeded sample of cells).

import {tableToIPC} from "apache-arrow";
import {embedImages, openDataset, prepareImages} from "../data-loaders/snapshot.js";
import {tableToCompressedIPC} from "../src/core/arrowLz4.js";
import type {LayerCells} from "../src/core/embedImage.js";
import {cosine} from "../src/core/cosine.js";
import {layerTable} from "../src/core/layerTable.js";
import {findLayer} from "../src/core/modelSpec.js";
import {codeCosine, quantizeCells} from "../src/core/quantize.js";

export async function benchEncoding(dataset: string, layers: string[], sample = 600) {
  const {dataset: ds, model} = await openDataset(dataset);
  const prepared = await prepareImages(ds, model.spec);
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
    const table = layerTable({...layer, model: model.spec.id, grids}, q);
    const plainBytes = tableToIPC(table, "file").length;
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
    let zeroValues = 0;
    for (let i = 0; i < values.length; ++i) if (values[i] === 0) ++zeroValues;
    const float32 = (values.length * 4) / prepared.length;
    const perImage = fileBytes / prepared.length;
    rows.push({
      layer: name, channels: C, cells: n, "float32 B/image": Math.round(float32),
      "8-bit B/image": Math.round(plainBytes / prepared.length), "8-bit+LZ4 B/image": Math.round(perImage), "shrink ×": float32 / perImage, "max |Δcos|": worst, "mean |Δcos|": sum / pairs, pairs, "zero values %": (100 * zeroValues) / values.length, "zero cells": zeros
    });
  }
  return rows;
}
