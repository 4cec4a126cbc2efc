// "What a layer is", drawn for a newcomer: for each layer of a set, the model's input as a square divided
// into the layer's grid of cells, one cell's receptive field (the part of the input its vector sees) as a
// dashed square around the centre cell, and the layer's depth (channels per cell) as a bar. An SVG; the
// numbers are the model description's (data/models/MODEL.json: grids at the default input, stride and
// receptive field computed from the ONNX graph).
import type {LayerSpec} from "../../core/modelSpec.js";

const SVG = "http://www.w3.org/2000/svg";

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Options of LayerDiagram. */
export interface LayerDiagramOptions {
  /** Side of the model's input in pixels (299 for InceptionV3). */
  inputSize: number;
  /** Width available in CSS pixels. */
  width: number;
  /** The layer to outline as chosen. */
  chosen?: string;
}

/** One panel per layer (in the model's order), in rows that fill `width`. */
export function LayerDiagram(layers: readonly LayerSpec[], {inputSize, width, chosen}: LayerDiagramOptions): SVGSVGElement {
  const side = 84, panel = 132, gap = 8;
  const columns = Math.max(1, Math.min(layers.length, Math.floor((width + gap) / (panel + gap))));
  const rows = Math.ceil(layers.length / columns);
  const height = 178;
  const maxChannels = Math.max(...layers.map((l) => l.channels));
  const root = svg("svg", {width: columns * (panel + gap) - gap, height: rows * height, role: "img", "aria-label": `The ${layers.length} layers: grid, receptive field and channels of each`});
  root.classList.add("layer-diagram");
  root.dataset.testid = "layer-diagram";
  layers.forEach((layer, i) => {
    const g = svg("g", {transform: `translate(${(i % columns) * (panel + gap)},${Math.floor(i / columns) * height})`});
    g.dataset.layer = layer.name;
    if (layer.name === chosen) g.append(svg("rect", {x: 0.5, y: 0.5, width: panel - 1, height: height - 6, rx: 4, class: "layer-diagram-chosen"}));
    const x0 = (panel - side) / 2, y0 = 22;
    g.append(svg("text", {x: panel / 2, y: 15, "text-anchor": "middle", class: "layer-diagram-name"}, layer.name));
    // The input, and the grid lines between the cells.
    g.append(svg("rect", {x: x0, y: y0, width: side, height: side, class: "layer-diagram-input"}));
    const grid = layer.grid ?? {width: Math.ceil(inputSize / layer.stride), height: Math.ceil(inputSize / layer.stride)};
    const path: string[] = [];
    for (let c = 1; c < grid.width; ++c) path.push(`M${x0 + (c * side) / grid.width},${y0}v${side}`);
    for (let r = 1; r < grid.height; ++r) path.push(`M${x0},${y0 + (r * side) / grid.height}h${side}`);
    g.append(svg("path", {d: path.join(""), class: "layer-diagram-grid"}));
    // The centre cell and its receptive field (clipped to the input, as the overlays outline it).
    const cx = Math.floor(grid.width / 2), cy = Math.floor(grid.height / 2);
    const cell = {x: x0 + (cx * side) / grid.width, y: y0 + (cy * side) / grid.height, w: side / grid.width, h: side / grid.height};
    const centre = {x: ((layer.offset + cx * layer.stride) / inputSize) * side + x0, y: ((layer.offset + cy * layer.stride) / inputSize) * side + y0};
    const half = (layer.receptiveField / inputSize) * side * 0.5;
    const fx0 = Math.max(x0, centre.x - half), fy0 = Math.max(y0, centre.y - half);
    const fx1 = Math.min(x0 + side, centre.x + half), fy1 = Math.min(y0 + side, centre.y + half);
    g.append(svg("rect", {x: fx0, y: fy0, width: fx1 - fx0, height: fy1 - fy0, class: "layer-diagram-field"}));
    g.append(svg("rect", {x: cell.x, y: cell.y, width: cell.w, height: cell.h, class: "layer-diagram-cell"}));
    // Depth: channels per cell, as a bar against the deepest layer shown.
    const barY = y0 + side + 10;
    g.append(svg("rect", {x: x0, y: barY, width: side, height: 6, class: "layer-diagram-track"}));
    g.append(svg("rect", {x: x0, y: barY, width: Math.max(1, (layer.channels / maxChannels) * side), height: 6, class: "layer-diagram-depth"}));
    const lines = [`${grid.width}×${grid.height} cells`, `${layer.channels} channels`, `field ${layer.receptiveField} px`];
    lines.forEach((line, k) => g.append(svg("text", {x: panel / 2, y: barY + 22 + k * 14, "text-anchor": "middle", class: "layer-diagram-text"}, line)));
    root.append(g);
  });
  return root;
}
