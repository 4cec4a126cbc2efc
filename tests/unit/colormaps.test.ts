import assert from "node:assert/strict";
import {test} from "node:test";
import {interpolateCividis, interpolateViridis, rgb} from "d3";
import {colormapTable, colormaps, colormapWords, isColormap} from "../../src/components/overlay/colormaps.js";

test("colormapTable(name) has 256 RGBA entries for every colour map", () => {
  for (const {name} of colormaps) assert.equal(colormapTable(name).length, 1024, name);
});

test("colormapTable(\"veil\") is black with alpha 1 − t: lighter is more similar", () => {
  const table = colormapTable("veil");
  for (const i of [0, 1, 128, 254, 255]) assert.deepEqual([...table.subarray(i * 4, i * 4 + 4)], [0, 0, 0, 255 - i]);
});

test("colormapTable(\"viridis\") and (\"cividis\") follow d3-scale-chromatic, opaque", () => {
  for (const [name, interpolate] of [["viridis", interpolateViridis], ["cividis", interpolateCividis]] as const) {
    const table = colormapTable(name);
    for (const i of [0, 100, 255]) {
      const c = rgb(interpolate(i / 255));
      assert.deepEqual([...table.subarray(i * 4, i * 4 + 4)], [c.r, c.g, c.b, 255], `${name} ${i}`);
    }
  }
});

test("colormapWords(name) views the same bytes, one word per entry", () => {
  const words = colormapWords("magma");
  const table = colormapTable("magma");
  assert.equal(words.length, 256);
  assert.deepEqual(new Uint8Array(words.buffer, words.byteOffset, 1024), new Uint8Array(table.buffer, table.byteOffset, 1024));
});

test("colormapTable rejects an unknown name", () => {
  assert.equal(isColormap("jet"), false);
  assert.throws(() => colormapTable("jet" as never), /invalid colormap: jet/);
});
