import assert from "node:assert/strict";
import {test} from "node:test";
import type {InputSpec} from "../../src/core/modelSpec.js";
import {toInputTensor} from "../../src/core/preprocess.js";

const rgb = {data: Float32Array.from([0, 127.5, 255, 255, 0, 51]), width: 2, height: 1};
const base: InputSpec = {name: "input", layout: "NCHW", channelOrder: "RGB", normalization: {kind: "range", min: -1, max: 1}, minSize: 1, fixedSize: null};

test("toInputTensor maps [0, 255] to [−1, 1] in NCHW", () => {
  const t = toInputTensor(rgb, base);
  assert.deepEqual(t.dims, [1, 3, 1, 2]);
  const want = [-1, 1, 0, -1, 1, 51 / 127.5 - 1]; // R plane, G plane, B plane
  want.forEach((w, i) => assert.ok(Math.abs(t.data[i] - w) < 1e-6, `${i}: ${t.data[i]} vs ${w}`));
});

test("toInputTensor NHWC with BGR order", () => {
  const t = toInputTensor(rgb, {...base, layout: "NHWC", channelOrder: "BGR", normalization: {kind: "range", min: 0, max: 1}});
  assert.deepEqual(t.dims, [1, 1, 2, 3]);
  const want = [1, 0.5, 0, 0.2, 0, 1]; // pixel 0 as B, G, R, then pixel 1
  want.forEach((w, i) => assert.ok(Math.abs(t.data[i] - w) < 1e-6));
});

test("toInputTensor mean/std given in the model's channel order", () => {
  const mean: [number, number, number] = [0.485, 0.456, 0.406];
  const std: [number, number, number] = [0.229, 0.224, 0.225];
  const t = toInputTensor(rgb, {...base, normalization: {kind: "meanStd", mean, std}});
  assert.ok(Math.abs(t.data[0] - (0 - 0.485) / 0.229) < 1e-5); // R of pixel 0
  assert.ok(Math.abs(t.data[4] - (1 - 0.406) / 0.225) < 1e-5); // B of pixel 0
  // BGR model: mean[0] belongs to blue.
  const b = toInputTensor(rgb, {...base, channelOrder: "BGR", normalization: {kind: "meanStd", mean, std}});
  assert.ok(Math.abs(b.data[0] - (1 - 0.485) / 0.229) < 1e-5); // channel 0 = B of pixel 0 = 255
});

test("toInputTensor checks the model's size limits", () => {
  assert.throws(() => toInputTensor(rgb, {...base, minSize: 75}), /smaller than the model's minimum 75×75/);
  assert.throws(() => toInputTensor(rgb, {...base, fixedSize: {width: 224, height: 224}}), /does not match the model's fixed input 224×224/);
});
