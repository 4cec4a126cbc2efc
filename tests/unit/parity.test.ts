// Parity: the original nsfwjs Keras models run with @tensorflow/tfjs (CPU backend) against the converted
// ONNX models on onnxruntime-node, on the same small input, at every exposed layer.
import assert from "node:assert/strict";
import {test} from "node:test";
import * as tf from "@tensorflow/tfjs";
import * as ort from "onnxruntime-node";
import {CATALOGUE, modelBytes, type ModelId} from "../../data-loaders/models/catalogue.js";
import {ancestors} from "../../data-loaders/models/convert.js";
import {readNsfwjsModel} from "../../data-loaders/models/nsfwjsFiles.js";

const TOLERANCE = 1e-4;

/** Deterministic pseudo-random values in [−1, 1] (the models' input range). */
function input(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32) * 2 - 1;
  }
  return out;
}

/** The Keras model cut after `outputs`, with a symbolic input size, loaded into tfjs. */
async function tfjsSubmodel(id: ModelId, outputs: string[]): Promise<tf.LayersModel> {
  const {model, weightData} = readNsfwjsModel(id);
  const keep = new Set(ancestors(model.layers, outputs).map((l) => l.name));
  const topology = structuredClone(model.rawTopology) as {model_config: {config: {layers: Array<{name: string; class_name: string; config: Record<string, unknown>}>; output_layers: unknown}}};
  const config = topology.model_config.config;
  config.layers = config.layers.filter((l) => keep.has(l.name));
  for (const l of config.layers) if (l.class_name === "InputLayer") l.config.batch_input_shape = [null, null, null, 3];
  config.output_layers = outputs.map((name) => [name, 0, 0]);
  const data = weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength) as ArrayBuffer;
  return tf.loadLayersModel(tf.io.fromMemory({modelTopology: topology, weightSpecs: model.weightSpecs, weightData: data}), {strict: false});
}

async function parity(id: ModelId, height: number, width: number): Promise<Map<string, number>> {
  await tf.setBackend("cpu");
  const layers = CATALOGUE[id].layers.map((l) => l.name);
  const nhwc = input(height * width * 3, height * 1000 + width);
  const nchw = new Float32Array(nhwc.length);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < 3; c++) nchw[(c * height + y) * width + x] = nhwc[(y * width + x) * 3 + c];

  const keras = await tfjsSubmodel(id, layers);
  const t0 = performance.now();
  const predicted = keras.predict(tf.tensor4d(nhwc, [1, height, width, 3]));
  const expected = await Promise.all((Array.isArray(predicted) ? predicted : [predicted]).map((t) => t.data()));
  const tfjsMs = performance.now() - t0;

  const session = await ort.InferenceSession.create(await modelBytes(id));
  const t1 = performance.now();
  const actual = await session.run({input: new ort.Tensor("float32", nchw, [1, 3, height, width])});
  const ortMs = performance.now() - t1;

  const diffs = new Map<string, number>();
  const magnitudes = new Map<string, number>();
  layers.forEach((name, k) => {
    const out = actual[name];
    const [, C, H, W] = out.dims;
    const got = out.data as Float32Array;
    const want = expected[k];
    assert.equal(got.length, want.length, `${name}: ${got.length} values from ONNX, ${want.length} from tfjs`);
    let max = 0;
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++)
        for (let c = 0; c < C; c++) max = Math.max(max, Math.abs(got[(c * H + y) * W + x] - want[(y * W + x) * C + c]));
    diffs.set(name, max);
    let magnitude = 0;
    for (let i = 0; i < want.length; i++) magnitude = Math.max(magnitude, Math.abs(want[i]!));
    magnitudes.set(name, magnitude);
  });
  const report = [...diffs].map(([n, d]) => `${n} ${d.toExponential(2)} (max |value| ${magnitudes.get(n)!.toFixed(1)})`);
  console.log(`parity ${id} ${height}×${width} (tfjs ${tfjsMs.toFixed(0)} ms, onnxruntime ${ortMs.toFixed(0)} ms): max |difference| ${report.join(", ")}`);
  return diffs;
}

for (const [id, height, width] of [["inception_v3", 75, 75], ["inception_v3", 91, 107], ["mobilenet_v2", 64, 64], ["mobilenet_v2", 97, 83]] as const) {
  test(`ONNX ${id} matches tfjs at ${height}×${width}`, async () => {
    for (const [name, diff] of await parity(id, height, width)) {
      assert.ok(diff <= TOLERANCE, `${id} ${name}: max |difference| ${diff} > ${TOLERANCE}`);
    }
  });
}
