// src/core/embedImage.ts: one image through a tap session to cell-major layers (the path shared by the
// build and the uploads worker), and the checks and messages for uploads.
import assert from "node:assert/strict";
import {test} from "node:test";
import * as ort from "onnxruntime-node";
import {decodeImage} from "../../data-loaders/decodeImage.js";
import {loadModel} from "../../data-loaders/models/catalogue.js";
import {toCellMajor} from "../../src/core/cellMajor.js";
import {checkUploadFile, checkUploadPixels, decodeFailure, embedPixels, MAX_UPLOAD_PIXELS, resolveLayers} from "../../src/core/embedImage.js";
import {createTapSession, type TapSession} from "../../src/core/layerTap.js";
import type {LayerSpec, ModelSpec} from "../../src/core/modelSpec.js";
import type {Pixels} from "../../src/core/pixels.js";
import {toInputTensor} from "../../src/core/preprocess.js";
import {cropResize} from "../../src/core/resize.js";
import {planInput} from "../../src/core/sizePolicy.js";

const layer = (name: string, channels: number, layout: "NCHW" | "NHWC" = "NCHW"): LayerSpec =>
  ({name, output: `${name}_out`, channels, stride: 2, receptiveField: 3, offset: 1, finetuned: false, layout});

const spec: ModelSpec = {
  id: "toy",
  title: "toy",
  source: "test",
  input: {name: "input", layout: "NCHW", channelOrder: "RGB", normalization: {kind: "range", min: -1, max: 1}, minSize: 4, fixedSize: null},
  sizePolicy: {kind: "square", size: 8},
  defaultLayer: "a",
  layers: [layer("a", 2), layer("b", 3, "NHWC")]
};

/** A session that returns, per output, values that encode their index, and remembers its input. */
function fakeSession(seen: {dims?: readonly number[]; data?: Float32Array}): TapSession {
  return {
    input: {name: "input", layout: "NCHW", channels: 3, height: null, width: null, batch: null} as TapSession["input"],
    outputs: ["a_out", "b_out"],
    async run(data, dims) {
      seen.dims = dims;
      seen.data = data;
      return new Map([
        ["a_out", {data: Float32Array.from({length: 2 * 2 * 3}, (_, i) => i), dims: [1, 2, 2, 3]}],
        ["b_out", {data: Float32Array.from({length: 1 * 1 * 2 * 3}, (_, i) => 100 + i), dims: [1, 1, 2, 3]}]
      ]);
    },
    async dispose() {}
  };
}

function grey(width: number, height: number, value: number): Pixels {
  return {data: new Uint8Array(width * height * 4).map((_, i) => (i % 4 === 3 ? 255 : value)), width, height, channels: 4};
}

test("embedPixels sizes the image by the policy, normalises it and returns each layer cell-major", async () => {
  const seen: {dims?: readonly number[]; data?: Float32Array} = {};
  let clock = 0;
  const result = await embedPixels(fakeSession(seen), grey(20, 10, 255), spec, spec.sizePolicy, resolveLayers(spec, ["a", "b_out"]), () => (clock += 5));
  assert.deepEqual(seen.dims, [1, 3, 8, 8]);
  assert.ok(seen.data!.every((v) => Math.abs(v - 1) < 1e-6), "white is +1 in [-1, 1]");
  assert.deepEqual([result.width, result.height, result.rgb.width], [8, 8, 8]);
  // a: NCHW [1, 2, 2, 3] → 6 cells of 2 channels; b: NHWC [1, 1, 2, 3] → 2 cells of 3 channels, as is.
  assert.deepEqual(result.layers.a.grid, {width: 3, height: 2});
  assert.equal(result.layers.a.channels, 2);
  assert.deepEqual([...result.layers.a.values], [0, 6, 1, 7, 2, 8, 3, 9, 4, 10, 5, 11]);
  assert.deepEqual(result.layers.b.grid, {width: 2, height: 1});
  assert.deepEqual([...result.layers.b.values], [100, 101, 102, 103, 104, 105]);
  assert.deepEqual(result.ms, {preprocess: 5, inference: 5, postprocess: 5});
});

