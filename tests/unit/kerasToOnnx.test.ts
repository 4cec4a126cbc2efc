// Converter unit tests: tiny synthetic Keras models (uint8-quantised or float32 weights) converted to ONNX,
// run on onnxruntime-node, and compared against a float64 reference that interprets the Keras JSON directly
// (NHWC, TensorFlow padding rules).
import assert from "node:assert/strict";
import {test} from "node:test";
import * as ort from "onnxruntime-node";
import {convertKerasModel} from "../../data-loaders/models/convert.js";
import {parseKerasModel, type KerasLayer, type KerasModel, type WeightSpec} from "../../data-loaders/models/kerasJson.js";

// ---------- synthetic models ----------

type Config = Record<string, unknown>;

class Synth {
  private readonly layers: Config[] = [];
  private readonly specs: WeightSpec[] = [];
  private readonly chunks: Uint8Array[] = [];
  private seed: number;

  constructor(seed = 1, private readonly quantized = true) {
    this.seed = seed;
  }

  random(): number {
    this.seed = (Math.imul(this.seed, 1664525) + 1013904223) >>> 0;
    return this.seed / 2 ** 32;
  }

  input(name: string, channels: number): string {
    this.layers.push({name, class_name: "InputLayer", config: {name, batch_input_shape: [null, 8, 8, channels], dtype: "float32"}, inbound_nodes: []});
    return name;
  }

  layer(className: string, name: string, config: Config, inputs: string[], trainable = false): string {
    this.layers.push({name, class_name: className, config: {name, trainable, ...config}, inbound_nodes: [inputs.map((i) => [i, 0, 0, {}])]});
    return name;
  }

  /** A weight with values spread over [lo, hi]. */
  weight(name: string, shape: number[], lo = -0.5, hi = 0.5): void {
    const n = shape.reduce((a, b) => a * b, 1);
    if (this.quantized) {
      const q = new Uint8Array(n).map(() => Math.floor(this.random() * 256));
      this.specs.push({name, shape, dtype: "float32", quantization: {dtype: "uint8", min: lo, scale: (hi - lo) / 255}});
      this.chunks.push(q);
    } else {
      const v = new Float32Array(n).map(() => lo + (hi - lo) * this.random());
      this.specs.push({name, shape, dtype: "float32"});
      this.chunks.push(new Uint8Array(v.buffer));
    }
  }

  conv(name: string, input: string, cin: number, filters: number, config: Config): string {
    const k = (config.kernel_size as [number, number] | undefined) ?? [3, 3];
    this.weight(`${name}/kernel`, [k[0], k[1], cin, filters]);
    if (config.use_bias !== false) this.weight(`${name}/bias`, [filters]);
    return this.layer("Conv2D", name, {filters, kernel_size: k, strides: [1, 1], padding: "valid", data_format: "channels_last", dilation_rate: [1, 1], activation: "linear", ...config}, [input]);
  }

  depthwise(name: string, input: string, channels: number, config: Config): string {
    const k = (config.kernel_size as [number, number] | undefined) ?? [3, 3];
    const m = (config.depth_multiplier as number | undefined) ?? 1;
    this.weight(`${name}/depthwise_kernel`, [k[0], k[1], channels, m]);
    if (config.use_bias === true) this.weight(`${name}/bias`, [channels * m]);
    return this.layer("DepthwiseConv2D", name, {kernel_size: k, strides: [1, 1], padding: "valid", depth_multiplier: m, dilation_rate: [1, 1], activation: "linear", use_bias: false, ...config}, [input]);
  }

  batchNorm(name: string, input: string, channels: number, scale = true): string {
    if (scale) this.weight(`${name}/gamma`, [channels], 0.5, 1.5);
    this.weight(`${name}/beta`, [channels]);
    this.weight(`${name}/moving_mean`, [channels]);
    this.weight(`${name}/moving_variance`, [channels], 0.2, 2);
    return this.layer("BatchNormalization", name, {axis: -1, epsilon: 0.001, center: true, scale}, [input]);
  }

