import assert from "node:assert/strict";
import {describe, test} from "node:test";
import * as ort from "onnxruntime-node";
import {decodeModel, type Layout} from "../../src/core/onnxGraph.js";
import {receptiveFields, type AxisField, type ReceptiveFieldOptions} from "../../src/core/receptiveField.js";
import * as fx from "../fixtures/makeOnnx.js";
import {measureFields} from "../fixtures/measureField.js";
import * as models from "../fixtures/testModels.js";

const fieldsOf = (spec: fx.ModelSpecForTest, options?: ReceptiveFieldOptions) => receptiveFields(decodeModel(fx.buildModel(spec)), options);
const axis = (stride: number, receptiveField: number, offset: number): AxisField => ({stride, receptiveField, offset});
const square = (stride: number, receptiveField: number, offset: number) => {
  const a = axis(stride, receptiveField, offset);
  return {...a, y: a, x: a, square: true};
};

/** Checks computed fields against brute-force measurement for `outputs`. */
async function agrees(spec: fx.ModelSpecForTest, size: number, outputs: string[], layouts?: Record<string, Layout>) {
  const bytes = fx.buildModel(spec);
  const computed = receptiveFields(decodeModel(bytes), {inputSize: {height: size, width: size}});
  const measured = await measureFields(ort, bytes, size, outputs, layouts);
  for (const o of outputs) {
    const c = computed.get(o);
    assert.ok(c, `${o} has a computed field`);
    assert.deepEqual({y: c.y, x: c.x}, measured.get(o), `${o}: computed = measured`);
  }
  return computed;
}

describe("receptiveFields, hand-computed", () => {
  test("3×3 s1 → 3×3 s2 → max pool 2×2 s2", () => {
    const fields = fieldsOf(models.nchwSymbolic());
    assert.deepEqual(fields.get("input"), square(1, 1, 0));
    assert.deepEqual(fields.get("t0"), square(1, 3, 0)); // pad 1: centred on pixel 0
    assert.deepEqual(fields.get("t1"), square(1, 3, 0)); // ReLU passes through
    assert.deepEqual(fields.get("t2"), square(2, 5, 1)); // 3 + 2·1; valid: centre of pixels 0..4 in t0 cells
    assert.deepEqual(fields.get("t4"), square(4, 7, 2)); // 5 + 1·2; 1 + 0.5·2
  });

  test("dilation, Pad, average pool with pads, non-square kernels", () => {
    const spec = fx.convStack([
      {op: "Pad", pads: [0, 0, 2, 1, 0, 0, 0, 3]}, // top 2, left 1
      {op: "Conv", k: 3, d: 2}, // span 4
      {op: "AveragePool", k: 3, s: 2, pads: [1, 1, 1, 1]},
      {op: "Conv", k: [1, 5], pads: [0, 2, 0, 2]},
    ]);
    const f = fieldsOf(spec);
    assert.deepEqual(f.get("t0")!.y, axis(1, 1, -2));
    assert.deepEqual(f.get("t0")!.x, axis(1, 1, -1));
    assert.deepEqual(f.get("t1")!.y, axis(1, 5, 0)); // −2 + 4/2
    assert.deepEqual(f.get("t1")!.x, axis(1, 5, 1));
    assert.deepEqual(f.get("t2")!.y, axis(2, 7, 0)); // 0 + (1 − 1)·1
    assert.deepEqual(f.get("t3")!.y, axis(2, 7, 0)); // kernel height 1
    assert.deepEqual(f.get("t3")!.x, axis(2, 15, 1)); // 7 + 4·2
    assert.equal(f.get("t3")!.square, false);
    assert.equal(f.get("t3")!.receptiveField, 15); // the larger axis
  });

  test("auto_pad SAME_UPPER depends on the input size", () => {
    const spec = fx.convStack([{op: "Conv", k: 3, s: 2, autoPad: "SAME_UPPER"}, {op: "Conv", k: 3, s: 2, autoPad: "SAME_UPPER"}]);
    // Even size: total pad 1 → begin 0. Odd size: total 2 → begin 1.
    assert.deepEqual(fieldsOf(spec, {inputSize: {height: 224, width: 224}}).get("t0"), square(2, 3, 1));
    assert.deepEqual(fieldsOf(spec, {inputSize: {height: 299, width: 299}}).get("t0"), square(2, 3, 0));
    assert.deepEqual(fieldsOf(spec).get("t1"), square(4, 7, 3)); // no size: assumes divisible by the stride
    // 224 → 112 → 56: begins 0, 0. 226 → 113 → 57: begins 0, 1.
    const mixed = fieldsOf(spec, {inputSize: {height: 226, width: 224}}).get("t1")!;
    assert.deepEqual([mixed.y, mixed.x], [axis(4, 7, 1), axis(4, 7, 3)]);
    const lower = fx.convStack([{op: "Conv", k: 2, s: 1, autoPad: "SAME_LOWER"}]);
    assert.deepEqual(fieldsOf(lower).get("t0"), square(1, 2, -0.5)); // total 1, begin 1
  });

  test("Conv without kernel_shape takes it from dequantized weights", () => {
    assert.deepEqual(fieldsOf(models.dequantizedWeights()).get("relu"), square(2, 3, 0));
  });

  test("Concat and Add take the union of their inputs' windows", () => {
    const rand = fx.random(4);
    const spec: fx.ModelSpecForTest = {inputs: [{name: "input", dims: ["N", 1, "H", "W"]}], outputs: [{name: "sum"}, {name: "cat"}], nodes: []};
    fx.addConv(spec, rand, "input", "a", {inC: 1, outC: 2, k: 3, attrs: {strides: [2, 2], pads: [1, 1, 1, 1]}}); // offset 0
    fx.addConv(spec, rand, "input", "b", {inC: 1, outC: 2, k: 3, attrs: {strides: [2, 2]}}); // offset 1
    fx.addConv(spec, rand, "input", "c", {inC: 1, outC: 2, k: 5, attrs: {strides: [2, 2], pads: [2, 2, 2, 2]}}); // offset 0, field 5
    spec.nodes.push({op: "Add", inputs: ["a", "b"], outputs: ["sum"]}, {op: "Concat", inputs: ["a", "c"], outputs: ["cat"], attrs: {axis: 1}});
    const f = fieldsOf(spec);
    assert.deepEqual(f.get("sum"), square(2, 4, 0.5)); // pixels −1..2
    assert.deepEqual(f.get("cat"), square(2, 5, 0)); // the larger field
  });

  test("unknown spatial operators stop the propagation; squeeze-and-excitation passes", () => {
    const rand = fx.random(5);
    const spec: fx.ModelSpecForTest = {
      inputs: [{name: "input", dims: ["N", 3, "H", "W"]}],
      outputs: [{name: "after"}, {name: "se"}],
      initializers: [{name: "scales", dims: [4], data: [1, 1, 2, 2]}],
      nodes: [],
    };
    fx.addConv(spec, rand, "input", "conv", {inC: 3, outC: 2, k: 3, attrs: {strides: [2, 2]}});
    spec.nodes.push({op: "GlobalAveragePool", inputs: ["conv"], outputs: ["gap"]}, {op: "Sigmoid", inputs: ["gap"], outputs: ["gate"]});
    spec.nodes.push({op: "Mul", inputs: ["conv", "gate"], outputs: ["se"]});
    spec.nodes.push({op: "Resize", inputs: ["se", "", "scales"], outputs: ["up"], attrs: {mode: "nearest"}});
    fx.addConv(spec, rand, "up", "after", {inC: 2, outC: 2, k: 3});
    const f = fieldsOf(spec);
    assert.deepEqual(f.get("se"), square(2, 3, 1));
    assert.equal(f.has("gap"), false);
    assert.equal(f.has("up"), false);
    assert.equal(f.has("after"), false);
  });
});

