// Token grids: transformer layers ([1, N, D] or [N, 1, D]) as patch grids, on the ViT-shaped test model.
import assert from "node:assert/strict";
import {test} from "node:test";
import * as ort from "onnxruntime-node";
import {tableToCompressedIPC} from "../../src/core/arrowLz4.js";
import {receptiveFieldRect} from "../../src/core/cells.js";
import {embedPixels} from "../../src/core/embedImage.js";
import {layerTable, readLayerTable} from "../../src/core/layerTable.js";
import {createTapSession, listCandidateLayers} from "../../src/core/layerTap.js";
import {decodeModel, describeImageInput} from "../../src/core/onnxGraph.js";
import {quantizeCells} from "../../src/core/quantize.js";
import {findTokenGrid, tokenShape, tokensToCells} from "../../src/core/tokenGrid.js";
import {describeField, userModelSpec} from "../../src/core/userModel.js";
import {buildModel} from "../fixtures/makeOnnx.js";
import {tinyVit} from "../fixtures/testModels.js";

const vit = buildModel(tinyVit());
const summary = (layers: Awaited<ReturnType<typeof listCandidateLayers>>) => layers.map((l) => `${l.output} ${l.layout} ${l.channels} ${l.width}×${l.height}${l.tokens ? ` patch ${l.tokens.patch} prefix ${l.tokens.prefix}` : ""}`);

test("tokenShape reads [1, N, D] and [N, 1, D]; findTokenGrid finds the prefix tokens and the patch side", () => {
  assert.deepEqual(tokenShape([1, 197, 768]), {layout: "NLD", tokens: 197, channels: 768});
  assert.deepEqual(tokenShape([197, 1, 768]), {layout: "LND", tokens: 197, channels: 768});
  assert.equal(tokenShape([1, 1, 768]), null);
  assert.equal(tokenShape([1, 3, 224, 224]), null);
  // ViT-B/16 at 224: a class token and 14×14 patches; DINOv2 with 4 registers; DeiT's class and distillation tokens.
  assert.deepEqual(findTokenGrid(197, {width: 224, height: 224}), {patch: 16, prefix: 1, width: 14, height: 14});
  assert.deepEqual(findTokenGrid(261, {width: 224, height: 224}), {patch: 14, prefix: 5, width: 16, height: 16});
  assert.deepEqual(findTokenGrid(198, {width: 224, height: 224}), {patch: 16, prefix: 2, width: 14, height: 14});
  // Not square: 16 × 24 patches of 16 px.
  assert.deepEqual(findTokenGrid(385, {width: 384, height: 256}), {patch: 16, prefix: 1, width: 24, height: 16});
  // Configured: exactly that many prefix tokens, or nothing.
  assert.deepEqual(findTokenGrid(197, {width: 224, height: 224}, 1), {patch: 16, prefix: 1, width: 14, height: 14});
  assert.equal(findTokenGrid(197, {width: 224, height: 224}, 3), null);
  // The channel-major [1, D, N] before a transpose is no patch grid.
  assert.equal(findTokenGrid(768, {width: 224, height: 224}), null);
});

