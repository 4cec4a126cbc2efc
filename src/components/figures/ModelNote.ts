// The line under a figure that says which model made it and what a cell of the layer sees: the model's
// title and source (from its description), and the layer's receptive field, or "unknown" when the graph
// analysis could not give it (then the outline is the cell itself).
import type {ModelSpec} from "../../core/modelSpec.js";
import {el} from "../dom/el.js";

/** What a cell of `layer` sees, in words (the layer list of Your model says it with userModel.ts describeField). */
export function describeLayerField(model: ModelSpec, layer: string): string {
  const l = model.layers.find((x) => x.name === layer);
  if (!l) return "";
  if (l.wholeImage) return `${layer}: each cell is a patch of ${l.stride} px and sees the whole image (attention mixes all patches).`;
  if (l.receptiveFieldKnown === false) return `${layer}: receptive field unknown (an operator on the way is not understood), so the outline shows the cell itself, ${Math.round(l.stride)} px.`;
  return `${layer}: each cell sees ${l.receptiveField} px of the input (receptive field), cells ${l.stride} px apart.`;
}

/** A paragraph naming the model and its source, and what a cell of `layer` sees. */
export function ModelNote(model: ModelSpec, layer: string): HTMLElement {
  const note = el("p", "model-note", `Model: ${model.title}. ${model.source} ${describeLayerField(model, layer)}`);
  note.dataset.testid = "model-note";
  return note;
}
