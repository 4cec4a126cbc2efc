// Transforms and the exact correspondence of cells (src/core/transforms.ts), and dataset.json's transformed
// sets (src/core/transformSets.ts). The marker tests draw a white square on black, transform the picture,
// find where the square went from the pixels alone, and check that the correspondence points there.
import assert from "node:assert/strict";
import {test} from "node:test";
import {parseDatasetConfig} from "../../src/core/datasetConfig.js";
import type {Rgb8} from "../../src/core/pixels.js";
import {expandTransforms, setRows} from "../../src/core/transformSets.js";
import {borderBand, cellCentre, correspondingCell, forwardPoint, inversePoint, isContent, nearestCell, transformImage, type Correspondence, type Transform} from "../../src/core/transforms.js";

const W = 299;
const size = {width: W, height: W};
// InceptionV3's layers at 299 × 299: mixed0–2, mixed3–7, mixed8 (stride, offset and grid from the model description).
const LAYERS = [
  {name: "stride 8", stride: 8, offset: 13, grid: {width: 35, height: 35}},
  {name: "stride 16", stride: 16, offset: 21, grid: {width: 17, height: 17}},
  {name: "stride 32", stride: 32, offset: 37, grid: {width: 8, height: 8}}
];
const identity: Transform = {kind: "rotate", angle: 0};
const TRANSFORMS: Transform[] = [
  {kind: "rotate", angle: 90}, {kind: "rotate", angle: 180}, {kind: "rotate", angle: 270}, {kind: "rotate", angle: 45}, {kind: "rotate", angle: 22.5},
  {kind: "scale", zoom: 1.5, centre: [0.6, 0.3]}, {kind: "scale", zoom: 2, centre: [0.66, 0.23]}, {kind: "scale", zoom: 3, centre: [0.66, 0.23]}
];

