// Walking an ONNX graph: node attributes, topological order, constants, and which tensors depend on
// the image input. No DOM, no Node APIs.
import {onnx, toNumber, type Attribute, type Graph, type Node, type Tensor} from "./onnxGraph.js";

function attr(node: Node, name: string): Attribute | undefined {
  return node.attribute.find((a) => a.name === name);
}

export function attrInts(node: Node, name: string): number[] | null {
  const a = attr(node, name);
  return a ? a.ints.map(toNumber) : null;
}

export function attrInt(node: Node, name: string, fallback: number): number {
  const a = attr(node, name);
  return a ? toNumber(a.i) : fallback;
}

export function attrString(node: Node, name: string, fallback: string): string {
  const a = attr(node, name);
  return a ? new TextDecoder().decode(a.s) : fallback;
}

/** Names a node reads: its inputs, plus outer-scope names used inside its subgraphs (If, Loop, Scan). */
export function nodeReads(node: Node): string[] {
  const names = node.input.filter((n) => n !== "");
  for (const a of node.attribute) {
    for (const g of [a.g, ...(a.graphs ?? [])]) {
      if (!g) continue;
      const local = new Set<string>([...g.input.map((v) => v.name), ...g.initializer.map((t) => t.name)]);
      for (const n of g.node) for (const o of n.output) local.add(o);
      for (const n of g.node) for (const i of nodeReads(n)) if (!local.has(i)) names.push(i);
    }
  }
  return names;
}

/** The graph's nodes in topological order (the file's order when it is already sorted, as ONNX requires). */
export function topoOrder(graph: Graph): Node[] {
  const producer = new Map<string, number>();
  graph.node.forEach((n, i) => n.output.forEach((o) => o && producer.set(o, i)));
  const users: number[][] = graph.node.map(() => []);
  const missing = graph.node.map((n, i) => {
    const deps = new Set(nodeReads(n).map((r) => producer.get(r)).filter((p): p is number => p !== undefined));
    for (const d of deps) users[d]!.push(i);
    return deps.size;
  });
  // Kahn's algorithm, always taking the ready node that comes first in the file (binary min-heap).
  const heap: number[] = [];
  const push = (v: number): void => {
    let i = heap.push(v) - 1;
    while (i > 0 && heap[(i - 1) >> 1]! > heap[i]!) {
      [heap[i], heap[(i - 1) >> 1]] = [heap[(i - 1) >> 1]!, heap[i]!];
      i = (i - 1) >> 1;
    }
  };
  const pop = (): number => {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length) {
      heap[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const m = l + 1 < heap.length && heap[l + 1]! < heap[l]! ? l + 1 : l;
        if (l >= heap.length || heap[i]! <= heap[m]!) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  };
  missing.forEach((m, i) => m === 0 && push(i));
  const order: Node[] = [];
  while (heap.length) {
    const i = pop();
    order.push(graph.node[i]!);
    for (const u of users[i]!) if (--missing[u]! === 0) push(u);
  }
  if (order.length < graph.node.length) throw new Error("the graph has a cycle");
  return order;
}

/** Tensors computed from `inputName` (as opposed to constants such as dequantized weights). */
export function dynamicTensors(graph: Graph, inputName: string, order = topoOrder(graph)): Set<string> {
  const dynamic = new Set([inputName]);
  for (const n of order) if (nodeReads(n).some((i) => dynamic.has(i))) for (const o of n.output) if (o) dynamic.add(o);
  return dynamic;
}

function findConstant(graph: Graph, name: string): Tensor | null {
  const init = graph.initializer.find((t) => t.name === name);
  if (init) return init;
  const node = graph.node.find((n) => n.opType === "Constant" && n.output[0] === name);
  return node?.attribute.find((a) => a.name === "value")?.t ?? null;
}

/** Integer values of a constant tensor (initializer or Constant node), or null when not constant. */
export function constantInts(graph: Graph, name: string): number[] | null {
  if (!name) return null;
  const node = graph.node.find((n) => n.opType === "Constant" && n.output[0] === name);
  const ints = node?.attribute.find((a) => a.name === "value_ints");
  if (ints) return ints.ints.map(toNumber);
  const t = findConstant(graph, name);
  if (!t) return null;
  const {INT64, INT32} = onnx.TensorProto.DataType;
  if (t.dataType === INT64) {
    if (t.int64Data.length) return t.int64Data.map(toNumber);
    const raw = t.rawData;
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    return Array.from({length: raw.byteLength / 8}, (_, i) => Number(view.getBigInt64(i * 8, true)));
  }
  if (t.dataType === INT32) {
    if (t.int32Data.length) return [...t.int32Data];
    const raw = t.rawData;
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    return Array.from({length: raw.byteLength / 4}, (_, i) => view.getInt32(i * 4, true));
  }
  return null;
}

const VALUE_PRESERVING = new Set(["Cast", "Mul", "Add", "Sub", "Div", "DequantizeLinear", "Identity", "Neg", "Abs"]);

/** Dimensions of a constant (e.g. Conv weights), also when it is computed from initializers by
 * elementwise nodes such as Cast → Mul → Add (dequantized uint8 weights); null when unknown. */
export function constantDims(graph: Graph, name: string, depth = 0): number[] | null {
  const t = findConstant(graph, name);
  if (t) return t.dims.map(toNumber);
  if (depth > 8) return null;
  const node = graph.node.find((n) => n.output.includes(name));
  if (!node || !VALUE_PRESERVING.has(node.opType)) return null;
  let best: number[] | null = null;
  for (const i of node.input) {
    const dims = i ? constantDims(graph, i, depth + 1) : null;
    if (!dims) return null;
    if (!best || dims.length > best.length) best = dims;
  }
  return best;
}
