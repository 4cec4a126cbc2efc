// src/core/embedImage.ts: one image through a tap session to cell-major layers (the path shared by the
// build loaders, the uploads worker, the bench and the tests), checked against the real loader entries, and
// the checks and messages for uploads.
import assert from "node:assert/strict";
import {spawnSync} from "node:child_process";
import {copyFileSync, mkdirSync, mkdtempSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {test} from "node:test";
import * as ort from "onnxruntime-node";
import sharp from "sharp";
import {decodeImage} from "../../data-loaders/decodeImage.js";
import {loadModel} from "../../data-loaders/models/catalogue.js";
import {toCellMajor} from "../../src/core/cellMajor.js";
import {checkUploadFile, checkUploadPixels, decodeFailure, embedPixels, MAX_UPLOAD_PIXELS, resolveLayers} from "../../src/core/embedImage.js";
import {createTapSession, type TapSession} from "../../src/core/layerTap.js";
import type {LayerSpec, ModelSpec} from "../../src/core/modelSpec.js";
import {rgbToBytes, type Pixels, type RgbFloat} from "../../src/core/pixels.js";
import {quantizeCells} from "../../src/core/quantize.js";
import {readImageTable} from "../../src/core/imageTable.js";
import {readLayerTable} from "../../src/core/layerTable.js";
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
  assert.equal(decodeFailure("x.png", "image/png", "The source image could not be decoded."), `could not decode "x.png" (type image/png) as an image: The source image could not be decoded. Use a JPEG, PNG, WebP, GIF, AVIF, BMP or TIFF file`);
});

test("the layer and images loaders, run as Framework runs them, give embedPixels' activations and input exactly", async () => {
  // A one-image dataset through the real loader entries (separate processes, fresh cache), against the core
  // function called here on the same decoded file.
  const root = mkdtempSync(join(tmpdir(), "embed-loader-"));
  const cacheDir = join(root, "cache");
  const policy = {kind: "square", size: 107} as const;
  mkdirSync(join(root, "owl"));
  copyFileSync("datasets/animals/libvips-owl.jpg", join(root, "owl", "owl.jpg"));
  writeFileSync(join(root, "owl", "dataset.json"), JSON.stringify({name: "owl", title: "owl", description: "test", model: "inception_v3", layers: ["mixed2", "mixed4"], sizePolicy: policy, images: [{file: "owl.jpg", credit: "test", licence: "CC0"}]}));
  const loader = (file: string, args: string[]) => {
    const r = spawnSync(process.execPath, ["--import", "tsx", file, ...args], {env: {...process.env, DATASETS_DIR: root, ACTIVATION_CACHE_DIR: cacheDir}, maxBuffer: 1 << 28});
    assert.equal(r.status, 0, r.stderr.toString());
    return r.stdout;
  };
  const stored = readLayerTable(loader("src/data/[dataset]/[layer].arrow.ts", ["--dataset=owl", "--layer=mixed4"]));
  const table = readImageTable(loader("src/data/[dataset]/images.arrow.ts", ["--dataset=owl"]));

  const {bytes, spec: inception} = await loadModel("inception_v3");
  const pixels = await decodeImage("datasets/animals/libvips-owl.jpg");
  const layers = resolveLayers(inception, ["mixed2", "mixed4"]);
  const session = await createTapSession(ort, bytes, layers.map((l) => l.output), {intraOpNumThreads: 2});
  try {
    const result = await embedPixels(session, pixels, inception, policy, layers);
    const mixed4 = result.layers.mixed4;
    assert.deepEqual(stored.info.grids, [mixed4.grid]);
    const expected = quantizeCells(mixed4.values, mixed4.channels);
    assert.equal(stored.info.step, expected.step);
    assert.deepEqual(stored.norms, expected.norms);
    assert.deepEqual(stored.codes, expected.codes);
    // The stored picture is the model input, byte for byte (decoded by sharp, not by our code).
    const {data, info} = await sharp(table.images[0].png).raw().toBuffer({resolveWithObject: true});
    assert.deepEqual([info.width, info.height, info.channels], [107, 107, 3]);
    assert.ok(Buffer.from(result.rgb.data).equals(data));

    // The comparison has teeth: one preprocessing step changed (the input left unrounded, as before the
    // 8-bit step; or a 1-pixel shift of the crop) changes the codes it compares.
    const plan = planInput(policy, pixels.width, pixels.height);
    const unrounded = toInputTensor(cropResize(pixels, plan.crop, plan.width, plan.height), inception.input);
    const shifted = toInputTensor(rgbToBytesImage(cropResize(pixels, {...plan.crop, left: plan.crop.left + 1}, plan.width, plan.height)), inception.input);
    for (const input of [unrounded, shifted]) {
      const t = (await session.run(input.data, input.dims)).get(layers[1].output)!;
      const other = quantizeCells(toCellMajor(t.data, t.dims, layers[1].layout as "NCHW" | "NHWC").values, mixed4.channels);
      assert.notDeepEqual(other.codes, stored.codes);
    }
  } finally {
    await session.dispose();
  }
});

const rgbToBytesImage = (rgb: RgbFloat) => ({...rgb, data: rgbToBytes(rgb)});
