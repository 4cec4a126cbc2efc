// A dataset.json that names its own ONNX model (a PyTorch-style export built here, tests/fixtures): the config
// is checked, the loaders snapshot it like a bundled model, and a bad model or config fails naming the file
// and the problem. The layer table is checked against onnxruntime-node run directly on the stored pixels, with
// the preprocessing written out here (not the project's preprocess.ts).
import assert from "node:assert/strict";
import {spawnSync} from "node:child_process";
import {copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {test} from "node:test";
import {datasetFingerprint, modelFingerprint} from "../../data-loaders/datasetCache.js";
import {parseDatasetConfig} from "../../src/core/datasetConfig.js";
import {readImageTable} from "../../src/core/imageTable.js";
import {readLayerTable} from "../../src/core/layerTable.js";
import {modelHints} from "../../src/core/ownModel.js";
import {buildModel, buildModelProto} from "../fixtures/makeOnnx.js";
import {externalDataModel, tinyVit, TORCH_LIKE_RELUS, torchLikeCnn} from "../fixtures/testModels.js";
import {cosineOf, referenceCells} from "../fixtures/torchReference.js";
import onnxProto from "onnx-proto";

const root = mkdtempSync(join(tmpdir(), "own-model-"));
const photos = ["gnome-cat.jpg", "darknet-dog.jpg", "libvips-owl.jpg", "darknet-eagle.jpg"];
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

function ownConfig(name: string, model: object | string, extra: object = {}) {
  return {
    name, title: `Tiny ${name}`, description: "test", model,
    layers: [{name: "relu1", output: TORCH_LIKE_RELUS[0]}, {name: "relu3", output: TORCH_LIKE_RELUS[2]}],
    sizePolicy: {kind: "square", size: 64},
    images: photos.map((file) => ({file, credit: "test", licence: "CC0"})), ...extra
  };
}

const goodModel = {file: "tiny.onnx", title: "Tiny CNN (tests)", source: "built by tests/fixtures/testModels.ts", preprocessing: {mean: MEAN, std: STD}};

function makeDataset(name: string, config: object, model: Uint8Array | null = buildModel(torchLikeCnn())) {
  const dir = join(root, name);
  rmSync(dir, {recursive: true, force: true});
  mkdirSync(dir, {recursive: true});
  writeFileSync(join(dir, "dataset.json"), JSON.stringify(config));
  for (const photo of photos) copyFileSync(join("datasets", "animals", photo), join(dir, photo));
  if (model) writeFileSync(join(dir, "tiny.onnx"), model);
  return dir;
}

function run(entry: string, args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", entry, ...args], {env: {...process.env, DATASETS_DIR: root, ACTIVATION_CACHE_DIR: join(root, ".cache")}, maxBuffer: 1 << 28});
  return {status: r.status, stdout: r.stdout, stderr: r.stderr.toString()};
}
const layerLoader = (dataset: string, layer: string) => run("src/data/[dataset]/[layer].arrow.ts", [`--dataset=${dataset}`, `--layer=${layer}`]);
const imagesLoader = (dataset: string) => run("src/data/[dataset]/images.arrow.ts", [`--dataset=${dataset}`]);

test("dataset.json: a model file with preprocessing, layout and layers by output name", () => {
  const where = "datasets/tiny/dataset.json";
  const parse = (o: object) => parseDatasetConfig(JSON.stringify(o), where);
  const config = parse(ownConfig("tiny", {...goodModel, channelOrder: "BGR", layout: "NCHW"}));
  assert.equal(config.model, "tiny");
  assert.deepEqual(config.layers, ["relu1", "relu3"]);
  assert.deepEqual(config.ownModel, {file: "tiny.onnx", id: "tiny", title: "Tiny CNN (tests)", source: "built by tests/fixtures/testModels.ts", normalization: {kind: "meanStd", mean: MEAN, std: STD}, channelOrder: "BGR", layout: "NCHW", outputs: {relu1: TORCH_LIKE_RELUS[0], relu3: TORCH_LIKE_RELUS[2]}});
  assert.deepEqual(parse(ownConfig("tiny", "../../models/My Net.onnx")).ownModel?.id, "my-net");
  assert.deepEqual(parse(ownConfig("tiny", {file: "a.onnx", preprocessing: {range: [-1, 1]}})).ownModel?.normalization, {kind: "range", min: -1, max: 1});
  // A bundled model keeps the plain form.
  assert.equal(parse({...ownConfig("tiny", "inception_v3"), layers: ["mixed4"]}).ownModel, undefined);
  const bad: Array<[object, RegExp]> = [
    [{...goodModel, file: "tiny.pt"}, /"model.file" must be the path of an .onnx file/],
    [{...goodModel, preprocessing: {mean: [0.5, 0.5]}}, /"model.preprocessing".mean must be 3 numbers/],
    [{...goodModel, preprocessing: "imagenet"}, /"model.preprocessing" must be \{"mean"/],
    [{...goodModel, channelOrder: "GRB"}, /"model.channelOrder" must be "RGB" or "BGR"/],
    [{...goodModel, layout: "CHW"}, /"model.layout" must be "NCHW" or "NHWC"/],
    [{...goodModel, weights: "x"}, /"model" has unknown field "weights"/],
    [{...goodModel, id: "Tiny Net"}, /"model.id" must use lowercase letters/]
  ];
  for (const [model, message] of bad) assert.throws(() => parse(ownConfig("tiny", model)), (e: Error) => e.message.startsWith(`${where}: `) && message.test(e.message), JSON.stringify(model));
  assert.throws(() => parse({...ownConfig("tiny", goodModel), layers: [TORCH_LIKE_RELUS[0]]}), /layers\[0\] name "\/features\/features.1\/Relu_output_0" cannot be a file name .*write \{"name": "layer1", "output": "\/features\/features.1\/Relu_output_0"\}/);
});

test("the loaders snapshot a dataset's own model: its spec, layers and activations as onnxruntime computes them", async () => {
  const bytes = buildModel(torchLikeCnn());
  makeDataset("tiny", ownConfig("tiny", goodModel), bytes);
  const images = imagesLoader("tiny");
  assert.equal(images.status, 0, images.stderr);
  const set = readImageTable(images.stdout);
  assert.equal(set.model.id, "tiny");
  assert.equal(set.model.title, "Tiny CNN (tests)");
  assert.equal(set.model.source, "built by tests/fixtures/testModels.ts");
  assert.deepEqual(set.model.input, {name: "image", layout: "NCHW", channelOrder: "RGB", normalization: {kind: "meanStd", mean: MEAN, std: STD}, minSize: 1, fixedSize: null});
  assert.deepEqual(set.model.layers.map((l) => [l.name, l.output, l.channels, l.stride, l.receptiveField]), [["relu1", TORCH_LIKE_RELUS[0], 16, 2, 3], ["relu3", TORCH_LIKE_RELUS[2], 32, 4, 15]]);
  assert.deepEqual(set.images.map((i) => [i.file, i.width, i.height]), photos.map((f) => [f, 64, 64]));

  const layer = layerLoader("tiny", "relu3");
  assert.equal(layer.status, 0, layer.stderr);
  const data = readLayerTable(layer.stdout);
  assert.equal(data.info.model, "tiny");
  assert.equal(data.info.channels, 32);
  assert.deepEqual(data.info.grids, photos.map(() => ({width: 16, height: 16})));

  // The same cells from onnxruntime-node, run on the stored pixels with the preprocessing written out.
  const reference = await referenceCells(torchLikeCnn(), TORCH_LIKE_RELUS[2]!, set.images.map((i) => i.png), MEAN, STD);
  const cell = (img: number, k: number) => reference[img]!.values.subarray(k * 32, k * 32 + 32);
  let worst = 0;
  for (const [ia, ka, ib, kb] of [[0, 40, 1, 100], [2, 17, 3, 200], [0, 0, 3, 255], [1, 128, 2, 129]] as const) {
    const a = data.cellStart[ia]! + ka, b = data.cellStart[ib]! + kb;
    let dot = 0;
    for (let c = 0; c < 32; ++c) dot += data.codes[a * 32 + c]! * data.codes[b * 32 + c]!;
    worst = Math.max(worst, Math.abs(dot * data.info.step ** 2 - cosineOf(cell(ia, ka), cell(ib, kb))));
  }
  assert.ok(worst < 0.01, `cosine error ${worst}`);

  // The model's own files: its description and its ONNX bytes, as the pages get them.
  const spec = run("src/data/models/[model].json.ts", ["--model=tiny"]);
  assert.equal(spec.status, 0, spec.stderr);
  const described = JSON.parse(spec.stdout.toString());
  assert.deepEqual(described.layers.map((l: {grid: unknown}) => l.grid), [{width: 31, height: 31}, {width: 16, height: 16}]);
  const onnx = run("src/data/models/[model].onnx.ts", ["--model=tiny"]);
  assert.equal(onnx.status, 0, onnx.stderr);
  assert.deepEqual(new Uint8Array(onnx.stdout), bytes);
});

test("an edited model file changes the dataset's and the model's fingerprints", () => {
  const config = ownConfig("edit", goodModel);
  const dir = makeDataset("edit", config);
  const parsed = parseDatasetConfig(JSON.stringify(config), "dataset.json");
  const before = [datasetFingerprint(dir, parsed), modelFingerprint(parsed.model, root, [parsed])];
  writeFileSync(join(dir, "tiny.onnx"), buildModel(torchLikeCnn(99)));
  const after = [datasetFingerprint(dir, parsed), modelFingerprint(parsed.model, root, [parsed])];
  assert.notEqual(after[0], before[0]);
  assert.notEqual(after[1], before[1]);
  assert.equal(datasetFingerprint(dir, parsed), after[0], "the same bytes give the same fingerprint");
});

/** The model with a metadata entry describing its input (as the site's converted models carry). */
function withInputMetadata(value: object): Uint8Array {
  const proto = buildModelProto(torchLikeCnn());
  proto.metadataProps = [{key: "similarity-overlays.input", value: JSON.stringify(value)}];
  return onnxProto.onnx.ModelProto.encode(proto).finish();
}

test("the file's metadata can give the preprocessing and size a dataset.json leaves out", () => {
  const bytes = withInputMetadata({preprocessing: {range: [-1, 1]}, size: 48, layers: ["x"]});
  assert.deepEqual(modelHints(onnxProto.onnx.ModelProto.decode(bytes)), {producer: "makeOnnx (tests)", normalization: {kind: "range", min: -1, max: 1}, size: 48, layers: ["x"]});
  const {sizePolicy: _, ...config} = ownConfig("hinted", {file: "tiny.onnx"});
  makeDataset("hinted", config, bytes);
  const images = imagesLoader("hinted");
  assert.equal(images.status, 0, images.stderr);
  const set = readImageTable(images.stdout);
  assert.deepEqual(set.model.input.normalization, {kind: "range", min: -1, max: 1});
  assert.deepEqual(set.images.map((i) => i.width), [48, 48, 48, 48]);
});

const NOT_ONNX = new TextEncoder().encode("this is not a model at all, just some text");

/** torchLikeCnn with a branch that takes the square root of its first convolution: NaN where that is negative. */
function nanBranchModel(): Uint8Array {
  const spec = torchLikeCnn();
  spec.nodes.push({op: "Sqrt", inputs: ["/features/features.0/Conv_output_0"], outputs: ["/sqrt/Sqrt_output_0"]});
  return buildModel(spec);
}

test("a signed layer (a convolution before its ReLU) builds, as signed codes", () => {
  makeDataset("signed", {...ownConfig("signed", goodModel), layers: [{name: "conv1", output: "/features/features.0/Conv_output_0"}]});
  const r = layerLoader("signed", "conv1");
  assert.equal(r.status, 0, r.stderr);
  const data = readLayerTable(r.stdout);
  assert.ok(data.codes instanceof Int8Array, "signed codes");
  assert.ok(data.codes.some((c) => c < 0));
});

test("a transformer's token layer builds from a dataset.json: the patch grid without the class token, stride = patch size, the whole image as field", () => {
  const config = {...ownConfig("vit", {...goodModel, preprocessing: {range: [0, 1]}}), layers: [{name: "block1", output: "block1"}], sizePolicy: undefined};
  makeDataset("vit", config, buildModel(tinyVit()));
  const r = layerLoader("vit", "block1");
  assert.equal(r.status, 0, r.stderr);
  const data = readLayerTable(r.stdout);
  assert.deepEqual(data.info.grids, photos.map(() => ({width: 12, height: 12})), "12 × 12 patches of 8 px, the class token left out");
  assert.deepEqual({layout: data.info.layout, prefixTokens: data.info.prefixTokens, stride: data.info.stride, wholeImage: data.info.wholeImage}, {layout: "NLD", prefixTokens: 1, stride: 8, wholeImage: true});
  assert.equal(data.norms.length, photos.length * 144);
});

for (const [what, config, model, entry, message] of [
  ["a model file that does not exist", ownConfig("b1", {...goodModel, file: "gone.onnx"}), null, "images", /b1\/dataset\.json: model file gone\.onnx is named but .*gone\.onnx does not exist/],
  ["a model file outside the dataset and models/ folders", ownConfig("b2", {...goodModel, file: "../../x.onnx"}), null, "images", /b2\/dataset\.json: "model\.file" "\.\.\/\.\.\/x\.onnx" must be inside the dataset folder or the project's models\/ folder/],
  ["a file that is not ONNX", ownConfig("b3", goodModel), NOT_ONNX, "images", /b3\/dataset\.json: .*tiny\.onnx.*(not an ONNX|cannot be read|export it to ONNX again)/],
  ["weights in an external data file", ownConfig("b4", goodModel), externalDataModel(), "images", /b4\/dataset\.json: model file tiny\.onnx keeps its weights in an external data file \(tiny\.onnx\.data\).*save_as_external_data=False/],
  ["no preprocessing, and none in the file", ownConfig("b5", {file: "tiny.onnx"}), undefined, "images", /b5\/dataset\.json: give the preprocessing tiny\.onnx was trained with/],
  ["no size policy for a free input size", {...ownConfig("b6", goodModel), sizePolicy: undefined}, undefined, "images", /b6\/dataset\.json: tiny\.onnx takes any input size: give "sizePolicy"/],
  ["a layer output the model does not have", {...ownConfig("b7", goodModel), layers: [{name: "head", output: "logits"}]}, undefined, "images", /b7\/dataset\.json: layer "head": "logits" is not an output of tiny\.onnx with a grid of cells .*candidate outputs include \/features\/features\.0\/Conv_output_0/],
  ["a layer whose values are not numbers", {...ownConfig("b8", goodModel), layers: [{name: "sqrt", output: "/sqrt/Sqrt_output_0"}]}, nanBranchModel(), "layer", /b8\/dataset\.json: layer "sqrt" of model tiny: cell \d+ has value NaN: activations must be finite numbers: list another layer in "layers", or leave this one out/],
  ["a layout the input shape contradicts", ownConfig("b9", {...goodModel, layout: "NHWC"}), undefined, "images", /b9\/dataset\.json: "model\.layout" is NHWC, but axis 3 of input image has size .*|b9\/dataset\.json: "model\.layout" is NHWC, but the input shape/]
] as const) {
  test(`a dataset with ${what} fails naming its dataset.json and the problem, writing nothing`, () => {
    makeDataset(config.name, config, model === undefined ? buildModel(torchLikeCnn()) : model);
    const r = entry === "images" ? imagesLoader(config.name) : layerLoader(config.name, config.layers[0]!.name);
    assert.notEqual(r.status, 0);
    assert.equal(r.stdout.length, 0, "nothing written");
    assert.match(r.stderr, message as RegExp);
  });
}
