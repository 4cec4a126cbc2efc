// The layer picker: the dataset's layers, in the model's order, with the fine-tuned ones said to be so.
import * as Inputs from "@observablehq/inputs";
import type {ModelSpec} from "../../core/modelSpec.js";

/** Options of LayerSelect. */
export interface LayerSelectOptions {
  /** Remembers the choice across pickers: read for the initial value, written on every change. */
  memory?: {layer?: string};
  /** Label shown before the picker. */
  label?: string;
}

/** How a layer is named in the picker, e.g. "mixed7 (fine-tuned on another task)". */
export function layerLabel(model: ModelSpec, name: string): string {
  const layer = model.layers.find((l) => l.name === name);
  return layer?.finetuned ? `${name} (fine-tuned on another task)` : name;
}

/**
 * A select input over `layers`. It starts at the remembered layer when the dataset has it, else at the
 * model's default layer, else at the first.
 */
export function LayerSelect(model: ModelSpec, layers: string[], {memory, label = "Layer"}: LayerSelectOptions = {}): HTMLElement {
  if (!layers.length) throw new Error(`invalid layers: none (model ${model.id})`);
  const value = [memory?.layer, model.defaultLayer].find((l) => l !== undefined && layers.includes(l)) ?? layers[0];
  const input = Inputs.select(layers, {label, value, format: (name: string) => layerLabel(model, name)});
  if (memory) input.addEventListener("input", () => (memory.layer = input.value));
  return input;
}

/** The layers of a set in words, true of that set only: how many, the first and last with their grids, and
 * from where on the weights were fine-tuned (if any is). */
export function describeLayers(model: ModelSpec, layers: readonly string[]): string {
  const specs = model.layers.filter((l) => layers.includes(l.name));
  if (!specs.length) return "";
  const grid = (l: (typeof specs)[number]) => (l.grid ? ` (${l.grid.width}×${l.grid.height} cells)` : "");
  const first = specs[0], last = specs[specs.length - 1];
  const span = specs.length === 1 ? `one layer, ${first.name}${grid(first)}` : `${specs.length} layers, from ${first.name}${grid(first)} to ${last.name}${grid(last)}`;
  const tuned = specs.find((l) => l.finetuned);
  const note = tuned ? ` From ${tuned.name} on, the weights were fine-tuned on another task, which shows in what they group.` : "";
  return `This set has ${span}.${note}`;
}