  build(outputs: string[]): {model: KerasModel; data: Uint8Array} {
    const json = {
      modelTopology: {model_config: {class_name: "Model", config: {name: "synth", layers: this.layers, input_layers: [[this.layers[0].name, 0, 0]], output_layers: outputs.map((o) => [o, 0, 0])}}},
      weightsManifest: [{paths: ["w"], weights: this.specs}],
    };
    const data = new Uint8Array(this.chunks.reduce((n, c) => n + c.length, 0));
    let o = 0;
    for (const c of this.chunks) data.set(c, (o += c.length) - c.length);
    return {model: parseKerasModel(JSON.parse(JSON.stringify(json))), data};
  }
}

// ---------- float64 reference (NHWC) ----------

interface T {
  h: number;
  w: number;
  c: number;
  d: Float64Array;
}
const at = (t: T, y: number, x: number, c: number) => t.d[(y * t.w + x) * t.c + c];
const make = (h: number, w: number, c: number): T => ({h, w, c, d: new Float64Array(h * w * c)});

function weightsOf(model: KerasModel, data: Uint8Array): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>();
  let o = 0;
  for (const s of model.weightSpecs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const v = new Float64Array(n);
    if (s.quantization) for (let i = 0; i < n; i++) v[i] = data[o + i] * s.quantization.scale + s.quantization.min;
    else v.set(new Float32Array(data.slice(o, o + 4 * n).buffer));
    o += s.quantization ? n : 4 * n;
    out.set(s.name, v);
  }
  return out;
}

/** TensorFlow's output size and leading pad for one spatial axis. */
function tfPad(size: number, k: number, s: number, d: number, padding: unknown): {out: number; before: number} {
  const ke = (k - 1) * d + 1;
  if (padding === "valid") return {out: Math.floor((size - ke) / s) + 1, before: 0};
  const out = Math.ceil(size / s);
  return {out, before: Math.floor(Math.max((out - 1) * s + ke - size, 0) / 2)};
}

function window(layer: KerasLayer, x: T, k: number[], s: number[], d: number[], each: (oy: number, ox: number, iy: number, ix: number, ky: number, kx: number) => void) {
  const ph = tfPad(x.h, k[0], s[0], d[0], layer.config.padding);
  const pw = tfPad(x.w, k[1], s[1], d[1], layer.config.padding);
  for (let oy = 0; oy < ph.out; oy++)
    for (let ox = 0; ox < pw.out; ox++)
      for (let ky = 0; ky < k[0]; ky++)
        for (let kx = 0; kx < k[1]; kx++) {
          const iy = oy * s[0] - ph.before + ky * d[0];
          const ix = ox * s[1] - pw.before + kx * d[1];
          if (iy >= 0 && iy < x.h && ix >= 0 && ix < x.w) each(oy, ox, iy, ix, ky, kx);
        }
  return {oh: ph.out, ow: pw.out};
}

function activate(v: number, activation: unknown): number {
  if (activation === "relu") return Math.max(v, 0);
  if (activation === "linear" || activation === undefined) return v;
  throw new Error(`reference: activation ${String(activation)}`);
}

