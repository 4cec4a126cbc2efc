// The part of the onnxruntime JavaScript API that src/core uses, typed structurally so that the module
// object of onnxruntime-node (build loaders) and of onnxruntime-web (browser workers) both fit:
//   import * as ort from "onnxruntime-node";  createTapSession(ort, bytes, outputs)
// No DOM, no Node APIs.

/** A tensor as onnxruntime returns it. */
export interface OrtTensor {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: unknown;
}

/** An onnxruntime InferenceSession. */
export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

/** `import * as ort from "onnxruntime-node"` or `"onnxruntime-web"`. `Options` is inferred: the
 * runtime's InferenceSession.SessionOptions. */
export interface OrtRuntime<Options = unknown> {
  InferenceSession: {create(model: Uint8Array, options?: Options): Promise<OrtSession>};
  Tensor: new (type: "float32", data: Float32Array, dims: readonly number[]) => OrtTensor;
}

/** Creates a session, turning a failure into an error that names the file. */
export async function createSession<Options>(ort: OrtRuntime<Options>, bytes: Uint8Array, options: Options | undefined, what: string): Promise<OrtSession> {
  try {
    return await ort.InferenceSession.create(bytes, options);
  } catch (e) {
    throw new Error(`onnxruntime could not load ${what}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Runs a session on one float32 input; a failure becomes an error that names the input shape. */
export async function runFloat(ort: OrtRuntime<unknown>, session: OrtSession, inputName: string, data: Float32Array, dims: readonly number[], what: string): Promise<Record<string, OrtTensor>> {
  try {
    return await session.run({[inputName]: new ort.Tensor("float32", data, dims)});
  } catch (e) {
    throw new Error(`onnxruntime could not run ${what} on an input of shape [${dims.join(", ")}]: ${e instanceof Error ? e.message : String(e)}`);
  }
}
