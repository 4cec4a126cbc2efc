import assert from "node:assert/strict";
import {describe, test} from "node:test";
import {decodeModel, describeImageInput, encodeModel, graphOf, onnx, realInputs, toNumber, withGraph} from "../../src/core/onnxGraph.js";
import {constantDims, constantInts, dynamicTensors, topoOrder} from "../../src/core/onnxNodes.js";
import {layoutOf, tensorLayouts} from "../../src/core/tensorLayout.js";
import * as fx from "../fixtures/makeOnnx.js";
import * as models from "../fixtures/testModels.js";

const describeSpec = (spec: fx.ModelSpecForTest) => describeImageInput(decodeModel(fx.buildModel(spec)));
const withInput = (dims: fx.Dim[], type?: number): fx.ModelSpecForTest => ({
  inputs: [{name: "x", dims, type}],
  outputs: [{name: "y"}],
  nodes: [{op: "Identity", inputs: ["x"], outputs: ["y"]}],
});

describe("decodeModel", () => {
  test("reads a model", () => {
    const model = decodeModel(fx.buildModel(models.nchwSymbolic()));
    assert.equal(toNumber(model.irVersion), 8);
    assert.equal(graphOf(model).node.length, 5);
  });

  const rejects = (bytes: Uint8Array, why: RegExp) =>
    assert.throws(() => decodeModel(bytes, "upload.onnx"), (e: Error) => e.message.startsWith("could not read upload.onnx as an ONNX model: ") && why.test(e.message));

  test("rejects a PNG", () => rejects(models.PNG_HEADER, /not an ONNX file/));
  test("rejects text", () => rejects(new TextEncoder().encode("name,value\nfoo,1\n"), /not an ONNX file/));
  test("rejects an empty file", () => rejects(new Uint8Array(0), /empty/));
  test("rejects a truncated model", () => {
    const bytes = fx.buildModel(models.nchwSymbolic());
    rejects(bytes.slice(0, bytes.length - 40), /corrupt or truncated/);
  });
  test("rejects protobuf that is not an ONNX model", () => {
    // Protobuf decoding is lenient: these bytes decode without error, but carry no ir_version.
    rejects(onnx.ModelProto.encode({producerName: "something else"}).finish(), /no valid ir_version/);
    rejects(new Uint8Array([0x08, 0x00]), /no valid ir_version/);
  });
  test("rejects a model without a graph", () => {
    rejects(onnx.ModelProto.encode({irVersion: 8, opsetImport: [{version: 13}]}).finish(), /no graph/);
  });
});

describe("describeImageInput", () => {
  test("NCHW with symbolic size", () => {
    assert.deepEqual(describeSpec(models.nchwSymbolic()), {name: "input", layout: "NCHW", channels: 3, batch: null, height: null, width: null});
  });
  test("NHWC with symbolic size", () => {
    assert.deepEqual(describeSpec(models.nhwcModel()), {name: "image", layout: "NHWC", channels: 3, batch: null, height: null, width: null});
  });
  test("fixed 32×32", () => {
    assert.deepEqual(describeSpec(models.fixed32()), {name: "input", layout: "NCHW", channels: 3, batch: 1, height: 32, width: 32});
  });
  test("fixed NHWC and grey NCHW", () => {
    assert.deepEqual(describeSpec(withInput([1, 224, 160, 3])), {name: "x", layout: "NHWC", channels: 3, batch: 1, height: 224, width: 160});
    assert.equal(describeSpec(withInput(["N", 1, 28, 28])).channels, 1);
    assert.equal(describeSpec(withInput(["N", 3, 3, "C"])).layout, "NCHW");
    assert.equal(describeSpec(withInput(["N", "H", "W", 3])).layout, "NHWC");
  });
  test("a 2-D input is not an image", () => {
    assert.throws(() => describeSpec(models.tabular()), /input "features" is float \[N, 10\], which is not an image: expected one float32 image input with 4 dimensions/);
  });
  test("token ids are not an image", () => {
    assert.throws(() => describeSpec(models.tokenIds()), /input "input_ids" is int64 \[batch, sequence\], which is not an image/);
  });
  test("no channel dimension", () => {
    assert.throws(() => describeSpec(withInput(["N", "C", "H", "W"])), /no channel dimension of size 1 or 3/);
    assert.throws(() => describeSpec(withInput([1, 4, 32, 32])), /no channel dimension of size 1 or 3/);
  });
  test("no inputs, several inputs", () => {
    const none: fx.ModelSpecForTest = {inputs: [], outputs: [{name: "y"}], nodes: [{op: "Constant", inputs: [], outputs: ["y"], attrs: {value_float: {float: 1}}}]};
    assert.throws(() => describeSpec(none), /has no inputs; expected one float32 image input/);
    const two = models.nchwSymbolic();
    two.inputs.push({name: "mask", dims: ["N", 1]});
    assert.throws(() => describeSpec(two), /has 2 inputs \(input \[N, 3, H, W\], mask \[N, 1\]\)/);
  });
  test("initializers listed as inputs (IR < 4) are not inputs", () => {
    const spec = models.fixed32();
    spec.inputs.push({name: "w0", dims: [4, 3, 3, 3]});
    const model = decodeModel(fx.buildModel(spec));
    assert.deepEqual(realInputs(graphOf(model)).map((v) => v.name), ["input"]);
    assert.equal(describeImageInput(model).name, "input");
  });
});

