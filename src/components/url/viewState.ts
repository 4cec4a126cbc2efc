// The view a page shows, carried in the URL's query string so that reloading or sharing the link restores
// it: ?set=objects&layer=mixed3&kind=dot&colormap=viridis&scale=set&opacity=0.6&q=2.5.7&pins=2.5.7,4.1.3
// A cell is image.col.row, or image.col.row.layer where the page shows several layers. Parameters that
// hold their default are left out; values that cannot be read fall back to the default (a shared link
// with a typo still opens).
import {defaultOpacity, isColormap} from "../overlay/colormaps.js";
import {isScaleMode, isSimilarityKind} from "../overlay/overlayScale.js";
import type {Look} from "../inputs/OverlayControls.js";
import type {CellRef} from "../query/queryState.js";

/** Everything the URL restores: the overlay's look and the view. Controls and figures read and write one shared object of this type. */
export interface ViewState extends Look {
  /** Dataset name. */
  dataset: string;
  /** Layer name; undefined leaves the choice to the page (the model's default layer). */
  layer?: string;
  /** The cell under the pointer or keyboard cursor, if any. */
  query: CellRef | null;
  /** Pinned cells, in the order they were pinned. */
  pins: CellRef[];
  /** How many times the set's images are repeated (benchmarks measure 100 images with copies). */
  copies: number;
  /** The image shown, on pages that show one. */
  image: number;
  /** The layers shown, on pages that show several; undefined leaves the choice to the page. */
  layers?: string[];
}

/** The defaults of a page: what a URL without parameters shows. */
export type ViewDefaults = Omit<ViewState, "query" | "pins" | "layer" | "layers"> & {query?: CellRef | null; layer?: string; layers?: string[]};

/** The overlay pages' defaults for dataset `dataset`: cosine similarity on a fixed scale, the article's veil (diverging colours on a signed layer: "auto"). */
export function overlayDefaults(dataset: string): ViewDefaults {
  return {dataset, kind: "cosine", colormap: "auto", scale: "fixed", opacity: 1, field: true, smooth: false, copies: 1, image: 0};
}

/** A fresh state holding `defaults` (for pages that do not read the URL). */
export function defaultState(defaults: ViewDefaults): ViewState {
  return {...defaults, query: defaults.query ?? null, pins: []};
}

/** Largest `copies` accepted (100 images of an 11-image set need 10). */
export const maxCopies = 64;

/** Reads "3.5.7" or "3.5.7.mixed4"; null if it is not one. */
export function parseCellRef(text: string): CellRef | null {
  const m = /^(\d{1,5})\.(\d{1,4})\.(\d{1,4})(?:\.([A-Za-z0-9_]+))?$/.exec(text);
  if (!m) return null;
  const ref: CellRef = {image: Number(m[1]), col: Number(m[2]), row: Number(m[3])};
  if (m[4] !== undefined) ref.layer = m[4];
  return ref;
}

/** Writes a cell as parseCellRef reads it. */
export function formatCellRef(ref: CellRef): string {
  return `${ref.image}.${ref.col}.${ref.row}${ref.layer === undefined ? "" : `.${ref.layer}`}`;
}

/** The view in query string `search` ("?…" or without the "?"), with `defaults` wherever it says nothing valid. */
export function parseViewState(search: string, defaults: ViewDefaults, datasets: readonly string[]): ViewState {
  const params = new URLSearchParams(search);
  const get = (key: string) => params.get(key) ?? undefined;
  const set = get("set");
  const kind = get("kind");
  const colormap = get("colormap");
  const scale = get("scale");
  const opacity = Number(get("opacity"));
  const copies = Number(get("copies"));
  const image = Number(get("image"));
  const layer = get("layer");
  const layers = get("layers")?.split(",").filter((l) => /^[A-Za-z0-9_]+$/.test(l));
  const q = get("q");
  const shownColormap = colormap !== undefined && isColormap(colormap) ? colormap : defaults.colormap;
  return {
    dataset: set !== undefined && datasets.includes(set) ? set : defaults.dataset,
    layer: layer !== undefined && /^[A-Za-z0-9_]+$/.test(layer) ? layer : defaults.layer,
    kind: kind !== undefined && isSimilarityKind(kind) ? kind : defaults.kind,
    colormap: shownColormap,
    scale: scale !== undefined && isScaleMode(scale) ? scale : defaults.scale,
    // Without an opacity, another colour map than the page's starts at its own (a colour map covers the photo at 1).
    opacity: params.has("opacity") && opacity >= 0 && opacity <= 1 ? opacity : shownColormap === defaults.colormap ? defaults.opacity : defaultOpacity(shownColormap),
    field: params.has("field") ? params.get("field") !== "0" : defaults.field,
    smooth: params.has("smooth") ? params.get("smooth") !== "0" : defaults.smooth,
    query: q === undefined ? (defaults.query ?? null) : parseCellRef(q),
    pins: (get("pins")?.split(",") ?? []).map(parseCellRef).filter((r): r is CellRef => r !== null),
    copies: Number.isInteger(copies) && copies >= 1 && copies <= maxCopies ? copies : defaults.copies,
    image: Number.isInteger(image) && image >= 0 ? image : defaults.image,
    layers: layers?.length ? layers : defaults.layers
  };
}