describe("receptiveFields agree with brute-force measurement (onnxruntime-node)", () => {
  test("3×3 s1 → 3×3 s2 → max pool 2×2 s2", async () => {
    const spec = fx.convStack([{op: "Conv", k: 3, pads: [1, 1, 1, 1]}, {op: "Conv", k: 3, s: 2}, {op: "MaxPool", k: 2, s: 2}], {channels: 1});
    const f = await agrees(spec, 40, ["t0", "t1", "t2"]);
    assert.deepEqual(f.get("t2"), square(4, 7, 2));
  });

  test("Pad, dilation, average pool with pads, non-square kernel, stride 3", async () => {
    const spec = fx.convStack(
      [
        {op: "Pad", pads: [0, 0, 2, 1, 0, 0, 0, 3]},
        {op: "Conv", k: 3, d: 2, out: 2},
        {op: "AveragePool", k: 3, s: 2, pads: [1, 1, 1, 1]},
        {op: "Conv", k: [1, 5], pads: [0, 2, 0, 2]},
        {op: "Conv", k: 4, s: 3, pads: [2, 1, 0, 0]},
      ],
      {channels: 1},
    );
    await agrees(spec, 48, ["t1", "t2", "t3", "t4"]);
  });

  test("auto_pad SAME_UPPER and SAME_LOWER at an odd size", async () => {
    const spec = fx.convStack(
      [{op: "Conv", k: 4, s: 2, autoPad: "SAME_UPPER"}, {op: "MaxPool", k: 3, s: 2, autoPad: "SAME_LOWER"}, {op: "Conv", k: 3, s: 2, autoPad: "SAME_UPPER"}],
      {channels: 1},
    );
    await agrees(spec, 47, ["t0", "t1", "t2"]);
  });

  test("branches: Concat and Add of windows with different centres", async () => {
    const rand = fx.random(8);
    const spec: fx.ModelSpecForTest = {inputs: [{name: "input", dims: ["N", 1, "H", "W"]}], outputs: [{name: "sum"}, {name: "cat"}, {name: "top"}], nodes: []};
    fx.addConv(spec, rand, "input", "a", {inC: 1, outC: 2, k: 3, attrs: {strides: [2, 2], pads: [1, 1, 1, 1]}});
    fx.addConv(spec, rand, "input", "b", {inC: 1, outC: 2, k: 3, attrs: {strides: [2, 2]}});
    fx.addConv(spec, rand, "input", "c", {inC: 1, outC: 1, k: [7, 1], attrs: {strides: [2, 2], pads: [3, 0, 3, 0]}});
    spec.nodes.push({op: "Pad", inputs: ["b", "bp"], outputs: ["bpad"]});
    spec.initializers!.push({name: "bp", dims: [8], data: [0, 0, 0, 0, 0, 0, 1, 1], int64: true});
    spec.nodes.push({op: "Add", inputs: ["a", "bpad"], outputs: ["sum"]}, {op: "Concat", inputs: ["sum", "c"], outputs: ["cat"], attrs: {axis: 1}});
    fx.addConv(spec, rand, "cat", "top", {inC: 3, outC: 2, k: 3, attrs: {strides: [2, 2]}});
    await agrees(spec, 40, ["sum", "cat", "top"]);
  });

  test("NHWC input through Transposes", async () => {
    const spec = models.nhwcModel();
    const f = await agrees(spec, 30, ["conv", "features"], {features: "NHWC"});
    assert.deepEqual(f.get("features"), square(2, 3, 0));
  });
});