describe("graph helpers", () => {
  test("encodeModel round-trips and withGraph leaves the original alone", () => {
    const model = decodeModel(fx.buildModel(models.nchwSymbolic()));
    const copy = withGraph(model, {output: [onnx.ValueInfoProto.create({name: "t1"})]});
    assert.deepEqual(graphOf(decodeModel(encodeModel(copy))).output.map((o) => o.name), ["t1"]);
    assert.deepEqual(graphOf(model).output.map((o) => o.name), ["t4"]);
    const bytes = encodeModel(model);
    assert.equal(bytes.byteOffset, 0);
    assert.equal(bytes.byteLength, bytes.buffer.byteLength);
  });
  test("graphOf fills in hand-built models (plain nested objects)", () => {
    const built = fx.buildModelProto(models.nchwSymbolic());
    const graph = graphOf(built);
    assert.deepEqual(graph.node.map((n) => n.opType), ["Conv", "Relu", "Conv", "Relu", "MaxPool"]);
    assert.ok(graph.node.every((n) => Array.isArray(n.attribute) && Array.isArray(n.input) && n.input.length > 0), "every node has its attribute and input lists");
    assert.deepEqual(graph.node.map((n) => n.attribute.map((a) => a.name).sort()), built.graph!.node!.map((n) => (n.attribute ?? []).map((a) => a.name).sort()));
    assert.equal(describeImageInput(built).name, "input");
  });
  test("toNumber reads Long values", () => {
    assert.equal(toNumber({low: 5, high: 1, unsigned: false}), 4294967301);
    assert.equal(toNumber({low: -1, high: -1, unsigned: false}), -1);
    assert.equal(toNumber(7), 7);
  });
  test("topoOrder sorts an unsorted graph and finds cycles", () => {
    const spec = models.nchwSymbolic();
    spec.nodes.reverse();
    assert.deepEqual(topoOrder(graphOf(decodeModel(fx.buildModel(spec)))).map((n) => n.output[0]), ["t0", "t1", "t2", "t3", "t4"]);
    const cyclic: fx.ModelSpecForTest = {
      inputs: [{name: "x", dims: [1, 3, 4, 4]}],
      outputs: [{name: "b"}],
      nodes: [{op: "Add", inputs: ["x", "b"], outputs: ["a"]}, {op: "Relu", inputs: ["a"], outputs: ["b"]}],
    };
    assert.throws(() => topoOrder(graphOf(decodeModel(fx.buildModel(cyclic)))), /cycle/);
  });
  test("dequantized weights are constants with known dims", () => {
    const graph = graphOf(decodeModel(fx.buildModel(models.dequantizedWeights())));
    const dynamic = dynamicTensors(graph, "input");
    assert.deepEqual([...dynamic].sort(), ["conv", "input", "relu"]);
    assert.deepEqual(constantDims(graph, "w"), [4, 3, 3, 3]);
    assert.equal(constantDims(graph, "conv"), null);
  });
  test("constantInts reads int64 initializers and Constant nodes", () => {
    const spec = fx.convStack([{op: "Pad", pads: [0, 0, 1, 2, 0, 0, 3, 4]}]);
    spec.nodes.push({op: "Constant", inputs: [], outputs: ["k"], attrs: {value_ints: [5, 6]}});
    const graph = graphOf(decodeModel(fx.buildModel(spec)));
    assert.deepEqual(constantInts(graph, "p0"), [0, 0, 1, 2, 0, 0, 3, 4]);
    assert.deepEqual(constantInts(graph, "k"), [5, 6]);
    assert.equal(constantInts(graph, "input"), null);
  });
  test("tensor layouts follow Transposes", () => {
    const model = decodeModel(fx.buildModel(models.nhwcModel()));
    const layouts = tensorLayouts(topoOrder(graphOf(model)), "image", "NHWC");
    const kinds = Object.fromEntries([...layouts].map(([k, v]) => [k, layoutOf(v.perm)]));
    assert.deepEqual(kinds, {image: "NHWC", nchw: "NCHW", conv: "NCHW", relu: "NCHW", features: "NHWC"});
  });
});