function reference(model: KerasModel, data: Uint8Array, input: T, outputs: string[]): Map<string, T> {
  const W = weightsOf(model, data);
  const values = new Map<string, T>();
  for (const layer of model.layers) {
    const cfg = layer.config;
    const xs = layer.inputs.map((i) => values.get(i)!);
    const x = xs[0];
    const arr = (v: unknown) => v as number[];
    let y: T;
    switch (layer.className) {
      case "InputLayer":
        y = input;
        break;
      case "Conv2D":
      case "DepthwiseConv2D": {
        const dw = layer.className === "DepthwiseConv2D";
        const kernel = W.get(`${layer.name}/${dw ? "depthwise_kernel" : "kernel"}`)!;
        const k = arr(cfg.kernel_size), s = arr(cfg.strides), d = arr(cfg.dilation_rate);
        const m = dw ? (cfg.depth_multiplier as number) : 0;
        const cout = dw ? x.c * m : (cfg.filters as number);
        const acc = new Map<number, number>();
        const geo = window(layer, x, k, s, d, (oy, ox, iy, ix, ky, kx) => {
          for (let ci = 0; ci < x.c; ci++) {
            const v = at(x, iy, ix, ci);
            if (dw) for (let j = 0; j < m; j++) { const key = (oy * 1e4 + ox) * cout + ci * m + j; acc.set(key, (acc.get(key) ?? 0) + v * kernel[((ky * k[1] + kx) * x.c + ci) * m + j]); }
            else for (let co = 0; co < cout; co++) { const key = (oy * 1e4 + ox) * cout + co; acc.set(key, (acc.get(key) ?? 0) + v * kernel[((ky * k[1] + kx) * x.c + ci) * cout + co]); }
          }
        });
        y = make(geo.oh, geo.ow, cout);
        const bias = cfg.use_bias === false ? null : W.get(`${layer.name}/bias`)!;
        for (let oy = 0; oy < y.h; oy++) for (let ox = 0; ox < y.w; ox++) for (let co = 0; co < cout; co++) {
          y.d[(oy * y.w + ox) * cout + co] = activate((acc.get((oy * 1e4 + ox) * cout + co) ?? 0) + (bias ? bias[co] : 0), cfg.activation);
        }
        break;
      }
      case "BatchNormalization": {
        const p = (n: string) => W.get(`${layer.name}/${n}`);
        const [gamma, beta, mean, variance] = [p("gamma"), p("beta")!, p("moving_mean")!, p("moving_variance")!];
        y = make(x.h, x.w, x.c);
        for (let i = 0; i < y.d.length; i++) { const c = i % x.c; y.d[i] = ((x.d[i] - mean[c]) / Math.sqrt(variance[c] + (cfg.epsilon as number))) * (gamma ? gamma[c] : 1) + beta[c]; }
        break;
      }
      case "Activation":
        y = {...x, d: x.d.map((v) => activate(v, cfg.activation))};
        break;
      case "ReLU":
        y = {...x, d: x.d.map((v) => Math.min(Math.max(v, 0), (cfg.max_value as number | null) ?? Infinity))};
        break;
      case "MaxPooling2D":
      case "AveragePooling2D": {
        const k = arr(cfg.pool_size), s = arr(cfg.strides ?? cfg.pool_size);
        const max = layer.className === "MaxPooling2D";
        const sums = new Map<number, number>(), counts = new Map<number, number>();
        const geo = window(layer, x, k, s, [1, 1], (oy, ox, iy, ix) => {
          for (let c = 0; c < x.c; c++) {
            const key = (oy * 1e4 + ox) * x.c + c, v = at(x, iy, ix, c);
            sums.set(key, max ? Math.max(sums.get(key) ?? -Infinity, v) : (sums.get(key) ?? 0) + v);
            counts.set(key, (counts.get(key) ?? 0) + 1);
          }
        });
        y = make(geo.oh, geo.ow, x.c);
        for (let oy = 0; oy < y.h; oy++) for (let ox = 0; ox < y.w; ox++) for (let c = 0; c < x.c; c++) {
          const key = (oy * 1e4 + ox) * x.c + c;
          y.d[(oy * y.w + ox) * x.c + c] = max ? sums.get(key)! : sums.get(key)! / counts.get(key)!;
        }
        break;
      }
      case "ZeroPadding2D": {
        const [[t, b], [l, r]] = cfg.padding as [[number, number], [number, number]];
        y = make(x.h + t + b, x.w + l + r, x.c);
        for (let iy = 0; iy < x.h; iy++) for (let ix = 0; ix < x.w; ix++) for (let c = 0; c < x.c; c++) y.d[((iy + t) * y.w + ix + l) * x.c + c] = at(x, iy, ix, c);
        break;
      }
      case "Add":
        y = {...x, d: x.d.map((v, i) => xs.reduce((sum, t, j) => (j === 0 ? sum : sum + t.d[i]), v))};
        break;
      case "Concatenate": {
        const c = xs.reduce((n, t) => n + t.c, 0);
        y = make(x.h, x.w, c);
        for (let p = 0; p < x.h * x.w; p++) { let o = 0; for (const t of xs) { for (let j = 0; j < t.c; j++) y.d[p * c + o + j] = t.d[p * t.c + j]; o += t.c; } }
        break;
      }
      default:
        throw new Error(`reference: ${layer.className}`);
    }
    values.set(layer.name, y);
  }
  return new Map(outputs.map((o) => [o, values.get(o)!]));
}

// ---------- comparison ----------