function random(seed: number): Rgb8 {
  const data = new Uint8Array(W * W * 3);
  let s = seed;
  for (let i = 0; i < data.length; ++i) data[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  return {data, width: W, height: W, channels: 3};
}

/** Black with an 11 × 11 white square whose centre is the input point (cx, cy) (pixel p spans [p, p + 1]). */
function marker(cx: number, cy: number): Rgb8 {
  const data = new Uint8Array(W * W * 3);
  for (let y = Math.round(cy - 6); y < cy + 5; ++y) for (let x = Math.round(cx - 6); x < cx + 5; ++x) data.fill(255, (y * W + x) * 3, (y * W + x) * 3 + 3);
  return {data, width: W, height: W, channels: 3};
}

/** Centre of the bright pixels, in input pixels. */
function brightCentre(image: Rgb8): {x: number; y: number} {
  let sx = 0, sy = 0, n = 0;
  for (let y = 0; y < W; ++y) for (let x = 0; x < W; ++x) if (image.data[(y * W + x) * 3] > 127) (sx += x + 0.5), (sy += y + 0.5), ++n;
  assert.ok(n > 0, "the marker is still in the picture");
  return {x: sx / n, y: sy / n};
}

test("0° and zoom 1 give back the picture exactly, bilinear or nearest", () => {
  const image = random(1);
  for (const t of [identity, {kind: "scale", zoom: 1, centre: [0.2, 0.9]} as Transform]) {
    assert.deepEqual(transformImage(image, t).data, image.data);
    assert.deepEqual(transformImage(image, t, "nearest").data, image.data);
  }
});

test("a quarter turn is exact: counter-clockwise, every pixel moved, four of them give the picture back", () => {
  const image = random(2);
  const turned = transformImage(image, {kind: "rotate", angle: 90});
  // Pixel (col i, row j) goes to (col j, row W−1−i): the top-right corner becomes the top-left one.
  for (let j = 0; j < W; j += 7) for (let i = 0; i < W; i += 5) {
    for (let k = 0; k < 3; ++k) assert.equal(turned.data[((W - 1 - i) * W + j) * 3 + k], image.data[(j * W + i) * 3 + k]);
  }
  let back = image;
  for (let n = 0; n < 4; ++n) back = transformImage(back, {kind: "rotate", angle: 90});
  assert.deepEqual(back.data, image.data);
  assert.deepEqual(transformImage(image, {kind: "rotate", angle: -270}).data, turned.data);
});

test("outside the source is black; nearest neighbour only copies source pixels", () => {
  const image = {data: new Uint8Array(W * W * 3).fill(200), width: W, height: W, channels: 3 as const};
  const turned = transformImage(image, {kind: "rotate", angle: 45});
  assert.deepEqual([...turned.data.subarray(0, 3)], [0, 0, 0]); // a corner
  const centre = ((149 * W) + 149) * 3;
  assert.deepEqual([...turned.data.subarray(centre, centre + 3)], [200, 200, 200]);
  const values = new Set(random(3).data);
  for (const v of transformImage(random(3), {kind: "rotate", angle: 30}, "nearest").data) assert.ok(v === 0 || values.has(v));
  const zoomed = transformImage(image, {kind: "scale", zoom: 4, centre: [0, 0]});
  assert.ok(zoomed.data.every((v) => v === 200), "a zoom box stays inside the picture: no black");
});

test("the inverse maps are exact inverses (round trips of points)", () => {
  for (const t of TRANSFORMS) {
    for (let k = 0; k < 50; ++k) {
      const q = {x: (k * 37.3) % W, y: (k * 91.7) % W};
      const back = forwardPoint(t, inversePoint(t, q, size), size);
      assert.ok(Math.abs(back.x - q.x) < 1e-9 && Math.abs(back.y - q.y) < 1e-9, `${JSON.stringify(t)}: ${JSON.stringify(q)} → ${JSON.stringify(back)}`);
    }
  }
});

for (const layer of LAYERS) {
  test(`the marker's cell maps to where the marker went, at ${layer.name}`, () => {
    // On a cell centre of every layer: 37.5 + 32k is 21.5 + 16i and 13.5 + 8i.
    const at = {x: 37.5 + 32 * 5, y: 37.5 + 32 * 1};
    const base = marker(at.x, at.y);
    const {cell, distance} = nearestCell(at, layer, layer.grid);
    assert.equal(distance, 0);
    for (const t of TRANSFORMS) {
      const moved = brightCentre(transformImage(base, t));
      const found = correspondingCell(cell, identity, t, layer, layer.grid, size);
      assert.ok(found, `${JSON.stringify(t)}: the marker is inside the picture`);
      assert.deepEqual(found.cell, nearestCell(moved, layer, layer.grid).cell, `${JSON.stringify(t)}: marker at ${JSON.stringify(moved)}`);
      // And back: from the transformed picture's cell to the base cell of the marker.
      const back = correspondingCell(found.cell, t, identity, layer, layer.grid, size);
      if (t.kind === "rotate" && t.angle % 90 === 0) {
        assert.equal(found.distance, 0, "a quarter turn maps cell centres onto cell centres");
        assert.deepEqual(back, {cell, distance: 0});
      }
      if (t.kind === "scale" && t.zoom >= 1.5) assert.deepEqual(back?.cell, cell, "a cell of the zoomed picture maps back to the marker's cell");
      assert.ok(found.distance <= layer.stride / Math.SQRT2 + 1e-9);
    }
  });

  test(`cell round trips through quarter turns are exact at every cell, at ${layer.name}`, () => {
    for (let row = 0; row < layer.grid.height; ++row) for (let col = 0; col < layer.grid.width; ++col) {
      for (const angle of [90, 180, 270]) {
        const t: Transform = {kind: "rotate", angle};
        const there: Correspondence = correspondingCell({col, row}, identity, t, layer, layer.grid, size)!;
        assert.equal(there.distance, 0);
        assert.deepEqual(correspondingCell(there.cell, t, identity, layer, layer.grid, size), {cell: {col, row}, distance: 0});
      }
    }
  });
}

test("missing when the point falls outside the real content, not just outside the grid", () => {
  const layer = LAYERS[1];
  const r45: Transform = {kind: "rotate", angle: 45};
  // The base's corner cell goes off the rotated picture; the rotated picture's corner cell shows black.
  assert.equal(correspondingCell({col: 0, row: 0}, identity, r45, layer, layer.grid, size), null);
  assert.equal(isContent(r45, cellCentre({col: 0, row: 0}, layer), size), false);
  assert.equal(correspondingCell({col: 0, row: 0}, r45, identity, layer, layer.grid, size), null);
  assert.equal(correspondingCell({col: 0, row: 0}, r45, {kind: "rotate", angle: 90}, layer, layer.grid, size), null);
  // The centre is everywhere; a zoomed picture's cells are all in the base, but most base cells are off the zoomed one.
  assert.ok(correspondingCell({col: 8, row: 8}, identity, r45, layer, layer.grid, size));
  const z2: Transform = {kind: "scale", zoom: 2, centre: [0.5, 0.5]};
  assert.equal(correspondingCell({col: 0, row: 8}, identity, z2, layer, layer.grid, size), null);
  assert.deepEqual(correspondingCell({col: 0, row: 0}, z2, identity, layer, layer.grid, size)?.cell, {col: 4, row: 4});
  // Its own picture: the cell itself.
  assert.deepEqual(correspondingCell({col: 0, row: 0}, r45, {kind: "rotate", angle: 405}, layer, layer.grid, size), {cell: {col: 0, row: 0}, distance: 0});
});

test("border bands", () => {
  const grid = {width: 17, height: 17};
  assert.deepEqual([0, 1, 2, 3, 8].map((col) => borderBand({col, row: 8}, grid)), [0, 1, 1, 2, 2]);
  assert.equal(borderBand({col: 8, row: 16}, grid), 0);
});

const config = (transforms: unknown) =>
  JSON.stringify({name: "t", title: "T", description: "d", model: "inception_v3", layers: ["mixed4"], images: [{file: "a.png", credit: "c", licence: "l"}, {file: "b.jpg", credit: "c2", licence: "l2"}], transforms});

test("dataset.json transforms: the sets' images in table order after the listed ones", () => {
  const c = parseDatasetConfig(config([{kind: "rotate", image: "b.jpg", angles: [0, 90]}, {kind: "scale", image: "a.png", centre: [0.5, 0.4], zooms: [1, 2], interpolation: "nearest"}]), "x/dataset.json");
  const all = expandTransforms(c.transforms!, c.images);
  assert.deepEqual(all.map((d) => d.id), ["b-rot0", "b-rot90", "a-zoom1", "a-zoom2"]);
  assert.deepEqual(all.map((d) => d.interpolation), ["bilinear", "bilinear", "nearest", "nearest"]);
  assert.match(all[1].credit, /^c2; rotated 90° by this project$/);
  assert.deepEqual(setRows(c, 1), [4, 5]);
});

test("dataset.json transforms: mistakes are named", () => {
  const bad = (transforms: unknown, message: RegExp) => assert.throws(() => parseDatasetConfig(config(transforms), "x/dataset.json"), message);
  bad({}, /x\/dataset.json: "transforms" must be an array/);
  bad([{kind: "rotate", image: "c.png", angles: [0]}], /transforms\[0\]\.image must be the file of one of the dataset's "images" \(a\.png, b\.jpg\), got "c\.png"/);
  bad([{kind: "rotate", image: "a.png", angles: [45, 90]}], /transforms\[0\]\.angles must include 0/);
  bad([{kind: "scale", image: "a.png", centre: [0.5, 0.5], zooms: [2]}], /transforms\[0\]\.zooms must include 1/);
  bad([{kind: "scale", image: "a.png", centre: [0.5, 0.5], zooms: [1, 0.5]}], /transforms\[0\]\.zooms\[1\]: the zoom must be a number from 1 to 16, got 0\.5/);
  bad([{kind: "scale", image: "a.png", centre: [1.5], zooms: [1]}], /the centre must be \[x, y\] in fractions/);
  bad([{kind: "shear", image: "a.png"}], /transforms\[0\]\.kind must be "rotate" or "scale", got "shear"/);
  bad([{kind: "rotate", image: "a.png", angles: [0, 0]}], /angles lists a value twice/);
  bad([{kind: "rotate", image: "a.png", angles: [0], interpolation: "cubic"}], /interpolation must be "bilinear" or "nearest"/);
});
