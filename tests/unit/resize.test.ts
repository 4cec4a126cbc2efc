import assert from "node:assert/strict";
import {test} from "node:test";
import {cropResize} from "../../src/core/resize.js";
import type {Pixels} from "../../src/core/pixels.js";

function image(width: number, height: number, channels: 3 | 4, f: (x: number, y: number, c: number) => number): Pixels {
  const data = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; ++y) for (let x = 0; x < width; ++x) for (let c = 0; c < channels; ++c) data[(y * width + x) * channels + c] = f(x, y, c);
  return {data, width, height, channels};
}

test("cropResize at the same size is the identity", () => {
  const src = image(13, 9, 3, (x, y, c) => (x * 17 + y * 5 + c * 80) % 256);
  const out = cropResize(src, {left: 0, top: 0, width: 13, height: 9}, 13, 9);
  for (let i = 0; i < out.data.length; ++i) assert.ok(Math.abs(out.data[i] - src.data[i]) < 1e-4);
});

test("cropResize keeps a constant image constant", () => {
  const src = image(640, 427, 3, (_x, _y, c) => [10, 200, 77][c]);
  const out = cropResize(src, {left: 100, top: 0, width: 427, height: 427}, 299, 299);
  for (let i = 0; i < out.data.length; ++i) assert.ok(Math.abs(out.data[i] - [10, 200, 77][i % 3]) < 1e-3);
});

test("cropResize halving averages 2×2 blocks of a checkerboard to grey", () => {
  const src = image(64, 64, 3, (x, y) => ((x + y) % 2 ? 255 : 0));
  const out = cropResize(src, {left: 0, top: 0, width: 64, height: 64}, 32, 32);
  // Interior pixels: the antialiasing filter sees equal numbers of black and white.
  for (let y = 2; y < 30; ++y) for (let x = 2; x < 30; ++x) assert.ok(Math.abs(out.data[(y * 32 + x) * 3] - 127.5) < 1e-3);
});

test("cropResize takes only the crop", () => {
  // Left half black, right half white; crop the right half.
  const src = image(100, 50, 3, (x) => (x < 50 ? 0 : 255));
  const out = cropResize(src, {left: 50, top: 0, width: 50, height: 50}, 20, 20);
  assert.ok(out.data.every((v) => Math.abs(v - 255) < 1e-3));
});

test("cropResize flattens alpha onto white", () => {
  const src = image(4, 4, 4, (_x, _y, c) => (c === 3 ? 0 : 0)); // fully transparent black
  const out = cropResize(src, {left: 0, top: 0, width: 4, height: 4}, 4, 4);
  assert.ok(out.data.every((v) => Math.abs(v - 255) < 1e-4));
  const half = image(2, 2, 4, (_x, _y, c) => (c === 3 ? 51 : 0)); // 20 % opaque black
  assert.ok(Math.abs(cropResize(half, {left: 0, top: 0, width: 2, height: 2}, 2, 2).data[0] - 204) < 1e-3);
});

test("cropResize rejects a crop outside the image", () => {
  const src = image(10, 10, 3, () => 0);
  assert.throws(() => cropResize(src, {left: 5, top: 0, width: 10, height: 10}, 5, 5), /exceeds image 10×10/);
});