async function check(synth: Synth, outputs: string[], h: number, w: number, channels = 3): Promise<{maxDiff: number; nodes: string[]}> {
  const {model, data} = synth.build(outputs);
  const input = make(h, w, channels);
  for (let i = 0; i < input.d.length; i++) input.d[i] = Math.fround(synth.random() * 2 - 1);
  const expected = reference(model, data, input, outputs);
  const conversion = convertKerasModel(model, data, {outputs});
  const nchw = new Float32Array(input.d.length);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < channels; c++) nchw[(c * h + y) * w + x] = at(input, y, x, c);
  const session = await ort.InferenceSession.create(conversion.bytes);
  const result = await session.run({input: new ort.Tensor("float32", nchw, [1, channels, h, w])});
  let maxDiff = 0;
  for (const name of outputs) {
    const want = expected.get(name)!;
    const got = result[name];
    assert.deepEqual(got.dims, [1, want.c, want.h, want.w], `${name} shape`);
    const g = got.data as Float32Array;
    for (let y = 0; y < want.h; y++) for (let x = 0; x < want.w; x++) for (let c = 0; c < want.c; c++) {
      maxDiff = Math.max(maxDiff, Math.abs(g[(c * want.h + y) * want.w + x] - at(want, y, x, c)));
    }
  }
  assert.ok(maxDiff < 1e-4, `max |difference| ${maxDiff}`);
  return {maxDiff, nodes: (conversion.model.graph?.node ?? []).map((n) => n.opType ?? "")};
}

const count = (nodes: string[], op: string) => nodes.filter((n) => n === op).length;

for (const quantized of [true, false]) {
  const kind = quantized ? "uint8" : "float32";

  test(`conv + batchnorm + relu, batchnorm folded (${kind} weights)`, async () => {
    const s = new Synth(2, quantized);
    const x = s.input("in", 3);
    const c = s.conv("conv", x, 3, 5, {padding: "same", use_bias: true});
    const b = s.batchNorm("bn", c, 5);
    s.layer("Activation", "act", {activation: "relu"}, [b]);
    const {nodes} = await check(s, ["act"], 7, 9);
    assert.equal(count(nodes, "Conv"), 1);
    assert.equal(count(nodes, "Mul"), quantized ? 2 : 0, "dequantisation Mul + BN factor Mul only");
  });

  test(`conv stride 2 'same' on odd and even sizes, batchnorm without scale, ReLU6 (${kind})`, async () => {
    for (const [h, w] of [[9, 10], [8, 7], [5, 5]]) {
      const s = new Synth(h * w, quantized);
      const x = s.input("in", 3);
      const c = s.conv("conv", x, 3, 4, {padding: "same", strides: [2, 2], use_bias: false, kernel_size: [3, 3]});
      const b = s.batchNorm("bn", c, 4, false);
      s.layer("ReLU", "relu6", {max_value: 6, negative_slope: 0, threshold: 0}, [b]);
      const c2 = s.conv("conv2", "relu6", 4, 2, {padding: "same", strides: [2, 2], kernel_size: [2, 2], activation: "relu"});
      await check(s, ["relu6", c2], h, w);
    }
  });
}

test("asymmetric kernels 1×7 and 7×1, 'same', dilation, even kernel at stride 1", async () => {
  const s = new Synth(3);
  const x = s.input("in", 2);
  const a = s.conv("a", x, 2, 3, {padding: "same", kernel_size: [1, 7], use_bias: false});
  const b = s.conv("b", a, 3, 3, {padding: "same", kernel_size: [7, 1], use_bias: false});
  const c = s.conv("c", b, 3, 2, {padding: "same", kernel_size: [3, 3], dilation_rate: [2, 2]});
  const d = s.conv("d", c, 2, 2, {padding: "same", kernel_size: [2, 4]});
  await check(s, [b, c, d], 9, 8, 2);
});

test("pools: max valid stride 2, average 'same' excludes padding, 'same' at stride 2", async () => {
  const s = new Synth(4);
  const x = s.input("in", 3);
  const m = s.layer("MaxPooling2D", "max", {pool_size: [3, 3], strides: [2, 2], padding: "valid"}, [x]);
  const a = s.layer("AveragePooling2D", "avg", {pool_size: [3, 3], strides: [1, 1], padding: "same"}, [x]);
  const ms = s.layer("MaxPooling2D", "max_same", {pool_size: [3, 3], strides: [2, 2], padding: "same"}, [x]);
  const as = s.layer("AveragePooling2D", "avg_same", {pool_size: [2, 2], strides: null, padding: "same"}, [x]);
  await check(s, [m, a, ms, as], 9, 11);
});

