import assert from "node:assert/strict";
import {test} from "node:test";
import {cellAt, cellIndex, cellOf, cellRect, mapCell, receptiveFieldRect} from "../../src/core/cells.js";

test("cellAt maps pixels of a non-square image to a non-square grid", () => {
  const size = {width: 448, height: 299};
  const grid = {width: 26, height: 17};
  assert.deepEqual(cellAt(0, 0, size, grid), {col: 0, row: 0});
  assert.deepEqual(cellAt(447.99, 298.99, size, grid), {col: 25, row: 16});
  // The boundary between columns 12 and 13 sits at 13 · 448 / 26 = 224.
  assert.deepEqual(cellAt(223.99, 100, size, grid), {col: 12, row: 5});
  assert.deepEqual(cellAt(224, 100, size, grid), {col: 13, row: 5});
  // Outside points clamp to the edge cells.
  assert.deepEqual(cellAt(-5, 1000, size, grid), {col: 0, row: 16});
});

test("cellAt is independent of the drawn size", () => {
  const grid = {width: 17, height: 17};
  for (let col = 0; col < 17; ++col) {
    for (const scale of [1, 0.37, 2.5]) {
      const size = {width: 299 * scale, height: 299 * scale};
      const r = cellRect({col, row: 3}, size, grid);
      assert.deepEqual(cellAt(r.x + r.width / 2, r.y + r.height / 2, size, grid), {col, row: 3});
      assert.deepEqual(cellAt(r.x + 1e-9, r.y + 1e-9, size, grid), {col, row: 3});
    }
  }
});

test("cellRect tiles the image exactly", () => {
  const size = {width: 300, height: 200}, grid = {width: 7, height: 3};
  let area = 0;
  for (let row = 0; row < 3; ++row) for (let col = 0; col < 7; ++col) {
    const r = cellRect({col, row}, size, grid);
    area += r.width * r.height;
  }
  assert.ok(Math.abs(area - 300 * 200) < 1e-6);
  const last = cellRect({col: 6, row: 2}, size, grid);
  assert.ok(Math.abs(last.x + last.width - 300) < 1e-9 && Math.abs(last.y + last.height - 200) < 1e-9);
});

test("mapCell maps cell centres between grids of different resolution", () => {
  // 35×35 (mixed1) → 17×17 (mixed4) → 8×8 (mixed8)
  assert.deepEqual(mapCell({col: 0, row: 0}, {width: 35, height: 35}, {width: 17, height: 17}), {col: 0, row: 0});
  assert.deepEqual(mapCell({col: 34, row: 34}, {width: 35, height: 35}, {width: 17, height: 17}), {col: 16, row: 16});
  // centre of 35-cell 17 is 17.5/35 = 0.5 → 17-cell floor(8.5) = 8
  assert.deepEqual(mapCell({col: 17, row: 17}, {width: 35, height: 35}, {width: 17, height: 17}), {col: 8, row: 8});
  assert.deepEqual(mapCell({col: 8, row: 8}, {width: 17, height: 17}, {width: 8, height: 8}), {col: 4, row: 4});
  // Same resolution: identity.
  for (let i = 0; i < 17; ++i) assert.deepEqual(mapCell({col: i, row: 16 - i}, {width: 17, height: 17}, {width: 17, height: 17}), {col: i, row: 16 - i});
  // Upsampling then downsampling returns the cell.
  for (let i = 0; i < 8; ++i) {
    const up = mapCell({col: i, row: i}, {width: 8, height: 8}, {width: 35, height: 35});
    assert.deepEqual(mapCell(up, {width: 35, height: 35}, {width: 8, height: 8}), {col: i, row: i});
  }
  // Non-square grids map each axis on its own.
  assert.deepEqual(mapCell({col: 25, row: 0}, {width: 26, height: 17}, {width: 12, height: 8}), {col: 11, row: 0});
});

test("cellIndex and cellOf are inverse, row-major", () => {
  const grid = {width: 26, height: 17};
  assert.equal(cellIndex({col: 3, row: 2}, grid), 55);
  for (let i = 0; i < 26 * 17; ++i) assert.equal(cellIndex(cellOf(i, grid), grid), i);
});

test("receptiveFieldRect centres on offset + i·stride and clips at the border", () => {
  const layer = {stride: 16, receptiveField: 100, offset: 7.5};
  const r = receptiveFieldRect({col: 5, row: 5}, layer, {width: 299, height: 299});
  assert.equal(r.x + r.width / 2, 7.5 + 80 + 0.5);
  assert.equal(r.width, 100);
  const corner = receptiveFieldRect({col: 0, row: 0}, layer, {width: 299, height: 299});
  assert.equal(corner.x, 0);
  assert.equal(corner.width, 8 + 50);
});
