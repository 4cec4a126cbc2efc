// A user's own model file: the checks it passes before it is read (its size), what its bytes are (an
// ONNX model, or plainly something else), and its description for similarity overlays (its image input
// and candidate layers, by onnxGraph.ts and layerTap.ts), each failure as a message that says what was
// wrong and what to do. Shared by the uploads worker and the tests. No DOM, no Node APIs.
import {quoteName, sniffFile} from "./imageFile.js";
import {listCandidateLayers, NO_SPATIAL_OUTPUT, type CandidateLayer} from "./layerTap.js";
import {decodeModel, describeImageInput, type ImageInput, type ModelProto} from "./onnxGraph.js";
import {ONE_FILE_ADVICE, RuntimeFailure, type OrtRuntime} from "./ortRuntime.js";
import {modelHints, type ModelHints} from "./ownModel.js";

/** Largest model file accepted, in bytes: 500 MB. onnxruntime-web holds the file and the session's copy
 * of its weights at once, and a browser tab's WebAssembly memory is at most 4 GB (often less). */
export const MAX_MODEL_BYTES = 500_000_000;

/** A byte count for messages: "0 bytes", "612 bytes", "12.3 KB", "612 MB", "1.2 GB" (1 KB = 1000 bytes). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} byte${n === 1 ? "" : "s"}`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = n / 1000;
  let unit = 0;
  while (value >= 999.5 && unit < units.length - 1) {
    value /= 1000;
    ++unit;
  }
  return `${Number(value.toPrecision(3))} ${units[unit]}`;
}

/** How a model file is named in messages. */
export function describeModelFile(name: string | null | undefined): string {
  return quoteName(name, "the model file");
}

/**
 * Checks a model file by its size alone, before any of it is read: not empty, and at most `limit`
 * bytes. When the size would round to the limit, the message gives more digits.
 */
export function checkModelFile(name: string | null | undefined, size: number, limit = MAX_MODEL_BYTES): void {
  const what = describeModelFile(name);
  if (size === 0) throw new Error(`${what} is a zero-byte file: choose the model again, or re-export it`);
  if (size > limit) {
    let shown = formatBytes(size);
    if (shown === formatBytes(limit)) shown = `${size.toLocaleString("en-US")} bytes`;
    throw new Error(`${what} is ${shown}; the limit is ${formatBytes(limit)}, as larger models do not fit in a browser tab's memory: choose a smaller model, or an 8-bit (quantized) export of it`);
  }
}

/** Other model formats, by their first bytes. */
function otherModelFormat(head: Uint8Array): string | null {
  const text = (a: number, b: number) => String.fromCharCode(...head.subarray(a, b));
  if (text(0, 8) === "\x89HDF\r\n\x1a\n") return "a Keras/HDF5 (.h5) file";
  if (text(4, 8) === "TFL3") return "a TensorFlow Lite model";
  if (head[0] === 0x80 && head[1]! >= 2 && head[1]! <= 5) return "a Python pickle (e.g. a PyTorch checkpoint)";
  if (text(0, 4) === "PK\x03\x04") return "a ZIP archive (e.g. a PyTorch .pt or Keras .keras file)";
  return null;
}

const EXPORT_ADVICE = "choose the model's .onnx file (export it with torch.onnx.export, tf2onnx or another ONNX exporter)";

/** Checks that a model file's first bytes are not plainly something else (an image, a text, another model format). */
export function checkModelBytes(name: string | null | undefined, head: Uint8Array): void {
  const what = describeModelFile(name);
  const other = otherModelFormat(head);
  if (other) throw new Error(`${what} is ${other}, not an ONNX model: ${EXPORT_ADVICE}`);
  const sniffed = sniffFile(head.subarray(0, 4096));
  if (sniffed.kind === "image") throw new Error(`${what} is a ${sniffed.format.toUpperCase()} image, not an ONNX model: ${EXPORT_ADVICE}`);
  if (sniffed.kind === "svg") throw new Error(`${what} is an SVG drawing, not an ONNX model: ${EXPORT_ADVICE}`);
  if (sniffed.kind === "other") throw new Error(`${what} is ${sniffed.what}, not an ONNX model: ${EXPORT_ADVICE}`);
}

