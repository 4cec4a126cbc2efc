// The similarity worker's API (workers/similarity/api.ts), run in Node without the worker around it: a
// query made for one version of a table is never answered with another version's cells, and a layer file
// is fetched and decoded once however many keys and kinds of compute use it.
import assert from "node:assert/strict";
import {createServer} from "node:http";
import type {AddressInfo} from "node:net";
import {test} from "node:test";
import {tableToCompressedIPC} from "../../src/core/arrowLz4.js";
import {layerTable} from "../../src/core/layerTable.js";
import {quantizeCells} from "../../src/core/quantize.js";
import {installedLayer, similarityApi} from "../../workers/similarity/api.js";
import {cosine} from "../../src/core/cosine.js";
import {signedVectors} from "../fixtures/signedVectors.js";
import {layerFile, layerFilesFetched} from "../../workers/similarity/layerFiles.js";

const C = 8;
const info = {name: "mixed4", output: "mixed4", channels: C, stride: 16, receptiveField: 100, offset: 7, finetuned: false, layout: "NCHW" as const, model: "m"};

/** Cell-major ReLU-like values for a w × h grid, different per seed. */
function values(w: number, h: number, seed: number): Float32Array {
  return Float32Array.from({length: w * h * C}, (_, i) => ((i * 37 + seed * 11) % 13) / 4 + (i % C === seed % C ? 3 : 0));
}

test("a query made before uploads were removed is not answered with the new table's cells", () => {
  const key = "set/mixed4";
  const set = similarityApi.loadValues(key, info, [{grid: {width: 4, height: 4}, values: values(4, 4, 1)}]);
  const withUpload = similarityApi.setAdded(key, [{id: "upload", grid: {width: 5, height: 5}, values: values(5, 5, 9)}]);
  assert.notEqual(withUpload.version, set.version);
  assert.equal(withUpload.cells, 16 + 25);
  // The pointer rests on the upload's last cell (40); then the upload is removed, and the table shrinks to 16.
  const query = 40;
  const fresh = similarityApi.compute(key, withUpload.version, [query], "cosine", new Float32Array(withUpload.cells));
  assert.equal(fresh.version, withUpload.version);
  assert.ok(Math.abs(fresh.values[query] - 1) < 0.02, "a cell is similar to itself");
  const removed = similarityApi.setAdded(key, []);
  assert.equal(removed.cells, 16);
  const out = new Float32Array(withUpload.cells).fill(-7);
  const stale = similarityApi.compute(key, withUpload.version, [query], "cosine", out);
  assert.equal(stale.version, removed.version, "the reply names the table's version now");
  assert.ok(stale.values.every((v) => v === -7), "nothing computed for the old table's cells");
  assert.equal(similarityApi.top(key, withUpload.version, [query], "cosine", 3), null);
  // A new upload of the same size: the old cell number is valid again but names another image's cell.
  const other = similarityApi.setAdded(key, [{id: "other", grid: {width: 5, height: 5}, values: values(5, 5, 17)}]);
  assert.equal(other.cells, withUpload.cells);
  assert.ok(similarityApi.compute(key, withUpload.version, [query], "cosine", out).values.every((v) => v === -7));
  // The current version is answered.
  const now = similarityApi.compute(key, other.version, [query], "cosine", new Float32Array(other.cells));
  assert.equal(now.version, other.version);
  assert.ok(Math.abs(now.values[query] - 1) < 0.02);
  const best = similarityApi.top(key, other.version, [query], "cosine", 1);
  assert.ok(best && best.length === 1 && best[0].value >= now.values[query] - 1e-6, "the current version gives its best match");
});

test("a layer file is fetched and decoded once for every key and consumer", async () => {
  const q = quantizeCells(values(3, 3, 4), C);
  const bytes = tableToCompressedIPC(layerTable({...info, grids: [{width: 3, height: 3}]}, q));
  let requests = 0;
  const server = createServer((_, response) => {
    ++requests;
    response.end(Buffer.from(bytes));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mixed4.arrow`;
    const before = layerFilesFetched();
    const one = await similarityApi.load("a", url);
    const copies = await similarityApi.load("a×3", url, 3);
    // Another kind of compute (NMF, say) gets the same decoded codes.
    const decoded = await layerFile(url);
    assert.equal(requests, 1);
    assert.equal(layerFilesFetched(), before + 1);
    assert.equal(one.cells, 9);
    assert.equal(copies.cells, 27);
    assert.equal(installedLayer("a").data.codes, decoded.data.codes, "the key's table is the decoded file itself");
    assert.deepEqual([...decoded.data.codes], [...q.codes]);
  } finally {
    server.close();
  }
});

test("a signed layer computed in the browser is installed, not refused: uploads join it with signed codes, copies repeat it, every kind is computed", async () => {
  const key = "user/signed";
  const set = signedVectors(16, C, 3);
  const upload = signedVectors(9, C, 4);
  const summary = similarityApi.loadValues(key, info, [{grid: {width: 4, height: 4}, values: set}]);
  assert.equal(summary.info.signed, true);
  const joined = similarityApi.setAdded(key, [{id: "u", grid: {width: 3, height: 3}, values: upload}]);
  const layer = installedLayer(key);
  assert.ok(layer.data.codes instanceof Int8Array && layer.data.scales?.length === 25);
  // The upload's cells compare with the set's as the set's own would: against float64 cosines within 0.01.
  const all = new Float32Array([...set, ...upload]);
  const out = similarityApi.compute(key, joined.version, [20], "cosine", new Float32Array(joined.cells)).values;
  for (let j = 0; j < 25; ++j) assert.ok(Math.abs(out[j] - cosine(all.subarray(20 * C, 21 * C), all.subarray(j * C, (j + 1) * C))) <= 0.01, `cell ${j}`);
  assert.ok(Math.min(...out) < -0.2);
  for (const kind of ["dot", "euclidean"] as const) assert.ok(similarityApi.compute(key, joined.version, [3, 20], kind, new Float32Array(joined.cells)).values.every(Number.isFinite));
  similarityApi.unload(key);
  // A signed file, loaded twice over (copies): the copy's cells equal the original's.
  const file = tableToCompressedIPC(layerTable({...info, grids: [{width: 4, height: 4}]}, quantizeCells(set, C)));
  const copies = await similarityApi.load("file/signed", `data:application/octet-stream;base64,${Buffer.from(file).toString("base64")}`, 2);
  assert.equal(copies.cells, 32);
  const twice = similarityApi.compute("file/signed", copies.version, [5], "cosine", new Float32Array(32)).values;
  assert.deepEqual([...twice.subarray(16)], [...twice.subarray(0, 16)]);
  assert.ok(Math.abs(twice[21] - 1) < 1e-6);
  similarityApi.unload("file/signed");
});