/** The query string ("?…", or "" when everything is default) that parseViewState reads back as `state`. */
export function formatViewState(state: ViewState, defaults: ViewDefaults): string {
  const params = new URLSearchParams();
  const put = (key: string, value: string, fallback: string | undefined) => value !== fallback && params.set(key, value);
  put("set", state.dataset, defaults.dataset);
  if (state.layer !== undefined) put("layer", state.layer, defaults.layer);
  if (state.layers !== undefined) put("layers", state.layers.join(","), defaults.layers?.join(","));
  put("image", String(state.image), String(defaults.image));
  put("kind", state.kind, defaults.kind);
  put("colormap", state.colormap, defaults.colormap);
  put("scale", state.scale, defaults.scale);
  put("opacity", String(Math.round(state.opacity * 100) / 100), String(state.colormap === defaults.colormap ? defaults.opacity : defaultOpacity(state.colormap)));
  put("field", state.field ? "1" : "0", defaults.field ? "1" : "0");
  put("smooth", state.smooth ? "1" : "0", defaults.smooth ? "1" : "0");
  put("copies", String(state.copies), String(defaults.copies));
  if (state.query) params.set("q", formatCellRef(state.query));
  else if (defaults.query) params.set("q", "none");
  if (state.pins.length) params.set("pins", state.pins.map(formatCellRef).join(","));
  const text = params.toString().replace(/%2C/g, ",");
  return text ? `?${text}` : "";
}

/**
 * Keeps the address bar in step with `state`: write() replaces the current history entry's URL (no new
 * entry, no reload). Writes asked for with `soon` (pointer moves) wait until `delay` ms pass without another:
 * browsers throttle rapid history updates, and a history update while the pointer moves would hold up the
 * next overlay. Pending writes are dropped when `invalidation` resolves.
 */
export function urlWriter(state: ViewState, defaults: ViewDefaults, {delay = 250, invalidation}: {delay?: number; invalidation?: Promise<unknown>} = {}): {write(soon?: boolean): void} {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let dead = false;
  invalidation?.then(() => ((dead = true), clearTimeout(timer)));
  const flush = () => {
    timer = undefined;
    if (dead) return;
    const search = formatViewState(state, defaults);
    if (search !== location.search) history.replaceState(history.state, "", `${location.pathname}${search}${location.hash}`);
  };
  return {
    write(soon = false) {
      if (!soon) return void (clearTimeout(timer), flush());
      clearTimeout(timer);
      timer = setTimeout(flush, delay);
    }
  };
}

/** What a page shows after reading a link: its set (name and title) and the layers it settled on. */
export interface ShownView {
  dataset: {name: string; title: string};
  /** The layer shown (pages with one) or the layers shown (pages with several). */
  layers: readonly string[];
  /** The layers the set has. */
  available: readonly string[];
  kind: string;
  colormap: string;
  scale: string;
}

/**
 * What link `search` asked for that the page could not show, each in a sentence saying what it shows
 * instead ("There is no set named “pets” here: showing Animals."). The page still falls back (a link with a
 * typo opens); it says so instead of doing it silently. [] when the link was followed.
 */
export function linkFallbacks(search: string, shown: ShownView): string[] {
  const params = new URLSearchParams(search);
  const notes: string[] = [];
  const quote = (text: string) => `“${text.length > 40 ? `${text.slice(0, 39)}…` : text}”`;
  const set = params.get("set");
  if (set !== null && set !== shown.dataset.name) notes.push(`There is no set named ${quote(set)} here: showing ${shown.dataset.title}.`);
  const asked = [params.get("layer"), ...(params.get("layers")?.split(",") ?? [])].filter((l): l is string => l !== null && l !== "");
  const missing = asked.filter((l) => !shown.available.includes(l));
  if (missing.length) {
    const names = missing.map(quote).join(", ");
    notes.push(`${shown.dataset.title} has no layer${missing.length > 1 ? "s" : ""} ${names}: showing ${shown.layers.join(", ")} (its layers: ${shown.available.join(", ")}).`);
  }
  const words: Record<string, string> = {kind: "similarity", colormap: "colour map", scale: "scale"};
  for (const key of ["kind", "colormap", "scale"] as const) {
    const value = params.get(key);
    if (value !== null && value !== shown[key]) notes.push(`There is no ${words[key]} ${quote(value)}: showing ${shown[key]}.`);
  }
  return notes;
}
