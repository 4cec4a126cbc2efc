// Matrix factors around nmf(): the Arrow file (written, LZ4-compressed, read back), the factor colours
// (99th-percentile scaling, lighten blend, black for no weight, one factor alone), the strongest cells,
// which snapshots a dataset.json asks for, and the worker's factorize() (same bits as in Node, a run
// superseded or cancelled stops with an AbortError, a stale table version gives null).
import assert from "node:assert/strict";
import {test} from "node:test";
import {tableToCompressedIPC, tableFromBytes} from "../../src/core/arrowLz4.js";
import {factorFileName, factorSnapshots, parseDatasetConfig} from "../../src/core/datasetConfig.js";
import {factorize, factorTable, percentile99, readFactorTable, strongestCells} from "../../src/core/factors.js";
import {layerTable, decodeLayerTable} from "../../src/core/layerTable.js";
import {quantizeCells} from "../../src/core/quantize.js";
import {FACTOR_PALETTE, paintFactors} from "../../src/components/overlay/factorColors.js";
import {similarityApi} from "../../workers/similarity/api.js";
import {factorsApi} from "../../workers/similarity/factors.js";

const C = 12;
const info = {name: "mixed4", output: "mixed4", channels: C, stride: 16, receptiveField: 100, offset: 7, finetuned: false, layout: "NCHW" as const, model: "m"};

/** A seeded rank-3 non-negative matrix of 2 images (5×4 and 3×3 cells), as a layer table's data. */
function layerData() {
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const cells = 20 + 9;
  const A = Float32Array.from({length: cells * 3}, () => (random() < 0.3 ? 0 : random()));
  const B = Float32Array.from({length: 3 * C}, () => (random() < 0.4 ? 0 : random()));
  const values = new Float32Array(cells * C);
  for (let i = 0; i < cells; ++i) for (let c = 0; c < C; ++c) for (let t = 0; t < 3; ++t) values[i * C + c] += A[i * 3 + t] * B[t * C + c];
  const grids = [{width: 5, height: 4}, {width: 3, height: 3}];
  return {values, grids, data: decodeLayerTable(layerTable({...info, grids}, quantizeCells(values, C)))};
}

test("a factor table round-trips through LZ4-compressed Arrow IPC: W per cell, H per factor, error and iterations in the metadata", async () => {
  const {data} = layerData();
  const f = await factorize(data, {dataset: "toy"}, 3);
  const bytes = tableToCompressedIPC(factorTable(f));
  const table = tableFromBytes(bytes);
  assert.deepEqual(table.schema.fields.map((x) => x.name), ["factor", "share", "h", "w"]);
  assert.equal(table.numRows, 3);
  const meta = JSON.parse(table.schema.metadata.get("factors")!);
  assert.equal(meta.relativeError, f.info.relativeError);
  assert.equal(meta.iterations, f.info.iterations);
  assert.deepEqual([meta.k, meta.cells, meta.channels, meta.layer, meta.dataset], [3, 29, C, "mixed4", "toy"]);
  // Row t's w is factor t's weight at every cell, in cell order.
  const w1 = table.getChild("w")!.get(1)!.toArray() as Float32Array;
  assert.deepEqual(Array.from(w1), Array.from({length: 29}, (_, i) => f.W[i * 3 + 1]));
  const back = readFactorTable(bytes);
  assert.deepEqual(back.W, f.W);
  assert.deepEqual(back.H, f.H);
  assert.deepEqual(back.shares, f.shares);
  assert.deepEqual(back.info, f.info);
  // A rank-3 matrix of 8-bit codes is close to rank 3: the error is at the codes' rounding level.
  assert.ok(f.info.relativeError < 0.02, `error ${f.info.relativeError}`);
  assert.throws(() => readFactorTable(tableToCompressedIPC(layerTable({...info, grids: data.info.grids}, quantizeCells(layerData().values, C))), "x.arrow"), /^Error: x\.arrow: not a factor table/);
});

test("percentile99 and strongestCells agree with sorting", () => {
  const cells = 301, k = 2;
  const W = Float32Array.from({length: cells * k}, (_, j) => (j % k === 0 ? ((j * 7919) % 1000) / 10 : j < 40 ? 0 : 0));
  const p = percentile99(W, cells, k);
  const column = Array.from({length: cells}, (_, i) => W[i * k]).sort((a, b) => a - b);
  assert.equal(p[0], Math.fround(column[Math.floor(0.99 * (cells - 1))]));
  assert.equal(p[1], 0, "an all-zero factor has no scale");
  const best = strongestCells(W, cells, k, 6);
  const order = Array.from({length: cells}, (_, i) => i).sort((a, b) => W[b * k] - W[a * k] || a - b).slice(0, 6);
  assert.deepEqual(Array.from(best.subarray(0, 6)), order);
  assert.deepEqual(Array.from(best.subarray(6)), [-1, -1, -1, -1, -1, -1], "no cells for a factor with no weight");
});

