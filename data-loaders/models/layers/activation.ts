// Activation functions: the Activation and ReLU layers, and the `activation` option of other layers.
import type {GraphBuilder} from "../onnxBuilder.js";
import {onlyInput, type EmitContext} from "./types.js";

/** Emits `activation` applied to `input` under the name `output`. */
export function emitActivationFunction(builder: GraphBuilder, activation: unknown, input: string, output: string, layer: string): string {
  switch (activation) {
    case "linear":
    case undefined:
    case null:
      return builder.node("Identity", [input], output);
    case "relu":
      return builder.node("Relu", [input], output);
    case "relu6":
      return clip(builder, input, output, 6, layer);
    case "sigmoid":
      return builder.node("Sigmoid", [input], output);
    case "tanh":
      return builder.node("Tanh", [input], output);
    default:
      throw new Error(`unsupported activation ${JSON.stringify(activation)} (layer "${layer}")`);
  }
}

function clip(builder: GraphBuilder, input: string, output: string, max: number, layer: string): string {
  return builder.node("Clip", [input, builder.float(`${layer}/clip_min`, [], [0]), builder.float(`${layer}/clip_max`, [], [max])], output);
}

/** Activation layer, e.g. {activation: "relu"}. */
export function emitActivation(ctx: EmitContext): number {
  const input = onlyInput(ctx);
  emitActivationFunction(ctx.builder, ctx.layer.config.activation, input.name, ctx.output, ctx.layer.name);
  return input.channels;
}

/** ReLU layer: max(x, 0), capped at max_value when it is set (ReLU6). */
export function emitReLU(ctx: EmitContext): number {
  const {layer, builder} = ctx;
  const {max_value: max, negative_slope: slope = 0, threshold = 0} = layer.config;
  if (slope !== 0 || threshold !== 0) throw new Error(`unsupported ReLU with negative_slope ${String(slope)} / threshold ${String(threshold)} (layer "${layer.name}")`);
  const input = onlyInput(ctx);
  if (max === null || max === undefined) builder.node("Relu", [input.name], ctx.output);
  else if (typeof max === "number") clip(builder, input.name, ctx.output, max, layer.name);
  else throw new Error(`layer "${layer.name}": invalid max_value ${JSON.stringify(max)}`);
  return input.channels;
}
