// A user's own model: the ModelSpec built from inspection + options, the default layers, and the whole
// path (embedPixels on a tap session) on the test models, checked against a direct onnxruntime run.
import assert from "node:assert/strict";
import {describe, test} from "node:test";
import * as ort from "onnxruntime-node";
import {embedPixels} from "../../src/core/embedImage.js";
import {createTapSession, listCandidateLayers, type CandidateLayer} from "../../src/core/layerTap.js";
import {decodeModel, describeImageInput, type ImageInput} from "../../src/core/onnxGraph.js";
import {quantizeCells} from "../../src/core/quantize.js";
import {defaultLayers, inputSizeFor, modelDefaults, surelyNonNegative, userLayerInfo, userModelSpec} from "../../src/core/userModel.js";
import * as fx from "../fixtures/makeOnnx.js";
import * as models from "../fixtures/testModels.js";

const symbolic: ImageInput = {name: "input", layout: "NCHW", channels: 3, batch: null, height: null, width: null};
const fixed: ImageInput = {name: "input", layout: "NCHW", channels: 3, batch: 1, height: 32, width: 32};

function layer(output: string, opType: string, extra: Partial<CandidateLayer> = {}): CandidateLayer {
  return {output, node: output, opType, channels: 8, height: 10, width: 10, layout: "NCHW", receptiveField: null, ...extra};
}

/** A test image: `width` × `height` RGBA with a smooth pattern. */
function pattern(width: number, height: number) {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; ++y) for (let x = 0; x < width; ++x) {
    const i = (y * width + x) * 4;
    data.set([(x * 255) / width, (y * 255) / height, ((x + y) * 97) % 256, 255], i);
  }
  return {data, width, height, channels: 4 as const};
}

describe("userModel", () => {
  test("inputSizeFor: the model's fixed size wins; a symbolic size takes the choice, within limits", () => {
    assert.deepEqual(inputSizeFor(fixed, 100), {width: 32, height: 32, fixed: true});
    assert.deepEqual(inputSizeFor(symbolic), {width: 224, height: 224, fixed: false});
    assert.deepEqual(inputSizeFor(symbolic, 160), {width: 160, height: 160, fixed: false});
    assert.throws(() => inputSizeFor(symbolic, 8), /from 16 to 1024, got 8/);
    assert.throws(() => inputSizeFor(symbolic, 100.5), /whole number/);
  });

  test("defaultLayers: the middle ReLU-like layer and the last one; else the middle of all", () => {
    const layers = [layer("c0", "Conv"), layer("r0", "Relu"), layer("c1", "Conv"), layer("r1", "Relu"), layer("p", "MaxPool"), layer("r2", "Relu")];
    assert.deepEqual(defaultLayers(layers), ["r1", "r2"]);
    assert.deepEqual(defaultLayers([layer("c0", "Conv"), layer("c1", "Conv"), layer("c2", "Conv")]), ["c1", "c2"]);
    assert.deepEqual(defaultLayers([layer("r", "Relu")]), ["r"]);
    assert.deepEqual(defaultLayers([]), []);
    assert.equal(surelyNonNegative(layer("x", "Conv")), false);
  });

  test("userModelSpec: input, preprocessing, size policy and layers", () => {
    const field = {stride: 4, receptiveField: 7, offset: 2, x: {stride: 4, receptiveField: 7, offset: 2}, y: {stride: 4, receptiveField: 7, offset: 2}, square: true};
    const layers = [layer("t1", "Relu", {height: 224, width: 224}), layer("t4", "MaxPool", {channels: 16, height: 55, width: 55, receptiveField: field})];
    const spec = userModelSpec(symbolic, layers, {name: "net.onnx", preprocessing: "imagenet", channelOrder: "BGR", inputSize: 224, outputs: ["t4", "t1"]});
    assert.equal(spec.id, "user:net.onnx");
    assert.deepEqual(spec.input, {name: "input", layout: "NCHW", channelOrder: "BGR", normalization: {kind: "meanStd", mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]}, minSize: 1, fixedSize: null});
    assert.deepEqual(spec.sizePolicy, {kind: "square", size: 224});
    assert.deepEqual(spec.layers.map((l) => [l.name, l.output, l.channels, l.stride, l.receptiveField, l.offset, l.layout]), [
      ["t4", "t4", 16, 4, 7, 2, "NCHW"],
      // No receptive field from the graph: the stand-in is one cell (stride = 224 / 224).
      ["t1", "t1", 8, 1, 1, 0, "NCHW"]
    ]);
    assert.equal(spec.defaultLayer, "t4");
    assert.deepEqual(userLayerInfo(spec, spec.layers[0]!).model, "user:net.onnx");

    const f = userModelSpec(fixed, [layer("a", "Relu")], {name: "f.onnx", preprocessing: "minusOneOne", channelOrder: "RGB", inputSize: 500, outputs: ["a"]});
    assert.deepEqual(f.sizePolicy, {kind: "fixed", width: 32, height: 32});
    assert.deepEqual(f.input.fixedSize, {width: 32, height: 32});
    assert.deepEqual(f.input.normalization, {kind: "range", min: -1, max: 1});
    assert.deepEqual(userModelSpec(fixed, [layer("a", "Relu")], {name: "f", preprocessing: "zeroOne", channelOrder: "RGB", inputSize: 1, outputs: ["a"]}).input.normalization, {kind: "range", min: 0, max: 1});

    assert.throws(() => userModelSpec(symbolic, layers, {name: "n", preprocessing: "imagenet", channelOrder: "RGB", inputSize: 224, outputs: []}), /no layers chosen/);
    assert.throws(() => userModelSpec(symbolic, layers, {name: "n", preprocessing: "imagenet", channelOrder: "RGB", inputSize: 224, outputs: ["zz"]}), /invalid layer: zz \(the model offers t1, t4\)/);
    // A greyscale model is fed grey pictures; other channel counts are refused.
    assert.equal(userModelSpec({...symbolic, channels: 1}, layers, {name: "n", preprocessing: "imagenet", channelOrder: "RGB", inputSize: 224, outputs: ["t1"]}).input.channels, 1);
    assert.throws(() => userModelSpec({...symbolic, channels: 4}, layers, {name: "n", preprocessing: "imagenet", channelOrder: "RGB", inputSize: 224, outputs: ["t1"]}), /4 channels; this page feeds colour \(3 channels\) or grey \(1 channel\) images/);
  });

  for (const [title, build, outputs, size] of [
    ["NCHW, symbolic size", models.nchwSymbolic, ["t3", "t4"], 64],
    ["NHWC", models.nhwcModel, ["features"], 48],
    ["fixed 32×32", models.fixed32, ["t1"], 0]
  ] as const) {
    test(`${title}: embedPixels with the built spec gives the model's own output, cell-major`, async () => {
      const bytes = fx.buildModel(build());
      const input = describeImageInput(decodeModel(bytes));
      const sizeNow = inputSizeFor(input, size || 224);
      const layers = await listCandidateLayers(ort, bytes, {size: sizeNow});
      const spec = userModelSpec(input, layers, {name: "m.onnx", preprocessing: "zeroOne", channelOrder: "RGB", inputSize: size || 224, outputs});
      const session = await createTapSession(ort, bytes, outputs);
      try {
        const result = await embedPixels(session, pattern(80, 60), spec, spec.sizePolicy, spec.layers);
        assert.deepEqual([result.width, result.height], [sizeNow.width, sizeNow.height]);
        // The same input by hand: centre crop (or resize) is embedPixels' business; compare against the
        // model run on the tensor it made, re-derived from the returned RGB.
        const rgb = result.rgb;
        const plane = rgb.width * rgb.height;
        const nchw = input.layout === "NCHW";
        const data = new Float32Array(plane * 3);
        for (let p = 0; p < plane; ++p) for (let c = 0; c < 3; ++c) data[nchw ? c * plane + p : p * 3 + c] = rgb.data[p * 3 + c] / 255;
        const dims = nchw ? [1, 3, rgb.height, rgb.width] : [1, rgb.height, rgb.width, 3];
        const direct = await session.run(data, dims);
        for (const l of spec.layers) {
          const cells = result.layers[l.name]!;
          const candidate = layers.find((c) => c.output === l.output)!;
          assert.deepEqual(cells.grid, {width: candidate.width, height: candidate.height}, `${l.name} grid at the chosen size`);
          const t = direct.get(l.output)!;
          const at = (row: number, col: number, ch: number) => (l.layout === "NCHW" ? t.data[(ch * cells.grid.height + row) * cells.grid.width + col] : t.data[(row * cells.grid.width + col) * l.channels + ch]);
          for (const [row, col, ch] of [[0, 0, 0], [cells.grid.height - 1, 1, l.channels - 1], [2, cells.grid.width - 1, 1]] as const) {
            assert.ok(Math.abs(cells.values[(row * cells.grid.width + col) * l.channels + ch]! - at(row, col, ch)!) < 1e-6);
          }
          // ReLU outputs quantise as one unsigned table.
          const q = quantizeCells(cells.values, l.channels);
          assert.ok(q.codes instanceof Uint8Array && q.step > 0 && !q.scales);
        }
      } finally {
        await session.dispose();
      }
    });
  }
});

