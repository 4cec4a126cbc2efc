// The overlay's controls: similarity function, colour map, scale and opacity, plus whether to outline the
// receptive field. One input whose value is the Look; every change is also written to the shared view
// state (viewState.ts), so the URL and a re-created figure keep it.
import * as Inputs from "@observablehq/inputs";
import type {SimilarityKind} from "../../core/similarity.js";
import {colormaps, type ColormapName} from "../overlay/colormaps.js";
import {kindLabel, scaleModes, similarityKinds, type ScaleMode} from "../overlay/overlayScale.js";
import type {ViewState} from "../url/viewState.js";

/** How the overlay looks: what the page's figure needs besides the data and the query. */
export interface Look {
  kind: SimilarityKind;
  colormap: ColormapName;
  scale: ScaleMode;
  opacity: number;
  /** Outline the receptive field of the cell under the pointer. */
  field: boolean;
}

/** Options of OverlayControls. */
export interface OverlayControlsOptions {
  /** Called after each change (e.g. to update the URL). */
  onChange?: () => void;
}

/** An input for the Look, starting from (and writing to) `state`. */
export function OverlayControls(state: ViewState, {onChange}: OverlayControlsOptions = {}): Inputs.Input<Look> {
  const capital = (s: string) => s[0].toUpperCase() + s.slice(1);
  const form = Inputs.form<Look>(
    {
      kind: Inputs.select(similarityKinds.map((k) => k.kind), {label: "Similarity", value: state.kind, format: (k) => capital(kindLabel(k))}),
      colormap: Inputs.select(colormaps.map((c) => c.name), {label: "Colours", value: state.colormap, format: (name) => colormaps.find((c) => c.name === name)!.label}),
      scale: Inputs.select(scaleModes.map((m) => m.mode), {label: "Scale", value: state.scale, format: (mode) => scaleModes.find((m) => m.mode === mode)!.label}),
      opacity: Inputs.range([0, 1], {label: "Opacity", value: state.opacity, step: 0.05}),
      field: Inputs.toggle({label: "Receptive field", value: state.field})
    },
    {template}
  );
  form.addEventListener("input", () => {
    Object.assign(state, form.value);
    onChange?.();
  });
  return form;
}

/** Lays the controls out in one wrapping row. */
function template(inputs: {[K in keyof Look]: Inputs.Input<Look[K]>}): HTMLElement {
  const row = document.createElement("div");
  row.className = "overlay-controls";
  row.append(...Object.values(inputs));
  return row;
}
