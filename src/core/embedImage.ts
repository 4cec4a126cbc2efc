// One image through the model, from decoded pixels to one vector per cell at each chosen layer: the path
// the build takes for bundled images (data-loaders/snapshot.ts) and the browser takes for uploads
// (workers/uploads.ts): planInput → cropResize → toInputTensor → tap session → toCellMajor. No DOM, no
// Node APIs.
import {toCellMajor} from "./cellMajor.js";
import type {LayerSpec, ModelSpec, SizePolicy} from "./modelSpec.js";
import type {Pixels, RgbFloat} from "./pixels.js";
import {toInputTensor} from "./preprocess.js";
import {cropResize} from "./resize.js";
import {planInput} from "./sizePolicy.js";
import type {TapSession} from "./tapSession.js";

// The checks an upload passes before its pixels are read live in imageFile.ts.
export {checkUploadBytes, checkUploadFile, checkUploadPixels, decodeFailure, describeUpload, MAX_UPLOAD_PIXELS} from "./imageFile.js";

/** A layer's activations for one image: `grid.width × grid.height` cells (row-major), `channels` values each. */
export interface LayerCells {
  values: Float32Array;
  grid: {width: number; height: number};
  channels: number;
}

/** The layers, by name, that the tapped outputs carry. */
export type EmbeddedLayers = Record<string, LayerCells>;

/** What embedPixels returns: the model input (size and RGB), each layer's cells, and where the time went. */
export interface PixelsEmbedding {
  /** Model input size. */
  width: number;
  height: number;
  /** The pixels the model saw (RGB floats 0–255, before normalisation). */
  rgb: RgbFloat;
  layers: EmbeddedLayers;
  /** Milliseconds: crop, resize and normalisation; the model run; the change to cell-major order. */
  ms: {preprocess: number; inference: number; postprocess: number};
}

/**
 * The layers of `model` that `outputs` name, in that order. Each entry is a layer's name ("mixed4") or its
 * ONNX output name; the error names what the model offers.
 */
export function resolveLayers(model: ModelSpec, outputs: readonly string[]): LayerSpec[] {
  if (outputs.length === 0) throw new Error(`no layers chosen (model ${model.id} offers ${model.layers.map((l) => l.name).join(", ")})`);
  const layers = outputs.map((o) => {
    const layer = model.layers.find((l) => l.name === o) ?? model.layers.find((l) => l.output === o);
    if (!layer) throw new Error(`invalid layer: ${o} (model ${model.id} offers ${model.layers.map((l) => l.name).join(", ")})`);
    return layer;
  });
  return [...new Map(layers.map((l) => [l.name, l])).values()];
}

/** Runs one decoded image through `session` (tapped at least at each of `layers`' outputs). */
export async function embedPixels(
  session: TapSession,
  pixels: Pixels,
  model: ModelSpec,
  policy: SizePolicy,
  layers: readonly LayerSpec[],
  now: () => number = () => performance.now(),
): Promise<PixelsEmbedding> {
  const t0 = now();
  const plan = planInput(policy, pixels.width, pixels.height);
  const rgb = cropResize(pixels, plan.crop, plan.width, plan.height);
  const input = toInputTensor(rgb, model.input);
  const t1 = now();
  const outputs = await session.run(input.data, input.dims);
  const t2 = now();
  const out: EmbeddedLayers = {};
  for (const layer of layers) {
    const tensor = outputs.get(layer.output);
    if (!tensor) throw new Error(`the session does not compute layer ${layer.name} (output ${layer.output}); it taps ${session.outputs.join(", ")}`);
    const cells = toCellMajor(tensor.data, tensor.dims, layer.layout);
    if (cells.channels !== layer.channels) throw new Error(`layer ${layer.name} gave ${cells.channels} channels, the model description says ${layer.channels}`);
    out[layer.name] = {values: cells.values, grid: {width: cells.width, height: cells.height}, channels: cells.channels};
  }
  const t3 = now();
  return {width: plan.width, height: plan.height, rgb, layers: out, ms: {preprocess: t1 - t0, inference: t2 - t1, postprocess: t3 - t2}};
}
