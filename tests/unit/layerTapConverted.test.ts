// The any-ONNX layer tapping, run on the converted models: it must find the layers the catalogue exposes,
// with the same shapes and receptive fields, and a tap session must reproduce the full model's outputs.
import assert from "node:assert/strict";
import {test} from "node:test";
import * as ort from "onnxruntime-node";
import {loadModel} from "../../data-loaders/models/catalogue.js";
import {createTapSession, listCandidateLayers} from "../../src/core/layerTap.js";

for (const [id, size] of [["inception_v3", 139], ["mobilenet_v2", 96]] as const) {
  test(`listCandidateLayers finds ${id}'s exposed layers with the catalogue's channels and fields`, async () => {
    const {bytes, spec} = await loadModel(id);
    const layers = await listCandidateLayers(ort, bytes, {size: {height: size, width: size}});
    const byName = new Map(layers.map((l) => [l.output, l]));
    for (const layer of spec.layers) {
      const found = byName.get(layer.output);
      assert.ok(found, `${layer.output} is a candidate`);
      assert.equal(found.channels, layer.channels);
      assert.equal(found.layout, "NCHW");
      assert.equal(found.receptiveField?.stride, layer.stride);
      assert.equal(found.receptiveField?.receptiveField, layer.receptiveField);
    }
    // Many more candidates than the exposed ones (every conv and concat output), in graph order.
    assert.ok(layers.length > spec.layers.length * 3, `${layers.length} candidates`);
    const order = spec.layers.map((l) => layers.findIndex((c) => c.output === l.output));
    assert.deepEqual(order, [...order].sort((a, b) => a - b));
  });
}

test("createTapSession on inception_v3 returns the same activations as the full model", async () => {
  const {bytes, spec} = await loadModel("inception_v3");
  const input = Float32Array.from({length: 3 * 99 * 99}, (_, i) => Math.sin(i) * 0.9);
  const dims = [1, 3, 99, 99];
  const tap = await createTapSession(ort, bytes, ["mixed2", "mixed5"]);
  const full = await ort.InferenceSession.create(bytes);
  try {
    const tapped = await tap.run(input, dims);
    const reference = await full.run({[spec.input.name]: new ort.Tensor("float32", input, dims)}, ["mixed2", "mixed5"]);
    for (const name of ["mixed2", "mixed5"]) {
      const a = tapped.get(name)!, b = reference[name];
      assert.deepEqual(a.dims, [...b.dims]);
      let worst = 0;
      for (let i = 0; i < a.data.length; ++i) worst = Math.max(worst, Math.abs(a.data[i] - (b.data as Float32Array)[i]));
      assert.ok(worst < 1e-5, `${name}: max difference ${worst}`);
    }
  } finally {
    await tap.dispose();
    await full.release();
  }
});
