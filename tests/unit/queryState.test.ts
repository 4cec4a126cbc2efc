import assert from "node:assert/strict";
import {test} from "node:test";
import {cellStarts} from "../../src/core/layerTable.js";
import {describePins, globalCell, isValidRef, moveCell, queryRefs, refOf, remapRefs, togglePin} from "../../src/components/query/queryState.js";

const grids = [{width: 17, height: 17}, {width: 26, height: 17}, {width: 17, height: 17}];
const cellStart = cellStarts(grids);

test("togglePin adds a new cell and removes a pinned one", () => {
  const a = {image: 0, col: 1, row: 2}, b = {image: 1, col: 3, row: 4};
  const pins = togglePin(togglePin([], a), b);
  assert.deepEqual(pins, [a, b]);
  assert.deepEqual(togglePin(pins, {...a}), [b]);
});

test("queryRefs prefers the pins to the hovered cell", () => {
  const a = {image: 0, col: 1, row: 2}, h = {image: 2, col: 0, row: 0};
  assert.deepEqual(queryRefs([a], h), [a]);
  assert.deepEqual(queryRefs([], h), [h]);
  assert.deepEqual(queryRefs([], null), []);
});

test("globalCell and refOf are inverse over every cell", () => {
  for (let cell = 0; cell < cellStart[3]; cell += 7) assert.equal(globalCell(refOf(cell, cellStart, grids), cellStart, grids), cell);
  assert.deepEqual(refOf(289, cellStart, grids), {image: 1, col: 0, row: 0});
  assert.deepEqual(refOf(289 + 26 * 2 + 5, cellStart, grids), {image: 1, col: 5, row: 2});
  assert.throws(() => refOf(cellStart[3], cellStart, grids), /invalid cell/);
  assert.throws(() => globalCell({image: 1, col: 26, row: 0}, cellStart, grids), /invalid cell: image 1, col 26, row 0/);
});

test("isValidRef checks the image and the grid", () => {
  assert.equal(isValidRef({image: 1, col: 25, row: 16}, grids), true);
  assert.equal(isValidRef({image: 3, col: 0, row: 0}, grids), false);
  assert.equal(isValidRef({image: 0, col: 17, row: 0}, grids), false);
});

test("remapRefs moves cells to another layer by their centres and drops duplicates", () => {
  const fine = [{width: 35, height: 35}], coarse = [{width: 17, height: 17}];
  // Cells 16 and 17 of 35 both have their centres in cell 8 of 17.
  assert.deepEqual(remapRefs([{image: 0, col: 16, row: 0}, {image: 0, col: 17, row: 0}], fine, coarse), [{image: 0, col: 8, row: 0}]);
  assert.deepEqual(remapRefs([{image: 0, col: 8, row: 8}], coarse, fine), [{image: 0, col: 17, row: 17}]);
  assert.deepEqual(remapRefs([{image: 1, col: 0, row: 0}], [...coarse, ...coarse], coarse), []);
});

test("remapRefs follows images to their new places and drops those taken out (an upload removed)", () => {
  const grids = [{width: 17, height: 17}, {width: 17, height: 17}, {width: 17, height: 17}];
  // Image 1 was removed: image 2 is now image 1, and image 1's cells have nowhere to go.
  const imageIn = (i: number) => [0, -1, 1][i];
  assert.deepEqual(remapRefs([{image: 2, col: 3, row: 4}], grids, grids.slice(1), imageIn), [{image: 1, col: 3, row: 4}]);
  assert.deepEqual(remapRefs([{image: 1, col: 3, row: 4}], grids, grids.slice(1), imageIn), []);
});

test("moveCell follows the arrow keys and stops at the edges", () => {
  const grid = {width: 3, height: 2};
  assert.deepEqual(moveCell({col: 1, row: 0}, "ArrowRight", grid), {col: 2, row: 0});
  assert.deepEqual(moveCell({col: 2, row: 0}, "ArrowRight", grid), {col: 2, row: 0});
  assert.deepEqual(moveCell({col: 0, row: 0}, "ArrowDown", grid), {col: 0, row: 1});
  assert.deepEqual(moveCell({col: 0, row: 0}, "ArrowUp", grid), {col: 0, row: 0});
  assert.equal(moveCell({col: 0, row: 0}, "a", grid), null);
});

test("describePins says how many cells are pinned and how they combine", () => {
  assert.equal(describePins(0), "");
  assert.equal(describePins(1), "1 pinned cell. ");
  assert.match(describePins(3), /^3 pinned cells \(the overlay shows the largest similarity to any\)/);
});
