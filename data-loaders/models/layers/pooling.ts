// MaxPooling2D and AveragePooling2D. Keras 'same' average pooling ignores padded cells: count_include_pad 0.
import {pair, paddingMode, requireChannelsLast} from "../kerasJson.js";
import {windowPadding} from "./padding.js";
import {onlyInput, type EmitContext} from "./types.js";

function emitPool(ctx: EmitContext, opType: "MaxPool" | "AveragePool"): number {
  const {layer} = ctx;
  requireChannelsLast(layer.config, layer.name);
  const kernel = pair(layer.config, "pool_size", layer.name, [2, 2]);
  const strides = pair(layer.config, "strides", layer.name, kernel);
  const input = onlyInput(ctx);
  ctx.builder.node(opType, [input.name], ctx.output, {
    kernel_shape: kernel,
    strides,
    ...windowPadding(paddingMode(layer.config, layer.name), kernel, strides),
    ...(opType === "AveragePool" ? {count_include_pad: 0} : {}),
  });
  return input.channels;
}

export const emitMaxPooling = (ctx: EmitContext) => emitPool(ctx, "MaxPool");
export const emitAveragePooling = (ctx: EmitContext) => emitPool(ctx, "AveragePool");
