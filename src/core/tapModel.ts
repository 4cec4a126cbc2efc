// A copy of a model whose graph outputs are exactly the chosen tensors, without the nodes and weights
// that none of them needs (e.g. the classification head). No DOM, no Node APIs.
import {onnx, decodeModel, encodeModel, graphOf, realInputs, tensorType, withGraph, type IModelProto, type ModelProto, type ValueInfo} from "./onnxGraph.js";
import {nodeReads, topoOrder} from "./onnxNodes.js";

/** A graph output for `name`: its element type when the model declares one, never a shape (shapes
 * declared for one input size would not hold for another). */
function outputInfo(model: IModelProto, name: string): ValueInfo {
  const graph = graphOf(model);
  const declared = [...graph.output, ...graph.valueInfo].find((v) => v.name === name);
  const t = declared ? tensorType(declared) : null;
  return onnx.ValueInfoProto.create(t && t.elemType ? {name, type: {tensorType: {elemType: t.elemType}}} : {name});
}

/** `model` with graph outputs `outputs` (node outputs, in that order) and only what they need.
 * The model itself is not modified. */
export function pruneTo(model: IModelProto, outputs: readonly string[]): ModelProto {
  const graph = graphOf(model);
  if (outputs.length === 0) throw new Error("no layer outputs chosen");
  const produced = new Set(graph.node.flatMap((n) => n.output.filter((o) => o !== "")));
  const unknown = outputs.filter((o) => !produced.has(o));
  if (unknown.length) {
    const some = [...produced].slice(0, 12).join(", ");
    throw new Error(`not a node output of this model: ${unknown.join(", ")} (node outputs include ${some}${produced.size > 12 ? ", …" : ""})`);
  }
  const needed = new Set(outputs);
  const kept = new Set<unknown>();
  for (const node of topoOrder(graph).reverse()) {
    if (!node.output.some((o) => needed.has(o))) continue;
    kept.add(node);
    for (const i of nodeReads(node)) needed.add(i);
  }
  const inputs = new Set(realInputs(graph));
  return withGraph(model, {
    node: graph.node.filter((n) => kept.has(n)),
    // Real inputs all stay (the model keeps its interface); initializers listed as inputs only if read.
    input: graph.input.filter((v) => inputs.has(v) || needed.has(v.name)),
    initializer: graph.initializer.filter((t) => needed.has(t.name)),
    sparseInitializer: graph.sparseInitializer.filter((t) => needed.has(t.values?.name ?? "")),
    valueInfo: graph.valueInfo.filter((v) => needed.has(v.name)),
    output: [...new Set(outputs)].map((name) => outputInfo(model, name)),
  });
}

/** ONNX bytes of the model with graph outputs exactly `outputs` (names of node outputs, e.g. from
 * listCandidateLayers), pruned of the nodes none of them needs. */
export function tapModel(bytes: Uint8Array, outputs: readonly string[], fileName = "model.onnx"): Uint8Array {
  return encodeModel(pruneTo(decodeModel(bytes, fileName), outputs));
}