test("embedPixels names a layer the session does not compute, and a channel count that disagrees", async () => {
  const missing = {...layer("c", 2), output: "c_out"};
  await assert.rejects(embedPixels(fakeSession({}), grey(8, 8, 0), spec, spec.sizePolicy, [missing]), /session does not compute layer c \(output c_out\); it taps a_out, b_out/);
  await assert.rejects(embedPixels(fakeSession({}), grey(8, 8, 0), spec, spec.sizePolicy, [layer("a", 5)]), /layer a gave 2 channels, the model description says 5/);
});

test("resolveLayers takes layer or output names, keeps order, drops repeats and names what the model offers", () => {
  assert.deepEqual(resolveLayers(spec, ["b", "a_out", "b_out"]).map((l) => l.name), ["b", "a"]);
  assert.throws(() => resolveLayers(spec, ["mixed4"]), /^Error: invalid layer: mixed4 \(model toy offers a, b\)$/);
  assert.throws(() => resolveLayers(spec, []), /no layers chosen \(model toy offers a, b\)/);
});

test("upload checks: empty files, other types, the pixel limit", () => {
  assert.throws(() => checkUploadFile("a.jpg", "image/jpeg", 0), /^Error: "a\.jpg" is a zero-byte file: choose the image again, or re-export it$/);
  assert.throws(() => checkUploadFile(undefined, "image/svg+xml", 10), /^Error: the image is an SVG drawing/);
  checkUploadFile("a.heic", "image/heic", 10); // the browser decides
  checkUploadFile("noext", "", 10); // unknown type: try to decode
  assert.equal(MAX_UPLOAD_PIXELS, 50_000_000);
  checkUploadPixels("big.png", 10000, 5000);
  assert.throws(() => checkUploadPixels("big.png", 10000, 5001), /^Error: "big\.png" is too large: 10000×5001 is 50\.01 megapixels, the limit is 50 megapixels; scale it down and try again$/);
  assert.throws(() => checkUploadPixels("big.png", 9000, 7000), /9000×7000 is 63 megapixels, the limit is 50 megapixels/);
  assert.throws(() => checkUploadPixels("p.png", 451, 300, 100_000), /451×300 is 0\.135 megapixels, the limit is 0\.1 megapixels/);
  assert.throws(() => checkUploadPixels("z.png", 0, 10), /"z\.png" has no pixels \(0×10\): choose the image again, or re-export it/);
  assert.equal(decodeFailure("x.png", "image/png", "The source image could not be decoded."), `could not decode "x.png" (type image/png) as an image: The source image could not be decoded. Use a JPEG, PNG, WebP, GIF, AVIF or BMP file`);
});

test("embedPixels with onnxruntime-node equals the build loader's steps on a real photo", async () => {
  const {bytes, spec: inception} = await loadModel("inception_v3");
  const pixels = await decodeImage("datasets/animals/libvips-owl.jpg");
  const policy = {kind: "square", size: 107} as const;
  const layers = resolveLayers(inception, ["mixed2", "mixed4"]);
  const session = await createTapSession(ort, bytes, layers.map((l) => l.output), {intraOpNumThreads: 1});
  try {
    const result = await embedPixels(session, pixels, inception, policy, layers);
    // The loader's steps, written out (data-loaders/snapshot.ts).
    const plan = planInput(policy, pixels.width, pixels.height);
    const input = toInputTensor(cropResize(pixels, plan.crop, plan.width, plan.height), inception.input);
    const outputs = await session.run(input.data, input.dims);
    for (const l of layers) {
      const t = outputs.get(l.output)!;
      const expected = toCellMajor(t.data, t.dims, l.layout);
      assert.deepEqual(result.layers[l.name].grid, {width: expected.width, height: expected.height});
      assert.deepEqual(result.layers[l.name].values, expected.values);
    }
  } finally {
    await session.dispose();
  }
});
