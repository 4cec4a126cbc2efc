// Keras layer class → ONNX emitter. InputLayer is handled by the graph assembly (it becomes the graph input).
import {emitActivation, emitReLU} from "./activation.js";
import {emitBatchNormalization} from "./batchNorm.js";
import {emitConv2D, emitDepthwiseConv2D} from "./conv.js";
import {emitAdd, emitConcatenate} from "./merge.js";
import {emitZeroPadding} from "./padding.js";
import {emitAveragePooling, emitMaxPooling} from "./pooling.js";
import type {Emitter} from "./types.js";

export const EMITTERS: Readonly<Record<string, Emitter>> = {
  Conv2D: emitConv2D,
  DepthwiseConv2D: emitDepthwiseConv2D,
  BatchNormalization: emitBatchNormalization,
  Activation: emitActivation,
  ReLU: emitReLU,
  MaxPooling2D: emitMaxPooling,
  AveragePooling2D: emitAveragePooling,
  ZeroPadding2D: emitZeroPadding,
  Add: emitAdd,
  Concatenate: emitConcatenate,
};

/** Layer classes a BatchNormalization can be folded into. */
export const CONVOLUTIONS: ReadonlySet<string> = new Set(["Conv2D", "DepthwiseConv2D"]);

export type {EmitContext, Emitter, Tensor} from "./types.js";
