import assert from "node:assert/strict";
import {test} from "node:test";
import {tableFromIPC, tableToIPC} from "apache-arrow";
import {tableFromBytes, tableToCompressedIPC} from "../../src/core/arrowLz4.js";
import {decodeImageTable, imageTable} from "../../src/core/imageTable.js";
import {cellStarts, decodeLayerTable, layerTable} from "../../src/core/layerTable.js";
import type {ModelSpec} from "../../src/core/modelSpec.js";
import {quantizeCells} from "../../src/core/quantize.js";

const layer = {name: "mixed4", output: "mixed4", channels: 4, stride: 16, receptiveField: 100, offset: 7, finetuned: false, layout: "NCHW" as const};

test("layerTable round-trips through Arrow IPC", () => {
  const grids = [{width: 3, height: 2}, {width: 2, height: 2}];
  const values = Float32Array.from({length: 10 * 4}, (_, i) => (i * 7) % 5);
  const q = quantizeCells(values, 4);
  const bytes = tableToCompressedIPC(layerTable({...layer, model: "m", grids}, q));
  const table = tableFromBytes(bytes);
  assert.deepEqual(table.schema.fields.map((f) => f.name), ["image", "row", "col", "norm", "code"]);
  const data = decodeLayerTable(table);
  assert.deepEqual([...data.codes], [...q.codes]);
  assert.deepEqual([...data.norms], [...q.norms]);
  assert.deepEqual([...data.cellStart], [0, 6, 10]);
  assert.equal(data.info.step, q.step);
  assert.deepEqual(data.info.grids, grids);
  // Row 7 is image 1, cell 1: row 0, col 1.
  const row = table.get(7)!;
  assert.equal(row.image, 1);
  assert.equal(row.row, 0);
  assert.equal(row.col, 1);
});

test("a signed layer round-trips as Int8 codes with \"signed\": true; an unsigned layer's metadata has no such key", () => {
  const grids = [{width: 3, height: 2}, {width: 2, height: 2}];
  const values = Float32Array.from({length: 10 * 4}, (_, i) => ((i * 7) % 5) - 2);
  const q = quantizeCells(values, 4);
  const table = tableFromBytes(tableToCompressedIPC(layerTable({...layer, model: "m", grids}, q)));
  assert.equal(String(table.schema.fields[4].type), "FixedSizeList[4]<Int8>");
  const data = decodeLayerTable(table);
  assert.ok(data.codes instanceof Int8Array);
  assert.deepEqual([...data.codes], [...q.codes]);
  assert.deepEqual([...data.scales!], [...q.scales!]);
  assert.equal(data.info.signed, true);
  const unsigned = tableFromBytes(tableToCompressedIPC(layerTable({...layer, model: "m", grids}, quantizeCells(values.map(Math.abs), 4))));
  assert.equal(String(unsigned.schema.fields[4].type), "FixedSizeList[4]<Uint8>");
  assert.deepEqual(Object.keys(JSON.parse(unsigned.schema.metadata.get("layer")!)), ["name", "output", "channels", "stride", "receptiveField", "offset", "finetuned", "layout", "model", "grids", "step"]);
  assert.equal(decodeLayerTable(unsigned).scales, undefined);
});

test("layerTable rejects codes that do not match the grids", () => {
  const q = quantizeCells(new Float32Array(4 * 5), 4);
  assert.throws(() => layerTable({...layer, model: "m", grids: [{width: 2, height: 2}]}, q), /5 cells for grids that hold 4/);
});

test("decodeLayerTable refuses a table without layer metadata", () => {
  assert.throws(() => decodeLayerTable(tableFromIPC(tableToIPC(decodeImageTableFixture()))), /not a layer table/);
});

test("cellStarts sums grid areas", () => {
  assert.deepEqual([...cellStarts([{width: 17, height: 17}, {width: 26, height: 17}])], [0, 289, 731]);
});

const model: ModelSpec = {
  id: "m", title: "M", source: "test", defaultLayer: "mixed4", layers: [layer], sizePolicy: {kind: "square", size: 299},
  input: {name: "input", layout: "NCHW", channelOrder: "RGB", normalization: {kind: "range", min: -1, max: 1}, minSize: 75, fixedSize: null}
};
const dataset = {name: "t", title: "T", description: "d", model: "m", layers: ["mixed4"], images: [{file: "a.jpg", credit: "me", licence: "CC0"}]};

function decodeImageTableFixture() {
  return imageTable({dataset, model, images: [{id: "a", file: "a.jpg", width: 299, height: 299, originalWidth: 640, originalHeight: 480, credit: "me", licence: "CC0", png: new Uint8Array([137, 80, 78])}]});
}

test("imageTable round-trips through Arrow IPC", () => {
  const back = decodeImageTable(tableFromIPC(tableToIPC(decodeImageTableFixture(), "file")));
  assert.deepEqual(back.dataset, dataset);
  assert.deepEqual(back.model, model);
  assert.equal(back.images.length, 1);
  assert.equal(back.images[0].originalWidth, 640);
  assert.deepEqual([...back.images[0].png], [137, 80, 78]);
});

test("tableToCompressedIPC writes LZ4-framed buffers smaller than plain IPC", () => {
  const grids = [{width: 17, height: 17}];
  // Sparse codes, as after a ReLU: two thirds zeros.
  const values = Float32Array.from({length: 289 * 64}, (_, i) => (i % 3 === 0 ? (i % 7) + 1 : 0));
  const table = layerTable({...layer, channels: 64, model: "m", grids}, quantizeCells(values, 64));
  const compressed = tableToCompressedIPC(table);
  assert.ok(compressed.length < tableToIPC(table, "file").length / 1.5);
  // An LZ4 frame (magic 04 22 4d 18) sits in the body.
  const magic = Buffer.from(compressed).indexOf(Buffer.from([0x04, 0x22, 0x4d, 0x18]));
  assert.ok(magic > 0);
  assert.deepEqual([...decodeLayerTable(tableFromBytes(compressed)).codes], [...decodeLayerTable(table).codes]);
});
