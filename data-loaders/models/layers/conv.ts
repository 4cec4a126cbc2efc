// Conv2D and DepthwiseConv2D, with an optional BatchNormalization folded in. Kernels are transposed from
// Keras HWIO ([kh, kw, in, out]; depthwise [kh, kw, C, multiplier]) to ONNX OIHW. A uint8 kernel stays uint8
// and is dequantised in the graph; the folded BatchNorm factor is a per-output-channel Mul on that float
// kernel ([O, 1, 1, 1]), and the folded shift goes into the bias. onnxruntime folds these constants.
import {pair, paddingMode, requireChannelsLast} from "../kerasJson.js";
import {dequantize, type WeightTensor} from "../weights.js";
import {emitActivationFunction} from "./activation.js";
import {batchNormAffine} from "./batchNorm.js";
import {windowPadding} from "./padding.js";
import {onlyInput, type EmitContext} from "./types.js";

interface KernelLayout {
  /** ONNX weight dims [O, I/group, kh, kw]. */
  dims: [number, number, number, number];
  /** Keras dims [kh, kw, a, b]. */
  kerasDims: [number, number, number, number];
  /** ONNX (o, i) of Keras (a, b). */
  map: (a: number, b: number) => [number, number];
  group: number;
}

/** Reorders an HWIO-style array into OIHW according to `layout`. */
function transpose<T extends Uint8Array | Uint16Array | Float64Array>(src: T, layout: KernelLayout, make: (n: number) => T): T {
  const [kh, kw, A, B] = layout.kerasDims;
  const [, I] = layout.dims;
  const out = make(src.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let a = 0; a < A; a++)
        for (let b = 0; b < B; b++) {
          const [o, i] = layout.map(a, b);
          out[((o * I + i) * kh + y) * kw + x] = src[((y * kw + x) * A + a) * B + b];
        }
  return out;
}

function kernelLayout(ctx: EmitContext, kernel: WeightTensor, inChannels: number): KernelLayout {
  const {layer} = ctx;
  const [kh, kw, a, b] = kernel.shape;
  if (kernel.shape.length !== 4) throw new Error(`layer "${layer.name}": kernel shape [${kernel.shape}] is not 4-D`);
  if (layer.className === "DepthwiseConv2D") {
    if (a !== inChannels) throw new Error(`layer "${layer.name}": kernel has ${a} input channels, the input has ${inChannels}`);
    return {dims: [a * b, 1, kh, kw], kerasDims: [kh, kw, a, b], map: (c, m) => [c * b + m, 0], group: a};
  }
  const groups = typeof layer.config.groups === "number" ? layer.config.groups : 1;
  if (a * groups !== inChannels) throw new Error(`layer "${layer.name}": kernel has ${a}×${groups} input channels, the input has ${inChannels}`);
  return {dims: [b, a, kh, kw], kerasDims: [kh, kw, a, b], map: (i, o) => [o, i], group: groups};
}

/** The ONNX weight input: dequantised (and BN-scaled) in the graph, or a float initializer. */
function weightInput(ctx: EmitContext, kernel: WeightTensor, layout: KernelLayout, factor: Float64Array | null): string {
  const {builder, layer} = ctx;
  const base = `${layer.name}/kernel`;
  const O = layout.dims[0];
  if (kernel.kind === "float32") {
    const w = transpose(Float64Array.from(kernel.values), layout, (n) => new Float64Array(n));
    if (factor) for (let i = 0; i < w.length; i++) w[i] *= factor[Math.floor(i / (w.length / O))];
    return builder.float(base, layout.dims, w);
  }
  const q = kernel.q instanceof Uint8Array ? transpose(kernel.q, layout, (n) => new Uint8Array(n)) : transpose(kernel.q, layout, (n) => new Uint16Array(n));
  const w = builder.dequantized(base, layout.dims, q, kernel.scale, kernel.min);
  if (!factor) return w;
  return builder.temp("Mul", [w, builder.float(`${layer.name}/bn_factor`, [O, 1, 1, 1], factor)], `${base}_bn`);
}

function emitConvolution(ctx: EmitContext): number {
  const {builder, layer, weights} = ctx;
  const {config} = layer;
  requireChannelsLast(config, layer.name);
  const input = onlyInput(ctx);
  const depthwise = layer.className === "DepthwiseConv2D";
  const kernel = weights.get(layer.name, depthwise ? "depthwise_kernel" : "kernel");
  const layout = kernelLayout(ctx, kernel, input.channels);
  const O = layout.dims[0];
  const bn = ctx.foldedBatchNorm ? batchNormAffine(ctx.foldedBatchNorm, weights, O) : null;
  if (bn && config.activation !== "linear" && config.activation !== undefined) {
    throw new Error(`layer "${layer.name}": cannot fold a BatchNormalization after activation ${String(config.activation)}`);
  }

  const inputs = [input.name, weightInput(ctx, kernel, layout, bn ? bn.factor : null)];
  const useBias = config.use_bias !== false;
  if (useBias || bn) {
    const bias = useBias ? dequantize(weights.get(layer.name, "bias", [O])) : new Float64Array(O);
    if (bn) for (let o = 0; o < O; o++) bias[o] = bias[o] * bn.factor[o] + bn.shift[o];
    inputs.push(builder.float(`${layer.name}/bias`, [O], bias));
  }

  const kernelShape: [number, number] = [layout.dims[2], layout.dims[3]];
  const strides = pair(config, "strides", layer.name, [1, 1]);
  const dilations = pair(config, "dilation_rate", layer.name, [1, 1]);
  if ((strides[0] > 1 || strides[1] > 1) && (dilations[0] > 1 || dilations[1] > 1)) {
    throw new Error(`layer "${layer.name}": strides and dilation_rate both above 1 are not supported by Keras`);
  }
  const attributes = {
    kernel_shape: kernelShape,
    strides,
    dilations,
    group: layout.group,
    ...windowPadding(paddingMode(config, layer.name), kernelShape, strides, dilations),
  };
  const linear = config.activation === "linear" || config.activation === undefined || config.activation === null;
  if (linear) {
    builder.node("Conv", inputs, ctx.output, attributes);
  } else {
    const conv = builder.temp("Conv", inputs, `${layer.name}/conv`, attributes);
    emitActivationFunction(builder, config.activation, conv, ctx.output, layer.name);
  }
  return O;
}

export const emitConv2D = emitConvolution;
export const emitDepthwiseConv2D = emitConvolution;
