// An onnxruntime session that returns the chosen layers' activations for one image input.
// No DOM, no Node APIs: works with onnxruntime-node and onnxruntime-web alike.
import {decodeModel, describeImageInput, encodeModel, type ImageInput} from "./onnxGraph.js";
import {createSession, runFloat, type OrtRuntime} from "./ortRuntime.js";
import {pruneTo} from "./tapModel.js";

export interface Activation {
  data: Float32Array;
  /** As the model produces them, in the layer's layout (e.g. [1, C, H, W] for NCHW). */
  dims: number[];
}

export interface TapSession {
  /** The model's image input. */
  input: ImageInput;
  /** The tapped outputs, in the order asked for. */
  outputs: readonly string[];
  /** Runs the model on `input` (shape `dims`, in the input's layout); one entry per tapped output. */
  run(input: Float32Array, dims: readonly number[]): Promise<Map<string, Activation>>;
  /** Releases the session. */
  dispose(): Promise<void>;
}

/** Loads `bytes` (the full model) tapped at `outputs` (see tapModel) into an onnxruntime session. */
export async function createTapSession<Options>(
  ort: OrtRuntime<Options>,
  bytes: Uint8Array,
  outputs: readonly string[],
  sessionOptions?: Options,
  fileName = "model.onnx",
): Promise<TapSession> {
  const model = decodeModel(bytes, fileName);
  const input = describeImageInput(model, fileName);
  const names = [...new Set(outputs)];
  const session = await createSession(ort, encodeModel(pruneTo(model, names)), sessionOptions, fileName);
  let disposed = false;
  return {
    input,
    outputs: names,
    async run(data, dims) {
      if (disposed) throw new Error("this tap session was disposed");
      const size = dims.reduce((a, b) => a * b, 1);
      if (dims.length !== 4 || size !== data.length) {
        throw new Error(`input of ${data.length} values does not match shape [${dims.join(", ")}]; expected 4 dimensions in ${input.layout} order`);
      }
      const channels = input.layout === "NCHW" ? dims[1] : dims[3];
      if (channels !== input.channels) throw new Error(`input shape [${dims.join(", ")}] has ${channels} channels; ${fileName} expects ${input.channels} (${input.layout})`);
      const results = await runFloat(ort, session, input.name, data, dims, fileName);
      const out = new Map<string, Activation>();
      for (const name of names) {
        const t = results[name];
        if (!t) throw new Error(`onnxruntime returned no output ${name}`);
        if (!(t.data instanceof Float32Array)) throw new Error(`output ${name} is ${t.type}, not float32`);
        out.set(name, {data: t.data, dims: [...t.dims]});
      }
      return out;
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await session.release();
    },
  };
}
