// Runs the same src/core code on onnxruntime-node and on onnxruntime-web (wasm, one thread, in Node).
import assert from "node:assert/strict";
import {describe, test} from "node:test";
import * as ortNode from "onnxruntime-node";
import * as ortWeb from "onnxruntime-web";
import {createTapSession, listCandidateLayers, NO_SPATIAL_OUTPUT, tapModel} from "../../src/core/layerTap.js";
import {decodeModel, graphOf} from "../../src/core/onnxGraph.js";
import * as fx from "../fixtures/makeOnnx.js";
import * as models from "../fixtures/testModels.js";

ortWeb.env.wasm.numThreads = 1;

const runtimes = [
  ["onnxruntime-node", ortNode],
  ["onnxruntime-web (wasm)", ortWeb],
] as const;

const summary = (layers: Awaited<ReturnType<typeof listCandidateLayers>>) =>
  layers.map((l) => `${l.output} ${l.opType} ${l.layout} ${l.channels}×${l.height}×${l.width}`);

for (const [runtime, ort] of runtimes) {
  describe(`listCandidateLayers on ${runtime}`, () => {
    test("NCHW, symbolic size: probes at 224 by default", async () => {
      const layers = await listCandidateLayers(ort, fx.buildModel(models.nchwSymbolic()));
      assert.deepEqual(summary(layers), [
        "t0 Conv NCHW 8×224×224",
        "t1 Relu NCHW 8×224×224",
        "t2 Conv NCHW 16×111×111",
        "t3 Relu NCHW 16×111×111",
        "t4 MaxPool NCHW 16×55×55",
      ]);
      assert.equal(layers[0]!.node, "conv_0");
      assert.deepEqual(layers[4]!.receptiveField && {s: layers[4]!.receptiveField.stride, r: layers[4]!.receptiveField.receptiveField, o: layers[4]!.receptiveField.offset}, {s: 4, r: 7, o: 2});
    });

    test("NCHW, symbolic size: probes at the size asked for", async () => {
      const layers = await listCandidateLayers(ort, fx.buildModel(models.nchwSymbolic()), {size: {height: 64, width: 96}});
      assert.equal(summary(layers).at(-1), "t4 MaxPool NCHW 16×15×23");
    });

    test("NHWC: layouts are followed through the Transposes", async () => {
      const layers = await listCandidateLayers(ort, fx.buildModel(models.nhwcModel()), {size: {height: 20, width: 30}});
      // "nchw" (the input, transposed) is a pixelwise function of the input, not a layer.
      assert.deepEqual(summary(layers), ["conv Conv NCHW 4×10×15", "relu Relu NCHW 4×10×15", "features Transpose NHWC 4×10×15"]);
    });

    test("fixed 32×32 input: probes at that size", async () => {
      const layers = await listCandidateLayers(ort, fx.buildModel(models.fixed32()));
      assert.deepEqual(summary(layers), ["t0 Conv NCHW 4×15×15", "t1 Relu NCHW 4×15×15", "t2 Conv NCHW 6×15×15"]);
    });

    test("dequantized weights (4-D constants) are not layers", async () => {
      const layers = await listCandidateLayers(ort, fx.buildModel(models.dequantizedWeights()), {size: {height: 8, width: 8}});
      assert.deepEqual(summary(layers), ["conv Conv NCHW 4×4×4", "relu Relu NCHW 4×4×4"]);
      assert.equal(layers[0]!.receptiveField?.stride, 2);
    });

    test("a model with only a 2-D output", async () => {
      await assert.rejects(listCandidateLayers(ort, fx.buildModel(models.flatOnly())), {message: NO_SPATIAL_OUTPUT});
      const gapOnly: fx.ModelSpecForTest = {
        inputs: [{name: "x", dims: ["N", 3, "H", "W"]}],
        outputs: [{name: "flat"}],
        nodes: [{op: "GlobalAveragePool", inputs: ["x"], outputs: ["gap"]}, {op: "Flatten", inputs: ["gap"], outputs: ["flat"]}],
      };
      await assert.rejects(listCandidateLayers(ort, fx.buildModel(gapOnly)), {message: NO_SPATIAL_OUTPUT});
    });

    test("a model whose input is not an image", async () => {
      await assert.rejects(listCandidateLayers(ort, fx.buildModel(models.tabular())), /input "features" is float \[N, 10\], which is not an image/);
      await assert.rejects(listCandidateLayers(ort, fx.buildModel(models.tokenIds())), /input "input_ids" is int64/);
    });

    test("corrupt and non-ONNX bytes", async () => {
      const bytes = fx.buildModel(models.nchwSymbolic());
      await assert.rejects(listCandidateLayers(ort, bytes.slice(0, 100), {fileName: "net.onnx"}), /^Error: could not read net\.onnx as an ONNX model: /);
      await assert.rejects(listCandidateLayers(ort, models.PNG_HEADER), /could not read model\.onnx as an ONNX model: not an ONNX file/);
      await assert.rejects(listCandidateLayers(ort, new TextEncoder().encode("hello")), /could not read model\.onnx as an ONNX model/);
    });

    test("a probe size the model cannot take", async () => {
      await assert.rejects(listCandidateLayers(ort, fx.buildModel(models.nchwSymbolic()), {size: {height: 2, width: 2}}), /onnxruntime could not run model\.onnx on an input of shape \[1, 3, 2, 2\]/);
    });
  });

  describe(`createTapSession on ${runtime}`, () => {
    test("returns the chosen layers, equal to the full model's values", async () => {
      const bytes = fx.buildModel(models.nchwSymbolic());
      const input = Float32Array.from({length: 3 * 16 * 20}, fx.random(2));
      const dims = [1, 3, 16, 20];
      const full = await ort.InferenceSession.create(bytes);
      const expected = (await full.run({input: new ort.Tensor("float32", input, dims)}))["t4"]!;
      await full.release();

      const tap = await createTapSession(ort, bytes, ["t1", "t4"], {graphOptimizationLevel: "all"});
      assert.deepEqual(tap.outputs, ["t1", "t4"]);
      assert.equal(tap.input.layout, "NCHW");
      const out = await tap.run(input, dims);
      assert.deepEqual([...out.keys()], ["t1", "t4"]);
      assert.deepEqual(out.get("t1")!.dims, [1, 8, 16, 20]);
      assert.deepEqual(out.get("t4")!.dims, [1, 16, 3, 4]);
      assert.deepEqual(out.get("t4")!.data, expected.data);
      assert.ok(out.get("t1")!.data.every((v) => v >= 0), "t1 is after a ReLU");
      await assert.rejects(tap.run(input, [1, 3, 16, 21]), /does not match shape/);
      await assert.rejects(tap.run(new Float32Array(16 * 20), [1, 1, 16, 20]), /has 1 channels; model\.onnx expects 3/);
      await tap.dispose();
      await assert.rejects(tap.run(input, dims), /disposed/);
    });

    test("NHWC model", async () => {
      const tap = await createTapSession(ort, fx.buildModel(models.nhwcModel()), ["features", "conv"]);
      const out = await tap.run(new Float32Array(8 * 6 * 3).fill(0.5), [1, 8, 6, 3]);
      assert.deepEqual(out.get("features")!.dims, [1, 4, 3, 4]);
      assert.deepEqual(out.get("conv")!.dims, [1, 4, 4, 3]);
      await tap.dispose();
    });
  });
}

