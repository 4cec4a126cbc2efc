// BatchNormalization (inference): y = (x − mean) / sqrt(var + ε) × gamma + beta = x × factor + shift.
// Usually folded into the convolution before it (see conv.ts); otherwise emitted as Mul and Add.
import type {KerasLayer} from "../kerasJson.js";
import {dequantize, type WeightStore} from "../weights.js";
import {onlyInput, type EmitContext} from "./types.js";

export interface Affine {
  factor: Float64Array;
  shift: Float64Array;
}

/** The per-channel factor and shift of a BatchNormalization layer (gamma and beta optional: scale/center False). */
export function batchNormAffine(layer: KerasLayer, weights: WeightStore, channels: number): Affine {
  const {config, name} = layer;
  const axis = Array.isArray(config.axis) && config.axis.length === 1 ? config.axis[0] : config.axis;
  if (axis !== 3 && axis !== -1) throw new Error(`layer "${name}" (BatchNormalization): unsupported axis ${JSON.stringify(config.axis)}`);
  const epsilon = typeof config.epsilon === "number" ? config.epsilon : 1e-3;
  const param = (p: string) => dequantize(weights.get(name, p, [channels]));
  const mean = param("moving_mean");
  const variance = param("moving_variance");
  const gamma = config.scale === false ? null : param("gamma");
  const beta = config.center === false ? null : param("beta");
  const factor = new Float64Array(channels);
  const shift = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    factor[c] = (gamma ? gamma[c] : 1) / Math.sqrt(variance[c] + epsilon);
    shift[c] = (beta ? beta[c] : 0) - mean[c] * factor[c];
  }
  return {factor, shift};
}

/** A BatchNormalization that could not be folded: Mul by factor, Add shift, both [1, C, 1, 1]. */
export function emitBatchNormalization(ctx: EmitContext): number {
  const {builder, layer} = ctx;
  const input = onlyInput(ctx);
  const {factor, shift} = batchNormAffine(layer, ctx.weights, input.channels);
  const dims = [1, input.channels, 1, 1];
  const scaled = builder.temp("Mul", [input.name, builder.float(`${layer.name}/factor`, dims, factor)], `${layer.name}/scaled`);
  builder.node("Add", [scaled, builder.float(`${layer.name}/shift`, dims, shift)], ctx.output);
  return input.channels;
}