/** The external data files a model's weights are kept in (initializers stored outside the .onnx file), by name. */
export function externalDataFiles(model: ModelProto): string[] {
  const files = new Set<string>();
  for (const t of model.graph?.initializer ?? []) {
    if (t.dataLocation !== 1) continue; // TensorProto.DataLocation.EXTERNAL
    files.add(t.externalData?.find((e) => e.key === "location")?.value ?? "?");
  }
  return [...files];
}

/** Refuses a model whose weights are in external data files, naming them and saying how to make one file. */
export function checkSelfContained(model: ModelProto, what: string): void {
  const files = externalDataFiles(model);
  if (!files.length) return;
  throw new Error(
    `${what} keeps its weights in ${files.length === 1 ? "an external data file" : `${files.length} external data files`} (${files.join(", ")}), which the .onnx file only points to: ${ONE_FILE_ADVICE}`
  );
}

/** What describeModel reports. */
export interface ModelDescription {
  /** The image input: name, layout, channels, fixed sizes. */
  input: ImageInput;
  /** Layers usable for similarity overlays, in graph order (see listCandidateLayers). */
  layers: CandidateLayer[];
  /** What the file's metadata says about its preprocessing, size and layers (see ownModel.ts modelHints). */
  hints: ModelHints;
}

/** Options of describeModel. */
export interface DescribeModelOptions<Options> {
  sessionOptions?: Options;
  /** Probe size (default the model's fixed size, else 224 × 224). */
  size?: {height: number; width: number};
}

const IMAGE_MODEL_ADVICE = "similarity overlays need an image model, such as a convolutional network (ResNet, VGG, MobileNet, Inception…) exported to ONNX";

/**
 * Reads a model file's bytes and describes it for similarity overlays: its image input and candidate
 * layers. Every failure is an Error whose message names the file, says what is wrong and what to do:
 * not ONNX (another format, or corrupt or truncated), an input that is not an image, no 4-D output
 * with a spatial grid, or a model onnxruntime cannot load or run.
 */
export async function describeModel<Options>(ort: OrtRuntime<Options>, bytes: Uint8Array, name: string | null | undefined, options: DescribeModelOptions<Options> = {}): Promise<ModelDescription> {
  const what = describeModelFile(name);
  checkModelBytes(name, bytes);
  let model: ModelProto;
  try {
    model = decodeModel(bytes, what);
  } catch (error) {
    throw new Error(`${(error as Error).message}: choose the model again, or export it to ONNX again`);
  }
  checkSelfContained(model, what);
  let input: ImageInput;
  try {
    input = describeImageInput(model, what);
  } catch (error) {
    throw new Error(`${(error as Error).message}; ${IMAGE_MODEL_ADVICE}`);
  }
  // Pictures are run one at a time: a fixed batch of more than one would fail at Run, so it is said here.
  if (input.batch !== null && input.batch !== 1) {
    throw new Error(`${what} takes a fixed batch of ${input.batch} images at once (input "${input.name}" has batch dimension ${input.batch}); this page runs one picture at a time: export it with a batch of 1, or with a free (dynamic) batch dimension`);
  }
  let layers: CandidateLayer[];
  try {
    layers = await listCandidateLayers(ort, model, {fileName: what, sessionOptions: options.sessionOptions, size: options.size});
  } catch (error) {
    const message = (error as Error).message;
    if (message === NO_SPATIAL_OUTPUT) throw new Error(`${what}: ${NO_SPATIAL_OUTPUT}; ${IMAGE_MODEL_ADVICE}, whose layers keep a grid of cells`);
    // A failure the runtime's words were told apart for says what to do already.
    if (error instanceof RuntimeFailure && error.kind !== "other") throw error;
    throw new Error(`${message}; onnxruntime-web may lack one of its operators: export it again with a recent standard opset (e.g. 17)`);
  }
  return {input, layers, hints: modelHints(model)};
}