// Type-level check (never run): session options are inferred from the runtime passed in.
export function sessionOptionsAreTyped(bytes: Uint8Array) {
  void createTapSession(ortNode, bytes, ["t1"], {graphOptimizationLevel: "all", intraOpNumThreads: 1});
  void createTapSession(ortWeb, bytes, ["t1"], {executionProviders: ["wasm"]});
  // @ts-expect-error: not a graph optimization level
  void createTapSession(ortWeb, bytes, ["t1"], {graphOptimizationLevel: "fastest"});
}

describe("tapModel", () => {
  test("outputs exactly the chosen layers, pruned of what they do not need", () => {
    const model = decodeModel(tapModel(fx.buildModel(models.nchwSymbolic()), ["t1"]));
    const graph = graphOf(model);
    assert.deepEqual(graph.output.map((o) => o.name), ["t1"]);
    assert.deepEqual(graph.node.map((n) => n.opType), ["Conv", "Relu"]);
    assert.deepEqual(graph.initializer.map((t) => t.name), ["w0", "b0"]);
    assert.deepEqual(graph.input.map((i) => i.name), ["input"]);
  });

  test("keeps the order asked for, and the element type declared for an output", () => {
    const graph = graphOf(decodeModel(tapModel(fx.buildModel(models.nchwSymbolic()), ["t4", "t0", "t4"])));
    assert.deepEqual(graph.output.map((o) => o.name), ["t4", "t0"]);
    assert.equal(graph.output[0]!.type?.tensorType?.elemType, 1);
    assert.equal(graph.output[0]!.type?.tensorType?.shape ?? null, null);
    assert.equal(graph.node.length, 5);
  });

  test("rejects names that are not node outputs", () => {
    assert.throws(() => tapModel(fx.buildModel(models.nchwSymbolic()), ["mixed4"]), /not a node output of this model: mixed4 \(node outputs include t0, t1, t2, t3, t4\)/);
    assert.throws(() => tapModel(fx.buildModel(models.nchwSymbolic()), []), /no layer outputs chosen/);
  });
});