test("modelDefaults: from the input shape, then the file's metadata, then the page's guesses, each said", () => {
  const input = {name: "x", layout: "NCHW" as const, channels: 3, batch: null, height: null, width: null};
  const layer = (output: string, opType: string) => ({output, node: output, opType, channels: 4, height: 8, width: 8, layout: "NCHW" as const, receptiveField: null});
  const layers = [layer("conv1", "Conv"), layer("relu1", "Relu"), layer("mixed2", "Concat"), layer("relu2", "Relu"), layer("mixed4", "Concat")];
  const site = modelDefaults(input, layers, {normalization: {kind: "range", min: -1, max: 1}, channelOrder: "RGB", size: 299, layers: ["mixed2", "mixed4", "gone"]});
  assert.deepEqual([site.preprocessing.value, site.channelOrder.value, site.size.value, site.layers.value], ["minusOneOne", "RGB", 299, ["mixed2", "mixed4"]]);
  assert.deepEqual([site.preprocessing.from, site.size.from, site.layers.from], ["from the file's metadata", "from the file's metadata", "named in the file's metadata"]);
  const odd = modelDefaults(input, layers, {normalization: {kind: "meanStd", mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5]}});
  assert.equal(odd.preprocessing.value, "file");
  const bare = modelDefaults(input, layers, {producer: "pytorch"});
  assert.deepEqual([bare.preprocessing.value, bare.size.value, bare.layers.value], ["imagenet", 224, ["relu1", "relu2"]]);
  assert.match(bare.preprocessing.from, /^a guess: the file does not say, and PyTorch exports/);
  assert.match(bare.size.from, /^the page's default/);
  const fixed = modelDefaults({...input, height: 48, width: 48}, layers, {size: 299});
  assert.deepEqual([fixed.size.value, fixed.size.fixed, fixed.size.from], [48, true, "fixed by the model's input shape"]);
});
