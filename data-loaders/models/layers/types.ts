// What a per-layer emitter receives and returns.
import type {KerasLayer} from "../kerasJson.js";
import type {GraphBuilder} from "../onnxBuilder.js";
import type {WeightStore} from "../weights.js";

/** A tensor of the ONNX graph being built, NCHW, with its channel count. */
export interface Tensor {
  name: string;
  channels: number;
}

export interface EmitContext {
  builder: GraphBuilder;
  weights: WeightStore;
  layer: KerasLayer;
  inputs: Tensor[];
  /** Name the layer's output tensor must have (already reserved). */
  output: string;
  /** A BatchNormalization layer that directly follows this convolution and is folded into it. */
  foldedBatchNorm?: KerasLayer;
}

/** Emits the ONNX nodes of one Keras layer and returns the number of output channels. */
export type Emitter = (ctx: EmitContext) => number;

/** The single input of a layer that takes one. */
export function onlyInput(ctx: EmitContext): Tensor {
  if (ctx.inputs.length !== 1) throw new Error(`layer "${ctx.layer.name}" (${ctx.layer.className}) expects 1 input, got ${ctx.inputs.length}`);
  return ctx.inputs[0];
}
