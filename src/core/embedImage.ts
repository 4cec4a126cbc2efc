// One image through the model, from decoded pixels to one vector per cell at each chosen layer: the one path
// the build takes for bundled images (data-loaders/snapshot.ts), the browser takes for uploads
// (workers/uploads.ts), and the bench and tests take: modelInput (planInput → cropResize → rounded to 8-bit
// RGB) → embedInput (toInputTensor → tap session → toCellMajor). The model is fed exactly the 8-bit pixels
// that are stored and shown. No DOM, no Node APIs.
import {toCellMajor} from "./cellMajor.js";
import {tokensToCells} from "./tokenGrid.js";
import type {LayerSpec, ModelSpec, SizePolicy} from "./modelSpec.js";
import {rgbToBytes, type Pixels, type Rgb8} from "./pixels.js";
import {toGrey, toInputTensor} from "./preprocess.js";
import {cropResize} from "./resize.js";
import {planInput} from "./sizePolicy.js";
import type {TapSession} from "./tapSession.js";
import {transformImage, type Interpolation, type Transform} from "./transforms.js";

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
  /** The exact pixels the model saw (8-bit RGB, before normalisation). */
  rgb: Rgb8;
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

/**
 * The model input of one decoded image under `policy`: the crop and size planInput chooses, resized by
 * cropResize (alpha flattened onto white), rounded to 8-bit RGB. These bytes are what the model is fed.
 */
export function modelInput(pixels: Pixels, policy: SizePolicy, channels: 1 | 3 = 3): Rgb8 {
  const plan = planInput(policy, pixels.width, pixels.height);
  const rgb = rgbToBytes(cropResize(pixels, plan.crop, plan.width, plan.height));
  const input: Rgb8 = {data: rgb, width: plan.width, height: plan.height, channels: 3};
  // A greyscale model sees (and the page shows) the picture in grey.
  return channels === 1 ? toGrey(input) : input;
}

/** Runs a model input (from modelInput) through `session` (tapped at least at each of `layers`' outputs). */
export async function embedInput(session: TapSession, input: Rgb8, model: ModelSpec, layers: readonly LayerSpec[]): Promise<EmbeddedLayers> {
  const tensor = toInputTensor(input, model.input);
  const outputs = await session.run(tensor.data, tensor.dims);
  return cellMajorLayers(session, outputs, layers, input);
}

/** Each layer's output in cell-major order, checked against its description. */
function cellMajorLayers(session: TapSession, outputs: Awaited<ReturnType<TapSession["run"]>>, layers: readonly LayerSpec[], size: {width: number; height: number}): EmbeddedLayers {
  const out: EmbeddedLayers = {};
  for (const layer of layers) {
    const tensor = outputs.get(layer.output);
    if (!tensor) throw new Error(`the session does not compute layer ${layer.name} (output ${layer.output}); it taps ${session.outputs.join(", ")}`);
    // Token layers (transformers): the patch tokens on the patch grid of this input's size.
    const cells = layer.layout === "NCHW" || layer.layout === "NHWC" ? toCellMajor(tensor.data, tensor.dims, layer.layout) : tokensToCells(tensor.data, tensor.dims, layer, size);
    if (cells.channels !== layer.channels) throw new Error(`layer ${layer.name} gave ${cells.channels} channels, the model description says ${layer.channels}`);
    out[layer.name] = {values: cells.values, grid: {width: cells.width, height: cells.height}, channels: cells.channels};
  }
  return out;
}

/** A transform applied to the model input before the model sees it (the transformed sets, transforms.ts). */
export interface InputTransform {
  transform: Transform;
  interpolation?: Interpolation;
}

/** Runs one decoded image through `session` (tapped at least at each of `layers`' outputs), timing each step;
 * with `transformed`, the model input is transformed first (as the build does for a dataset's transformed sets). */
export async function embedPixels(
  session: TapSession,
  pixels: Pixels,
  model: ModelSpec,
  policy: SizePolicy,
  layers: readonly LayerSpec[],
  now: () => number = () => performance.now(),
  transformed?: InputTransform
): Promise<PixelsEmbedding> {
  const t0 = now();
  const input = modelInput(pixels, policy, model.input.channels);
  const rgb = transformed ? transformImage(input, transformed.transform, transformed.interpolation) : input;
  const tensor = toInputTensor(rgb, model.input);
  const t1 = now();
  const outputs = await session.run(tensor.data, tensor.dims);
  const t2 = now();
  const out = cellMajorLayers(session, outputs, layers, rgb);
  const t3 = now();
  return {width: rgb.width, height: rgb.height, rgb, layers: out, ms: {preprocess: t1 - t0, inference: t2 - t1, postprocess: t3 - t2}};
}
