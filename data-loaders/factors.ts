// The build's snapshot of a set's matrix factors: the layer's table as the layer loader makes it (from the
// activation cache), dequantised and factorised by the same code the worker runs (src/core/factors.ts).
import {CATALOGUE, isModelId} from "./models/catalogue.js";
import {readDataset} from "./dataset.js";
import {layerArrow} from "./snapshot.js";
import {tableToCompressedIPC} from "../src/core/arrowLz4.js";
import {factorSnapshots} from "../src/core/datasetConfig.js";
import {factorize, factorTable} from "../src/core/factors.js";
import {readLayerTable} from "../src/core/layerTable.js";

/** The factor table of dataset `name` at `layer` with `k` factors, as Arrow IPC bytes. */
export async function factorsArrow(name: string, layer: string, k: number): Promise<Uint8Array> {
  const {config} = await readDataset(name);
  const wanted = factorSnapshots(config, isModelId(config.model) ? CATALOGUE[config.model].defaultLayer : config.layers[0]);
  if (!wanted.some((s) => s.layer === layer && s.k === k)) {
    const list = wanted.map((s) => `${s.layer} with k = ${s.k}`).join(", ");
    throw new Error(`datasets/${name}/dataset.json: no factor snapshot of ${layer} with k = ${k} is asked for (the build makes ${list}; add {"layer": "${layer}", "k": ${k}} to "factors" for another)`);
  }
  const data = readLayerTable(await layerArrow(name, layer));
  return tableToCompressedIPC(factorTable(await factorize(data, {dataset: name}, k)));
}