test("zero padding + depthwise stride 2 (multiplier 2) + batchnorm, depthwise 'same'", async () => {
  const s = new Synth(5);
  const x = s.input("in", 3);
  const p = s.layer("ZeroPadding2D", "pad", {padding: [[0, 1], [0, 1]]}, [x]);
  const d = s.depthwise("dw", p, 3, {strides: [2, 2], depth_multiplier: 2});
  const b = s.batchNorm("dw_bn", d, 6);
  const r = s.layer("ReLU", "dw_relu", {max_value: 6, negative_slope: 0, threshold: 0}, [b]);
  const d2 = s.depthwise("dw2", r, 6, {padding: "same", use_bias: true});
  const {nodes} = await check(s, [p, r, d2], 10, 9);
  assert.equal(count(nodes, "Pad"), 1);
});

test("add and concatenate of branches; batchnorm not folded when its conv has another consumer", async () => {
  const s = new Synth(6);
  const x = s.input("in", 3);
  const c = s.conv("c", x, 3, 4, {padding: "same", use_bias: false});
  const b = s.batchNorm("bn", c, 4);
  const add = s.layer("Add", "add", {}, [c, b]);
  const c2 = s.conv("c2", x, 3, 4, {padding: "same", kernel_size: [1, 1]});
  const add3 = s.layer("Add", "add3", {}, [add, c2, b]);
  const pool = s.layer("AveragePooling2D", "pool", {pool_size: [3, 3], strides: [1, 1], padding: "same"}, [add3]);
  const bn2 = s.batchNorm("bn_after_pool", pool, 4);
  const cat = s.layer("Concatenate", "cat", {axis: -1}, [add, bn2, x]);
  const {nodes} = await check(s, [cat, add3], 6, 7);
  assert.equal(count(nodes, "Sum"), 1);
});

test("only the layers the outputs depend on are converted; fine-tuned flags follow trainable weights", () => {
  const s = new Synth(7);
  const x = s.input("in", 3);
  const frozen = s.conv("frozen", x, 3, 4, {});
  s.weight("tuned/kernel", [1, 1, 4, 4]);
  s.weight("tuned/bias", [4]);
  const tuned = s.layer("Conv2D", "tuned", {filters: 4, kernel_size: [1, 1], strides: [1, 1], padding: "valid", dilation_rate: [1, 1], activation: "linear"}, [frozen], true);
  const after = s.layer("Activation", "after", {activation: "relu"}, [tuned], false);
  s.layer("SeparableConv2D", "unused", {}, [after]);
  const {model, data} = s.build([after]);
  const conversion = convertKerasModel(model, data, {outputs: [frozen, after]});
  assert.deepEqual(conversion.outputs, [{name: "frozen", channels: 4, finetuned: false}, {name: "after", channels: 4, finetuned: true}]);
  const inputs = conversion.model.graph?.input ?? [];
  const outputs = conversion.model.graph?.output ?? [];
  assert.deepEqual(inputs.map((i) => i.name), ["input"]);
  const dims = (inputs[0]?.type?.tensorType?.shape?.dim ?? []).map((d) => d.dimParam || Number(d.dimValue));
  assert.deepEqual(dims, ["batch", 3, "height", "width"]);
  assert.deepEqual(outputs.map((o) => o.name), ["frozen", "after"]);
  assert.deepEqual((outputs[1]?.type?.tensorType?.shape?.dim ?? []).map((d) => Number(d.dimValue ?? 0)), [0, 4, 0, 0]);
  assert.equal(conversion.model.opsetImport[0].version, 13);
});

test("an unsupported layer type fails naming the layer and its type", () => {
  const s = new Synth(8);
  const x = s.input("in", 3);
  s.layer("SeparableConv2D", "sep_1", {}, [x]);
  const {model, data} = s.build(["sep_1"]);
  assert.throws(() => convertKerasModel(model, data), {message: 'unsupported layer type SeparableConv2D (layer "sep_1")'});
});

test("unknown output layer and bad weight data are reported", () => {
  const s = new Synth(9);
  const x = s.input("in", 3);
  s.conv("c", x, 3, 2, {});
  const {model, data} = s.build(["c"]);
  assert.throws(() => convertKerasModel(model, data, {outputs: ["nope"]}), /unknown output layer "nope"/);
  assert.throws(() => convertKerasModel(model, data.slice(1)), /weight data/);
});
