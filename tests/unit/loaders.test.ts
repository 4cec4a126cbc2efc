// The loader entries as Framework runs them: a failure exits non-zero, names the file and the problem,
// and writes nothing to stdout (Framework then keeps no output).
import assert from "node:assert/strict";
import {spawnSync} from "node:child_process";
import {copyFileSync, mkdirSync, mkdtempSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {test} from "node:test";
import {readLayerTable} from "../../src/core/layerTable.js";
import {readImageTable} from "../../src/core/imageTable.js";

const root = mkdtempSync(join(tmpdir(), "datasets-"));
const photo = "datasets/animals/gnome-cat.jpg";

function makeDataset(name: string, config: object | string, files: Record<string, string | Uint8Array> = {}) {
  const dir = join(root, name);
  mkdirSync(dir, {recursive: true});
  writeFileSync(join(dir, "dataset.json"), typeof config === "string" ? config : JSON.stringify(config));
  for (const [file, content] of Object.entries(files)) {
    if (content === "copy") copyFileSync(photo, join(dir, file));
    else writeFileSync(join(dir, file), content);
  }
}

function config(name: string, images: string[], extra: object = {}) {
  return {name, title: name, description: "test", model: "inception_v3", layers: ["mixed4"], sizePolicy: {kind: "square", size: 75},
    images: images.map((file) => ({file, credit: "test", licence: "CC0"})), ...extra};
}

function run(entry: "images" | "layer", args: string[]) {
  const file = entry === "images" ? "src/data/[dataset]/images.arrow.ts" : "src/data/[dataset]/[layer].arrow.ts";
  const r = spawnSync(process.execPath, ["--import", "tsx", file, ...args], {env: {...process.env, DATASETS_DIR: root, ACTIVATION_CACHE_DIR: join(root, ".cache")}, maxBuffer: 1 << 28});
  return {status: r.status, stdout: r.stdout, stderr: r.stderr.toString()};
}

makeDataset("good", config("good", ["cat.jpg", "cat2.jpg"]), {"cat.jpg": "copy", "cat2.jpg": "copy"});
makeDataset("missing", config("missing", ["cat.jpg", "gone.jpg"]), {"cat.jpg": "copy"});
makeDataset("broken", config("broken", ["cat.jpg", "broken.jpg"]), {"cat.jpg": "copy", "broken.jpg": "this is not a JPEG"});
// Images are decoded a few at a time; of several bad ones, the first listed is the one reported.
makeDataset("broken2", config("broken2", ["cat.jpg", "bad-first.jpg", "cat2.jpg", "bad-second.png"]), {"cat.jpg": "copy", "bad-first.jpg": "not a JPEG", "cat2.jpg": "copy", "bad-second.png": "not a PNG"});
makeDataset("badjson", "{\"name\": \"badjson\",");
// A fork on the bundled MobileNetV2 at a residual sum (signed values) and a ReLU (non-negative).
makeDataset("mobile", config("mobile", ["cat.jpg", "cat2.jpg"], {model: "mobilenet_v2", layers: ["block_5_add", "out_relu"], sizePolicy: {kind: "square", size: 96}}), {"cat.jpg": "copy", "cat2.jpg": "copy"});
makeDataset("nomodel", config("nomodel", ["cat.jpg"], {model: "resnet9000"}), {"cat.jpg": "copy"});
makeDataset("nolayer", config("nolayer", ["cat.jpg"], {layers: ["mixed99"]}), {"cat.jpg": "copy"});

test("the layer loader writes a layer table for a good dataset", () => {
  const r = run("layer", ["--dataset=good", "--layer=mixed4"]);
  assert.equal(r.status, 0, r.stderr);
  const data = readLayerTable(r.stdout);
  assert.equal(data.info.name, "mixed4");
  assert.equal(data.info.channels, 768);
  assert.deepEqual(data.info.grids.length, 2);
  // Same photo twice: same codes.
  const n = data.cellStart[1] * 768;
  assert.deepEqual(data.codes.subarray(0, n), data.codes.subarray(n, 2 * n));
});

test("a dataset on MobileNetV2 builds its signed layer block_5_add (signed codes, cosines from −1) beside its ReLU layer", async () => {
  const r = run("layer", ["--dataset=mobile", "--layer=block_5_add"]);
  assert.equal(r.status, 0, r.stderr);
  const data = readLayerTable(r.stdout);
  assert.equal(data.info.signed, true);
  assert.ok(data.codes instanceof Int8Array && data.scales);
  assert.deepEqual(data.info.grids, [{width: 12, height: 12}, {width: 12, height: 12}]);
  // The similarity worker installs the file as it is: cosines span below zero, a cell with itself is 1.
  const {similarityApi} = await import("../../workers/similarity/api.js");
  const summary = await similarityApi.load("mobile", `data:application/vnd.apache.arrow.file;base64,${r.stdout.toString("base64")}`);
  assert.equal(summary.info.signed, true);
  const out = similarityApi.compute("mobile", summary.version, [30], "cosine", new Float32Array(summary.cells)).values;
  assert.ok(Math.abs(out[30]! - 1) < 1e-6 && Math.min(...out) < -0.2, `cosines ${Math.min(...out)} … ${out[30]}`);
  const relu = run("layer", ["--dataset=mobile", "--layer=out_relu"]);
  assert.equal(relu.status, 0, relu.stderr);
  assert.equal(readLayerTable(relu.stdout).info.signed, undefined);
});

test("the images loader writes the image table", () => {
  const r = run("images", ["--dataset=good"]);
  assert.equal(r.status, 0, r.stderr);
  const set = readImageTable(r.stdout);
  assert.deepEqual(set.images.map((d) => [d.id, d.width, d.height, d.originalWidth]), [["cat", 75, 75, 512], ["cat2", 75, 75, 512]]);
  assert.deepEqual([...set.images[0].png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
});

for (const [what, entry, args, message] of [
  ["a missing image", "layer", ["--dataset=missing", "--layer=mixed4"], /image gone\.jpg is listed but .*missing\/gone\.jpg does not exist/],
  ["an undecodable image", "images", ["--dataset=broken"], /could not decode image .*broken\/broken\.jpg/],
  ["an undecodable image (layer)", "layer", ["--dataset=broken", "--layer=mixed4"], /could not decode image .*broken\/broken\.jpg/],
  ["two undecodable images", "layer", ["--dataset=broken2", "--layer=mixed4"], /^error: could not decode image [^\n]*broken2\/bad-first\.jpg[^\n]*\n$/],
  ["a layer the dataset does not list", "layer", ["--dataset=good", "--layer=mixed2"], /invalid layer: mixed2 \(dataset good lists mixed4\)/],
  ["a layer the model does not offer", "layer", ["--dataset=nolayer", "--layer=mixed99"], /invalid layer: mixed99 \(model inception_v3 offers mixed0/],
  ["a config that is not JSON", "images", ["--dataset=badjson"], /badjson\/dataset\.json: not valid JSON/],
  ["an unknown model", "images", ["--dataset=nomodel"], /unknown model resnet9000/],
  ["an unknown dataset", "images", ["--dataset=nothere"], /unknown dataset nothere/],
  ["a missing parameter", "layer", ["--dataset=good"], /missing parameter --layer/]
] as const) {
  test(`a loader given ${what} exits non-zero, names the problem, writes nothing`, () => {
    const r = run(entry, [...args]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, message);
    assert.equal(r.stdout.length, 0);
  });
}

test("the model description loader records each layer's grid, channels, stride and receptive field", () => {
  const r = spawnSync(process.execPath, ["--import", "tsx", "src/data/models/[model].json.ts", "--model=inception_v3"]);
  assert.equal(r.status, 0, r.stderr.toString());
  const spec = JSON.parse(r.stdout.toString());
  const layer = (name: string) => spec.layers.find((l: {name: string}) => l.name === name);
  assert.deepEqual(layer("mixed1").grid, {width: 35, height: 35});
  assert.deepEqual([layer("mixed4").grid, layer("mixed4").channels, layer("mixed4").stride], [{width: 17, height: 17}, 768, 16]);
  assert.deepEqual(layer("mixed8").grid, {width: 8, height: 8});
  assert.equal(layer("mixed5").finetuned, false);
  assert.equal(layer("mixed6").finetuned, true);
  assert.deepEqual(spec.input.normalization, {kind: "range", min: -1, max: 1});
  const bad = spawnSync(process.execPath, ["--import", "tsx", "src/data/models/[model].json.ts", "--model=vgg"]);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr.toString(), /unknown model vgg \(available: inception_v3, mobilenet_v2\)/);
  assert.equal(bad.stdout.length, 0);
});
