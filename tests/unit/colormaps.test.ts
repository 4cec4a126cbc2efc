import assert from "node:assert/strict";
import {test} from "node:test";
import {rgb} from "d3-color";
import {interpolateCividis, interpolateViridis} from "d3-scale-chromatic";
import {interpolateRdBu} from "d3-scale-chromatic";
import {colorScale, colormapTable, colormaps, colormapWords, isColormap, resolveColormap} from "../../src/components/overlay/colormaps.js";
import {paintCells} from "../../src/components/overlay/paintCells.js";

test("colormapTable(name) has 256 RGBA entries for every colour map", () => {
  for (const name of colormaps.map((c) => resolveColormap(c.name))) assert.equal(colormapTable(name).length, 1024, name);
});

test("\"auto\" paints the veil on a non-negative layer and the diverging map on a signed one; the others stay as chosen", () => {
  assert.equal(resolveColormap("auto"), "veil");
  assert.equal(resolveColormap("auto", true), "diverging");
  assert.equal(resolveColormap("veil", true), "veil");
  assert.equal(resolveColormap("viridis", true), "viridis");
});

test("the diverging map: blue at −1 (least similar), white at 0, red at +1, d3's RdBu reversed", () => {
  const scale = colorScale("diverging", [-1, 1]);
  const at = (v: number) => rgb(scale(v));
  assert.ok(at(-1).b > 90 && at(-1).r < 20, `−1 is dark blue: ${at(-1)}`);
  assert.ok(at(1).r > 90 && at(1).b < 40, `+1 is dark red: ${at(1)}`);
  assert.ok(Math.min(at(0).r, at(0).g, at(0).b) > 230, `0 is near white: ${at(0)}`);
  const table = colormapTable("diverging");
  const c = rgb(interpolateRdBu(1 - 200 / 255));
  assert.deepEqual([...table.subarray(800, 804)], [c.r, c.g, c.b, 255]);
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

// (d3's cividis is a fitted curve: its yellow end is 13 steps bluer than matplotlib's, so it is left out.)
test("the ends of viridis, magma and inferno are the published colours (matplotlib's tables)", () => {
  const ends = {viridis: [[68, 1, 84], [253, 231, 37]], magma: [[0, 0, 4], [252, 253, 191]], inferno: [[0, 0, 4], [252, 255, 164]]} as const;
  for (const [name, [first, last]] of Object.entries(ends) as [keyof typeof ends, (typeof ends)[keyof typeof ends]][]) {
    const table = colormapTable(name);
    for (const [i, want] of [[0, first], [255, last]] as const) {
      const got = [...table.subarray(i * 4, i * 4 + 3)];
      assert.ok(got.every((v, k) => Math.abs(v - want[k]) <= 3), `${name}[${i}] = ${got}, published ${want}`);
    }
  }
});

test("the overlay paints each value with the colour colorScale(name, domain) gives it, to within one of 256 steps", () => {
  const lo = -0.3, hi = 0.8;
  const values = Float32Array.from({length: 512}, (_, k) => lo - 0.2 + (k / 511) * (hi - lo + 0.4)); // beyond both ends too
  for (const name of colormaps.map((c) => resolveColormap(c.name))) {
    const scale = colorScale(name, [lo, hi]);
    const pixels = new Uint8ClampedArray(paintCells(values, 0, values.length, lo, hi, colormapWords(name), new Uint32Array(values.length)).buffer);
    const step = (hi - lo) / 255;
    values.forEach((v, k) => {
      const painted = [...pixels.subarray(k * 4, k * 4 + 4)];
      // The painted colour is the scale's colour at a value at most half a step away (the table has 256 entries).
      const near = [v - step / 2, v, v + step / 2].map((u) => {
        const c = rgb(scale(u));
        return [c.r, c.g, c.b, c.opacity * 255].map((x) => x || 0); // d3-color gives NaN channels when alpha is 0
      });
      const ok = near.some((c) => c.every((x, i) => Math.abs(x - painted[i]) <= 1));
      assert.ok(ok, `${name}: value ${v} painted ${painted}, scale gives ${near.map((c) => c.map(Math.round).join(",")).join(" | ")}`);
    });
  }
});

test("colorScale(\"veil\") is black at alpha 1 − t over the domain, clamped beyond it", () => {
  const scale = colorScale("veil", [2, 4]);
  assert.deepEqual([1, 2, 3, 4, 5].map((v) => rgb(scale(v)).opacity), [1, 1, 0.5, 0, 0]);
  assert.deepEqual(scale.domain(), [2, 4]);
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
