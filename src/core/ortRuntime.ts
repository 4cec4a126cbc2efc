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

/** What kind of failure onnxruntime reported (see explainRuntimeFailure). */
export type RuntimeFailureKind = "external-data" | "ir-version" | "opset" | "custom-operator" | "missing-operator" | "memory" | "other";

/** An onnxruntime failure, in our words (never its build paths), with its kind. */
export class RuntimeFailure extends Error {
  constructor(message: string, readonly kind: RuntimeFailureKind) {
    super(message);
    this.name = "RuntimeFailure";
  }
}

/** onnxruntime's message without its build paths ("/onnxruntime_src/…/model.cc:202") and the C++ signature after them. */
export function withoutBuildPaths(message: string): string {
  return message
    .replace(/(?:\S*\/)?[\w.+-]+\.(?:cc|cpp|cxx|h|hpp)(?::\d+)?\s*(?:(?:[\w:<>,*&~]+\s+)?[\w:<>~]+::[\w~<>]+\((?:[^()]|\([^()]*\))*\)\s*(?:const\s*)?)?/g, "")
    .replace(/(?:\/[\w.@+-]+){2,}\/?/g, "…")
    .replace(/\s+/g, " ")
    .trim();
}

/** What to do with a model whose weights are in external data files (said at inspection, modelFile.ts, and here). */
export const ONE_FILE_ADVICE = `save the model as one file with its weights inside (in Python: onnx.save(onnx.load("model.onnx"), "whole.onnx", save_as_external_data=False)), then choose that file`;

/**
 * The one place that names an onnxruntime failure. `raw` is the runtime's message, `what` the model (quoted
 * file name), `doing` "load" or "run", `dims` the input shape of a run. Told apart: weights in an external
 * data file; an IR version or opset newer than the runtime's (both numbers named); a custom operator or one
 * the runtime lacks (named); memory exhausted (at this input size). Anything else keeps the runtime's words,
 * without build paths.
 */
export function explainRuntimeFailure(raw: string, what: string, doing: "load" | "run", dims?: readonly number[]): RuntimeFailure {
  const fail = (kind: RuntimeFailureKind, message: string) => new RuntimeFailure(message, kind);
  let m: RegExpMatchArray | null;
  if (/external data|externaldata|external_data|MountedFiles/i.test(raw)) {
    return fail("external-data", `${what} keeps its weights in an external data file, which the .onnx file only points to: ${ONE_FILE_ADVICE}`);
  }
  if ((m = raw.match(/IR version:?\s*(\d+),\s*max supported IR version:?\s*(\d+)/i))) {
    return fail("ir-version", `${what} is ONNX IR version ${m[1]}, newer than this page's onnxruntime reads (IR version ${m[2]} at most): export it again with an older exporter, or set its ir_version to ${m[2]}`);
  }
  if ((m = raw.match(/Opset (\d+) is under development[\s\S]*?support for domain (\S+) is till opset (\d+)/i))) {
    return fail("opset", `${what} uses opset ${m[1]} of ${m[2]}, newer than this page's onnxruntime supports (opset ${m[3]} at most): export it again with opset_version=${Math.min(Number(m[3]), 17)}`);
  }
  if ((m = raw.match(/([\w.]+):(\w+)\(-?\d+\) is not a registered function\/op/))) {
    return fail("custom-operator", `${what} uses the custom operator ${m[2]} (domain ${m[1]}), which onnxruntime in the browser does not have: export the model with standard ONNX operators only`);
  }
  if ((m = raw.match(/No Op registered for (\w+) with domain_version of (\d+)/) ?? raw.match(/Could not find an implementation for (\w+)\((\d+)\)/))) {
    return fail("missing-operator", `${what} uses the operator ${m[1]} (opset ${m[2]}), which this page's onnxruntime does not have: export it again with a recent standard opset (e.g. 17)`);
  }
  // An activation too large for WebAssembly's 32-bit sizes overflows SafeInt's size arithmetic before any allocation.
  if (/bad_alloc|out of memory|\bOOM\b|failed to allocate|could not allocate|Cannot enlarge memory|Aborted\(\)|SafeIntOnOverflow|Integer overflow/i.test(raw)) {
    const size = dims && dims.length === 4 ? ` at an input of ${dims.join("×")}` : "";
    // Said "ran out of memory" only when the runtime itself failed (an abort: the page then restarts the
    // worker, restartingWorker.ts); a size refused before allocating leaves it working.
    const lack = /Aborted\(|out of memory|memory access out of bounds|could not allocate/i.test(raw) ? "ran out of memory" : "does not have enough memory";
    return fail("memory", `onnxruntime ${lack} ${doing === "run" ? "running" : "loading"} ${what}${size}: ${dims ? "choose a smaller input size (e.g. 224)" : "choose a smaller model"}, or close other tabs`);
  }
  const shape = dims ? ` on an input of shape [${dims.join(", ")}]` : "";
  return fail("other", `onnxruntime could not ${doing} ${what}${shape}: ${withoutBuildPaths(raw)}`);
}

/** Creates a session, turning a failure into an error that names the file (explainRuntimeFailure). */
export async function createSession<Options>(ort: OrtRuntime<Options>, bytes: Uint8Array, options: Options | undefined, what: string): Promise<OrtSession> {
  try {
    return await ort.InferenceSession.create(bytes, options);
  } catch (e) {
    throw explainRuntimeFailure(e instanceof Error ? e.message : String(e), what, "load");
  }
}

/** Runs a session on one float32 input; a failure becomes an error that names the input shape (explainRuntimeFailure). */
export async function runFloat(ort: OrtRuntime<unknown>, session: OrtSession, inputName: string, data: Float32Array, dims: readonly number[], what: string): Promise<Record<string, OrtTensor>> {
  try {
    return await session.run({[inputName]: new ort.Tensor("float32", data, dims)});
  } catch (e) {
    throw explainRuntimeFailure(e instanceof Error ? e.message : String(e), what, "run", dims);
  }
}
