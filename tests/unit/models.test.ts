// Model catalogue: conversion and cache, output shapes at the default input sizes, file sizes, and the
// ModelSpec (channels, fine-tuned flags, stride / receptive field / offset checked against the graph).
import assert from "node:assert/strict";
import {mkdtemp, readdir, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {test} from "node:test";
import * as ort from "onnxruntime-node";
import {CATALOGUE, loadModel, MODEL_IDS, modelFile, modelSpec, type ModelId} from "../../data-loaders/models/catalogue.js";
import {decodeModel} from "../../data-loaders/models/onnxBuilder.js";
import {findLayer, type LayerSpec} from "../../src/core/modelSpec.js";

const EXPECTED: Record<ModelId, Record<string, [number, number, number]>> = {
  inception_v3: {
    mixed0: [256, 35, 35], mixed1: [288, 35, 35], mixed2: [288, 35, 35], mixed3: [768, 17, 17], mixed4: [768, 17, 17],
    mixed5: [768, 17, 17], mixed6: [768, 17, 17], mixed7: [768, 17, 17], mixed8: [1280, 8, 8],
  },
  mobilenet_v2: {
    block_2_add: [24, 56, 56], block_5_add: [32, 28, 28], block_9_add: [64, 14, 14], block_12_add: [96, 14, 14],
    block_15_add: [160, 7, 7], out_relu: [1280, 7, 7],
  },
};

const FINETUNED: Record<ModelId, string[]> = {
  inception_v3: ["mixed6", "mixed7", "mixed8"],
  mobilenet_v2: ["block_12_add", "block_15_add", "out_relu"],
};

test("conversion writes .cache/models/<id>-<hash>.onnx once, atomically", async () => {
  const dir = await mkdtemp(join(tmpdir(), "models-"));
  try {
    for (const id of MODEL_IDS) {
      const t0 = performance.now();
      const first = await modelFile(id, dir);
      const ms = performance.now() - t0;
      assert.equal(first.hit, false);
      assert.match(first.path, new RegExp(`/${id}-[0-9a-f]{16}\\.onnx$`));
      console.log(`converted ${id} in ${ms.toFixed(0)} ms: ${(first.bytes.length / 1e6).toFixed(2)} MB`);
      const again = await modelFile(id, dir);
      assert.equal(again.bytes, first.bytes, "memoised within the process");
    }
    const files = await readdir(dir);
    assert.equal(files.length, MODEL_IDS.length, `no temp files left: ${files.join(", ")}`);
  } finally {
    await rm(dir, {recursive: true, force: true});
  }
});

for (const id of MODEL_IDS) {
  const size = CATALOGUE[id].inputSize;

  test(`${id}: output shapes at ${size}×${size} match the spec`, async () => {
    const {bytes, spec} = await loadModel(id);
    console.log(`${id}: ${(bytes.length / 1e6).toFixed(2)} MB; ${spec.layers.map((l) => `${l.name} C${l.channels} stride ${l.stride} RF ${l.receptiveField} offset ${l.offset}${l.finetuned ? " (fine-tuned)" : ""}`).join("; ")}`);
    assert.deepEqual(spec.layers.map((l) => l.name), Object.keys(EXPECTED[id]));
    assert.deepEqual(spec.layers.filter((l) => l.finetuned).map((l) => l.name), FINETUNED[id]);
    assert.deepEqual(spec.sizePolicy, {kind: "square", size});
    assert.equal(spec.input.name, "input");
    assert.equal(spec.input.layout, "NCHW");
    assert.deepEqual(spec.input.normalization, {kind: "range", min: -1, max: 1});
    findLayer(spec, spec.defaultLayer);

    const session = await ort.InferenceSession.create(bytes);
    const result = await session.run({input: new ort.Tensor("float32", new Float32Array(3 * size * size), [1, 3, size, size])});
    for (const layer of spec.layers) {
      const [c, h, w] = EXPECTED[id][layer.name]!;
      assert.deepEqual(result[layer.output]!.dims, [1, c, h, w], layer.name);
      assert.equal(layer.channels, c, `${layer.name} channels`);
      assert.equal(layer.layout, "NCHW");
      // The grid of cell centres sits in the image, with margins at both ends that differ by under a stride.
      const last = layer.offset + (h - 1) * layer.stride;
      assert.ok(layer.offset >= 0 && last <= size - 1, `${layer.name}: cell centres ${layer.offset}…${last} outside the image`);
      assert.ok(Math.abs(size - 1 - last - layer.offset) <= layer.stride, `${layer.name}: margins ${layer.offset} and ${size - 1 - last}`);
    }
  });

  test(`${id}: the smallest input (${CATALOGUE[id].minSize}×${CATALOGUE[id].minSize}) and a non-square one run`, async () => {
    const {bytes, spec} = await loadModel(id);
    const session = await ort.InferenceSession.create(bytes);
    for (const [h, w] of [[spec.input.minSize, spec.input.minSize], [224, 320]]) {
      const result = await session.run({input: new ort.Tensor("float32", new Float32Array(3 * h * w), [1, 3, h, w])});
      for (const layer of spec.layers) {
        // NCHW: one image, the layer's channels, and a grid whose cell centres (offset + k · stride) span the
        // input with margins that differ by at most a stride, as at the default size.
        const [n, channels, gh, gw] = result[layer.output]!.dims;
        assert.deepEqual([n, channels], [1, layer.channels], `${layer.name} at ${h}×${w}`);
        for (const [g, size] of [[gh, h], [gw, w]]) {
          const last = layer.offset + (g - 1) * layer.stride;
          assert.ok(g >= 1 && last <= size - 1 && Math.abs(size - 1 - last - layer.offset) <= layer.stride, `${layer.name} at ${h}×${w}: ${gh}×${gw} cells, centres ${layer.offset}…${last} of ${size}`);
        }
        if (w > h) assert.ok(gw > gh, `${layer.name} at ${h}×${w}: a wider input gives a wider grid (${gh}×${gw})`);
      }
    }
  });
}

test("inception_v3 receptive fields: mixed0 by hand, strides 8/16/32, growing fields", async () => {
  const {spec} = await loadModel("inception_v3");
  const get = (n: string): LayerSpec => findLayer(spec, n);
  // conv 3/2, conv 3, conv 3 same, maxpool 3/2, conv 1, conv 3, maxpool 3/2, then the 3×3 → 3×3 branch.
  assert.deepEqual([get("mixed0").stride, get("mixed0").receptiveField, get("mixed0").offset], [8, 63, 13]);
  assert.deepEqual(["mixed2", "mixed3", "mixed4", "mixed7", "mixed8"].map((n) => get(n).stride), [8, 16, 16, 16, 32]);
  for (let i = 1; i < spec.layers.length; i++) assert.ok(spec.layers[i]!.receptiveField > spec.layers[i - 1]!.receptiveField);
  assert.equal(spec.defaultLayer, "mixed4");
});

/** Input pixels whose change moves output cells: checks the spec's window against the real graph. */
test("receptive field and offset agree with which cells a one-pixel change reaches", async () => {
  for (const [id, name, size] of [["inception_v3", "mixed0", 99], ["mobilenet_v2", "block_5_add", 96]] as const) {
    const {bytes, spec} = await loadModel(id);
    const layer = findLayer(spec, name);
    const session = await ort.InferenceSession.create(bytes);
    const base = new Float32Array(3 * size * size).map((_, i) => Math.sin(i * 0.37) * 0.5);
    const run = async (x: Float32Array) => (await session.run({input: new ort.Tensor("float32", x, [1, 3, size, size])}, [layer.output]))[layer.output]!;
    const ref = await run(base);
    const [, C, H, W] = ref.dims as [number, number, number, number];
    for (const [py, px] of [[size >> 1, size >> 1], [20, 70]] as const) {
      const poked = base.slice();
      for (let c = 0; c < 3; c++) poked[(c * size + py) * size + px] += 5;
      const out = await run(poked);
      const changed = new Set<string>();
      for (let c = 0; c < C; c++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
        const i = (c * H + y) * W + x;
        if (Math.abs((out.data as Float32Array)[i]! - (ref.data as Float32Array)[i]!) > 1e-6) changed.add(`${y},${x}`);
      }
      const half = (layer.receptiveField - 1) / 2;
      const inside = (cell: number, p: number) => Math.abs(layer.offset + cell * layer.stride - p) <= half;
      const predicted = new Set<string>();
      for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (inside(y, py) && inside(x, px)) predicted.add(`${y},${x}`);
      for (const cell of changed) assert.ok(predicted.has(cell), `${id} ${name}: cell ${cell} changed by pixel ${py},${px} but lies outside its field`);
      assert.deepEqual([...changed].sort(), [...predicted].sort(), `${id} ${name}: pixel ${py},${px}`);
    }
  }
});

for (const id of MODEL_IDS) {
  test(`${id}: the ModelSpec stored beside the model is the one computed from its graph`, async () => {
    const {bytes, spec} = await loadModel(id);
    const {path} = await modelFile(id);
    const stored = (await readdir(join(path, ".."))).filter((n) => n.startsWith(`${path.split("/").pop()!.slice(0, -".onnx".length)}-`) && n.endsWith(".spec.json"));
    assert.equal(stored.length, 1, `one spec file beside ${path}: ${stored.join(", ")}`);
    assert.deepEqual(spec, await modelSpec(id, decodeModel(bytes)));
  });
}