test("factor colours: scaled to the 99th percentile and clamped, blended by lighten, black for no weight, one factor alone", () => {
  const k = 3;
  const p99 = Float64Array.from([2, 4, 1]);
  // Cell 0: nothing. Cell 1: factor 0 at half its p99. Cell 2: factor 0 and factor 1 both above theirs. Cell 3: factor 2 at 1/4.
  const W = Float32Array.from([0, 0, 0, 1, 0, 0, 9, 9, 0, 0, 0, 0.25]);
  const pixels = paintFactors(W, k, p99, 0, 4, -1, new Uint32Array(4));
  const rgb = (word: number) => [word & 255, (word >>> 8) & 255, (word >>> 16) & 255, word >>> 24];
  const hex = (t: number) => [1, 3, 5].map((i) => parseInt(FACTOR_PALETTE[t].slice(i, i + 2), 16));
  assert.deepEqual(rgb(pixels[0]), [0, 0, 0, 255]);
  assert.deepEqual(rgb(pixels[1]), [...hex(0).map((v) => Math.round(v / 2)), 255]);
  assert.deepEqual(rgb(pixels[2]), [...hex(0).map((v, c) => Math.max(v, hex(1)[c])), 255]);
  assert.deepEqual(rgb(pixels[3]), [...hex(2).map((v) => Math.round(v / 4)), 255]);
  const alone = paintFactors(W, k, p99, 0, 4, 1, new Uint32Array(4));
  assert.deepEqual(rgb(alone[2]), [...hex(1), 255]);
  assert.deepEqual([0, 1, 3].map((i) => rgb(alone[i])), [[0, 0, 0, 255], [0, 0, 0, 255], [0, 0, 0, 255]]);
  // A range of cells: image 2's cells only.
  assert.deepEqual(rgb(paintFactors(W, k, p99, 3, 1, -1, new Uint32Array(1))[0]), rgb(pixels[3]));
  assert.throws(() => paintFactors(W, k, p99, 2, 3, -1, new Uint32Array(3)), RangeError);
});

test("dataset.json's factors: k = 4 at the default layer, then those asked for; bad entries are named", () => {
  const base = {name: "pets", title: "Pets", description: "d", model: "inception_v3", layers: ["mixed2", "mixed4"], images: [{file: "a.png", credit: "c", licence: "l"}]};
  const parse = (extra: object) => parseDatasetConfig(JSON.stringify({...base, ...extra}), "datasets/pets/dataset.json");
  assert.deepEqual(factorSnapshots(parse({}), "mixed4"), [{layer: "mixed4", k: 4}]);
  assert.deepEqual(factorSnapshots(parse({}), "mixed9"), [{layer: "mixed2", k: 4}], "the first layer when the model's default is not listed");
  const config = parse({factors: [{layer: "mixed2", k: 6}, {layer: "mixed4", k: 4}]});
  assert.deepEqual(factorSnapshots(config, "mixed4"), [{layer: "mixed4", k: 4}, {layer: "mixed2", k: 6}]);
  assert.equal(factorFileName({layer: "mixed2", k: 6}), "mixed2-k6");
  assert.throws(() => parse({factors: [{layer: "mixed3", k: 4}]}), /^Error: datasets\/pets\/dataset\.json: factors\[0\]\.layer must be one of the set's layers \(mixed2, mixed4\), got "mixed3"$/);
  assert.throws(() => parse({factors: [{layer: "mixed2", k: 9}]}), /factors\[0\]\.k must be a whole number from 2 to 8, got 9$/);
  assert.throws(() => parse({factors: {layer: "mixed2"}}), /"factors" must be an array/);
});

test("the worker's factorize() gives Node's result; a newer run or cancelFactors() aborts one in progress; a stale version gives null", async () => {
  const {values, grids} = layerData();
  const key = "toy/mixed4";
  const summary = similarityApi.loadValues(key, info, [
    {grid: grids[0], values: values.subarray(0, 20 * C)},
    {grid: grids[1], values: values.subarray(20 * C)}
  ]);
  const progress: number[] = [];
  const f = await factorsApi.factorize(key, summary.version, "toy", 3, (iteration) => void progress.push(iteration), 1);
  const node = await factorize(layerData().data, {dataset: "toy"}, 3);
  assert.ok(f);
  assert.deepEqual(f.W, node.W);
  assert.equal(f.info.relativeError, node.info.relativeError);
  assert.equal(progress[0], 1, "progress from the first iteration");
  // Runs that take a while: a big enough matrix, with a tiny tolerance so that they do not stop early.
  const big = Float32Array.from({length: 400 * 64 * C}, (_, i) => ((i * 2654435761) % 1000) / 1000);
  const bigSummary = similarityApi.loadValues("big", info, [{grid: {width: 400, height: 64}, values: big}]);
  const first = factorsApi.factorize("big", bigSummary.version, "toy", 8, undefined, 2);
  const second = factorsApi.factorize("big", bigSummary.version, "toy", 8, undefined, 3);
  await assert.rejects(first, (e: Error) => e.name === "AbortError");
  setTimeout(() => factorsApi.cancelFactors(2), 0); // an old run's id: the running one is not stopped by it
  setTimeout(() => factorsApi.cancelFactors(3), 60);
  await assert.rejects(second, (e: Error) => e.name === "AbortError");
  assert.equal(await factorsApi.factorize(key, summary.version - 1, "toy", 3), null);
});
