// What a model needs from its input and what it offers at each layer. The build writes one of these per
// model (models.json); the browser reads it to preprocess uploads and to map pixels to cells.
import type {TokenLayout} from "./tokenGrid.js";

/** How pixel values in [0, 255] become the model's input values. */
export type Normalization =
  /** Linear map of [0, 255] onto [min, max], e.g. Keras InceptionV3: min −1, max 1. */
  | {kind: "range"; min: number; max: number}
  /** (v / 255 − mean[c]) / std[c] per channel, in the model's channel order (torchvision style). */
  | {kind: "meanStd"; mean: [number, number, number]; std: [number, number, number]};

/** How an image of any size becomes the model's input size. */
export type SizePolicy =
  /** Centre crop to a square, then resize to size × size. */
  | {kind: "square"; size: number}
  /** Keep the aspect ratio: the shorter side becomes `size`, the longer side is capped at `max`
   * (cropping the centre beyond it). */
  | {kind: "shorterSide"; size: number; max: number}
  /** The model's input has a fixed height and width: resize (no crop) to exactly that. */
  | {kind: "fixed"; width: number; height: number};

export interface InputSpec {
  /** Name of the ONNX graph input. */
  name: string;
  /** Tensor layout of that input. */
  layout: "NCHW" | "NHWC";
  /** Channel order the model expects. */
  channelOrder: "RGB" | "BGR";
  normalization: Normalization;
  /** Smallest height and width the model accepts (e.g. 75 for InceptionV3). */
  minSize: number;
  /** Fixed spatial size of the input, or null when height and width are symbolic. */
  fixedSize: {width: number; height: number} | null;
  /** Colour channels the model takes: 3 (default), or 1 for a greyscale model (pictures are converted to grey, see preprocess.ts toGrey). */
  channels?: 1 | 3;
}

export interface LayerSpec {
  /** Display name, e.g. "mixed4". */
  name: string;
  /** Name of the ONNX graph output that carries this layer's activation. */
  output: string;
  /** Number of channels (the length of a cell's vector). */
  channels: number;
  /** Distance in input pixels between neighbouring cell centres. */
  stride: number;
  /** Side of the receptive field in input pixels (before clipping at the image border). */
  receptiveField: number;
  /** Input-pixel coordinate of the centre of cell 0's receptive field (may be fractional). */
  offset: number;
  /** True when the weights of this layer (or an earlier one) were trained on another task than ImageNet. */
  finetuned: boolean;
  /** Output layout: channels first (NCHW) or last (NHWC), or transformer tokens, [1, N, D] (NLD) or [N, 1, D]
   * (LND), whose patch tokens are the cells (tokenGrid.ts; `stride` is then the patch size). */
  layout: "NCHW" | "NHWC" | TokenLayout;
  /** Token layers: how many tokens come before the patches (class token, registers) and are left out. */
  prefixTokens?: number;
  /** True when every cell sees the whole image (token layers: attention mixes all patches). */
  wholeImage?: boolean;
  /** False when the graph analysis could not give the receptive field (an operator on the way is not
   * understood): stride, receptiveField and offset then describe the cell itself. Absent: known. */
  receptiveFieldKnown?: boolean;
  /** Grid size (cells) at the model's default input size, when measured (model description files). */
  grid?: {width: number; height: number};
}

export interface ModelSpec {
  /** Stable identifier, e.g. "inception_v3". */
  id: string;
  /** Human title, e.g. "InceptionV3 (ImageNet, from nsfwjs 4.3.0)". */
  title: string;
  /** Where the weights come from and their licence, shown in credits. */
  source: string;
  input: InputSpec;
  /** Default size policy for datasets that do not choose one. */
  sizePolicy: SizePolicy;
  /** Layer shown first. */
  defaultLayer: string;
  layers: LayerSpec[];
  /** SHA-256 (hex) of the ONNX file the site serves for this model (model description files), so a page can
   * tell when a file given to it is this very model. */
  sha256?: string;
}

/** Returns the layer called `name`, or throws naming the layers on offer. */
export function findLayer(model: ModelSpec, name: string): LayerSpec {
  const layer = model.layers.find((l) => l.name === name);
  if (!layer) throw new Error(`invalid layer: ${name} (model ${model.id} offers ${model.layers.map((l) => l.name).join(", ")})`);
  return layer;
}
