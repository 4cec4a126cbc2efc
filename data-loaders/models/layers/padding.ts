// Keras 'same'/'valid' padding as ONNX attributes, and the ZeroPadding2D layer.
import {pair, requireChannelsLast} from "../kerasJson.js";
import type {Attributes} from "../onnxBuilder.js";
import {onlyInput, type EmitContext} from "./types.js";

/**
 * ONNX padding attributes for a window op. 'valid' pads nothing. 'same' at stride 1 does not depend on the
 * input size: explicit pads, the odd one at the end as TensorFlow does. 'same' with a larger stride depends
 * on the (symbolic) size: auto_pad SAME_UPPER, which is TensorFlow's rule (extra padding at the end).
 */
export function windowPadding(mode: "same" | "valid", kernel: [number, number], strides: [number, number], dilations: [number, number] = [1, 1]): Attributes {
  if (mode === "valid") return {pads: [0, 0, 0, 0]};
  if (strides[0] !== 1 || strides[1] !== 1) return {auto_pad: "SAME_UPPER"};
  const total = kernel.map((k, i) => (k - 1) * dilations[i]);
  const begin = total.map((t) => Math.floor(t / 2));
  return {pads: [begin[0], begin[1], total[0] - begin[0], total[1] - begin[1]]};
}

/** ZeroPadding2D: padding given as n, [h, w] or [[top, bottom], [left, right]]. */
export function emitZeroPadding(ctx: EmitContext): number {
  const {layer, builder} = ctx;
  requireChannelsLast(layer.config, layer.name);
  const p = layer.config.padding;
  let hw: [[number, number], [number, number]];
  if (Array.isArray(p) && p.length === 2 && Array.isArray(p[0]) && Array.isArray(p[1])) {
    const [top, bottom] = pair({v: p[0]}, "v", layer.name);
    const [left, right] = pair({v: p[1]}, "v", layer.name);
    hw = [[top, bottom], [left, right]];
  } else {
    const [h, w] = pair(layer.config, "padding", layer.name);
    hw = [[h, h], [w, w]];
  }
  const input = onlyInput(ctx);
  const pads = builder.int64(`${layer.name}/pads`, [8], [0, 0, hw[0][0], hw[1][0], 0, 0, hw[0][1], hw[1][1]]);
  builder.node("Pad", [input.name, pads], ctx.output, {mode: "constant"});
  return input.channels;
}
