// Layers that combine several tensors: Add and Concatenate.
import type {EmitContext} from "./types.js";

/** Add: elementwise sum of 2 or more tensors of one shape. */
export function emitAdd(ctx: EmitContext): number {
  const {inputs, layer} = ctx;
  if (inputs.length < 2) throw new Error(`layer "${layer.name}" (Add) needs at least 2 inputs`);
  if (inputs.some((t) => t.channels !== inputs[0].channels)) throw new Error(`layer "${layer.name}" (Add): inputs have different channel counts`);
  ctx.builder.node(inputs.length === 2 ? "Add" : "Sum", inputs.map((t) => t.name), ctx.output);
  return inputs[0].channels;
}

/** Concatenate along a channels-last axis; only the channel axis is supported. */
export function emitConcatenate(ctx: EmitContext): number {
  const {inputs, layer} = ctx;
  const axis = layer.config.axis ?? -1;
  if (axis !== -1 && axis !== 3) throw new Error(`layer "${layer.name}" (Concatenate): unsupported axis ${JSON.stringify(axis)}`);
  ctx.builder.node("Concat", inputs.map((t) => t.name), ctx.output, {axis: 1});
  return inputs.reduce((n, t) => n + t.channels, 0);
}