test("tokensToCells leaves the prefix tokens out and says when the tokens do not fit the grid", () => {
  const D = 2;
  const data = Float32Array.from({length: (1 + 4) * D}, (_, i) => i);
  const cells = tokensToCells(data, [1, 5, D], {name: "b", prefixTokens: 1, stride: 8}, {width: 16, height: 16});
  assert.deepEqual([cells.width, cells.height, cells.channels], [2, 2, 2]);
  assert.deepEqual([...cells.values], [2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual([...tokensToCells(data, [5, 1, D], {name: "b", prefixTokens: 1, stride: 8}, {width: 16, height: 16}).values], [...cells.values]);
  assert.throws(() => tokensToCells(data, [1, 5, D], {name: "b", prefixTokens: 1, stride: 8}, {width: 24, height: 16}), /layer b: 5 tokens are not 1 prefix token and the 3×2 patches of a 24×16 input at patch size 8/);
});

test("the ViT-shaped model's token layers are listed as 12×12 patch grids, the class token detected and left out", async () => {
  const layers = await listCandidateLayers(ort, vit);
  const listed = summary(layers);
  for (const line of [
    "patch_embed NCHW 32 12×12",
    "patches NLD 32 12×12 patch 8 prefix 0",
    "tokens NLD 32 12×12 patch 8 prefix 1",
    "embedded NLD 32 12×12 patch 8 prefix 1",
    "block1_attn NLD 32 12×12 patch 8 prefix 1",
    "mlp_gelu NLD 64 12×12 patch 8 prefix 1",
    "block1 NLD 32 12×12 patch 8 prefix 1",
    "block1_seq_first LND 32 12×12 patch 8 prefix 1",
  ]) assert.ok(listed.includes(line), `${line} in ${listed.join("; ")}`);
  assert.ok(!listed.some((l) => l.startsWith("patch_flat ")), "[1, 32, 144] (channels first, before the transpose) is not a token layer");
  const block = layers.find((l) => l.output === "block1")!;
  assert.equal(describeField(block), "the whole image (tokens: patch 8 px, 1 prefix token left out)");
  // Configured prefix: with 0, the layers after the class token has been added are not grids.
  const none = summary(await listCandidateLayers(ort, vit, {prefixTokens: 0}));
  assert.ok(none.includes("patches NLD 32 12×12 patch 8 prefix 0") && !none.some((l) => l.startsWith("block1 ")));
});

test("the ViT's cells are its patch tokens in row order: stride 8, receptive field the whole image; residual sums give signed codes", async () => {
  const model = decodeModel(vit);
  const input = describeImageInput(model);
  const layers = await listCandidateLayers(ort, model);
  const spec = userModelSpec(input, layers, {name: "vit.onnx", preprocessing: "zeroOne", channelOrder: "RGB", inputSize: 224, outputs: ["block1", "block1_seq_first", "patches"]});
  const block = spec.layers[0]!;
  assert.deepEqual({stride: block.stride, offset: block.offset, wholeImage: block.wholeImage, prefixTokens: block.prefixTokens, layout: block.layout}, {stride: 8, offset: 3.5, wholeImage: true, prefixTokens: 1, layout: "NLD"});
  const session = await createTapSession(ort, vit, spec.layers.map((l) => l.output));
  try {
    const pixels = {width: 96, height: 96, channels: 4 as const, data: Uint8ClampedArray.from({length: 96 * 96 * 4}, (_, i) => (i % 4 === 3 ? 255 : (i * 37) % 251))};
    const result = await embedPixels(session, pixels, spec, spec.sizePolicy, spec.layers);
    const direct = (await session.run(Float32Array.from({length: 3 * 96 * 96}, (_, i) => result.rgb.data[(i % 9216) * 3 + Math.floor(i / 9216)]! / 255), [1, 3, 96, 96])).get("block1")!;
    const cells = result.layers.block1!;
    assert.deepEqual(cells.grid, {width: 12, height: 12});
    // Cell (row 2, col 5) is token 1 + 2·12 + 5 of the model's own output.
    const token = 1 + 2 * 12 + 5;
    assert.deepEqual([...cells.values.subarray((2 * 12 + 5) * 32, (2 * 12 + 6) * 32)], [...direct.data.subarray(token * 32, (token + 1) * 32)]);
    assert.deepEqual([...result.layers.block1_seq_first!.values], [...cells.values]);
    assert.equal(result.layers.patches!.values.length, 144 * 32);
    const q = quantizeCells(cells.values, 32);
    assert.ok(q.codes instanceof Int8Array, "a transformer block's output is signed");
  } finally {
    await session.dispose();
  }
});

test("a token layer's file keeps what the pages need: its layout, prefix tokens, patch stride and the whole image as receptive field", async () => {
  const model = decodeModel(vit);
  const spec = userModelSpec(describeImageInput(model), await listCandidateLayers(ort, model), {name: "vit.onnx", preprocessing: "zeroOne", channelOrder: "RGB", inputSize: 224, outputs: ["block1"]});
  const layer = spec.layers[0]!;
  const values = Float32Array.from({length: 144 * 32}, (_, i) => Math.sin(i * 0.37));
  const data = readLayerTable(tableToCompressedIPC(layerTable({...layer, model: spec.id, grids: [{width: 12, height: 12}]}, quantizeCells(values, 32))));
  assert.deepEqual({layout: data.info.layout, prefixTokens: data.info.prefixTokens, stride: data.info.stride, wholeImage: data.info.wholeImage, signed: data.info.signed}, {layout: "NLD", prefixTokens: 1, stride: 8, wholeImage: true, signed: true});
  assert.deepEqual(receptiveFieldRect({col: 3, row: 7}, data.info, {width: 96, height: 96}), {x: 0, y: 0, width: 96, height: 96});
});
