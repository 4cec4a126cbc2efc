// The overlay's controls: similarity function, colour map, scale and opacity, plus whether to outline the
// receptive field. One input whose value is the Look; every change is also written to the shared view
// state (viewState.ts), so the URL and a re-created figure keep it.
import * as Inputs from "@observablehq/inputs";
import type {SimilarityKind} from "../../core/similarity.js";
import {colormaps, defaultOpacity, resolveColormap, type ColormapName} from "../overlay/colormaps.js";
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
  /** Upsample the cell grid bilinearly instead of showing flat cells. */
  smooth: boolean;
}

/** Options of OverlayControls. */
export interface OverlayControlsOptions {
  /** Called after each change (e.g. to update the URL). */
  onChange?: () => void;
}

/** The controls' input, which a figure tells whether its layer is signed (see OverlayControls). */
export type OverlayControlsInput = Inputs.Input<Look> & {forLayer(signed: boolean): void};

/**
 * An input for the Look, starting from (and writing to) `state`. A figure calls forLayer(signed) before it
 * reads the look: "Auto" is the veil on a non-negative layer and the diverging map on a signed one, and the
 * opacity follows the map painted (the diverging map covers every cell, so it starts at 0.6), unless the
 * opacity was moved by hand.
 */
export function OverlayControls(state: ViewState, {onChange}: OverlayControlsOptions = {}): OverlayControlsInput {
  let signed = false;
  const startingOpacity = (name: ColormapName) => defaultOpacity(resolveColormap(name, signed));
  const capital = (s: string) => s[0].toUpperCase() + s.slice(1);
  const opacity = Inputs.range([0, 1], {label: "Opacity", value: state.opacity, step: 0.05});
  const form = Inputs.form<Look>(
    {
      kind: Inputs.select(similarityKinds.map((k) => k.kind), {label: "Similarity", value: state.kind, format: (k) => capital(kindLabel(k))}),
      colormap: Inputs.select(colormaps.map((c) => c.name), {label: "Colours", value: state.colormap, format: (name) => colormaps.find((c) => c.name === name)!.label}),
      scale: Inputs.select(scaleModes.map((m) => m.mode), {label: "Scale", value: state.scale, format: (mode) => scaleModes.find((m) => m.mode === mode)!.label}),
      opacity,
      field: Inputs.toggle({label: "Receptive field", value: state.field}),
      smooth: Inputs.toggle({label: "Smooth (bilinear)", value: state.smooth})
    },
    {template}
  );
  form.addEventListener("input", () => {
    // Another colour map starts at its own opacity, unless the opacity was moved from the old map's.
    const next = form.value;
    if (next.colormap !== state.colormap && Math.abs(state.opacity - startingOpacity(state.colormap)) < 1e-9) opacity.value = startingOpacity(next.colormap);
    Object.assign(state, form.value);
    onChange?.();
  });
  return Object.assign(form, {
    forLayer(layerSigned: boolean) {
      if (layerSigned === signed) return;
      const before = startingOpacity(state.colormap);
      signed = layerSigned;
      const after = startingOpacity(state.colormap);
      if (before === after || Math.abs(state.opacity - before) >= 1e-9) return;
      opacity.value = after;
      form.dispatchEvent(new Event("input", {bubbles: true}));
    }
  });
}

/** Lays the controls out in one wrapping row. */
function template(inputs: {[K in keyof Look]: Inputs.Input<Look[K]>}): HTMLElement {
  const row = document.createElement("div");
  row.className = "overlay-controls";
  row.append(...Object.values(inputs));
  return row;
}
