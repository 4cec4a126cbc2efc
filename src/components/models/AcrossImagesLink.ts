// On "Your model": when the file given is the very model a dataset was built with (same SHA-256 as the file
// the site serves) and the layer on show is one of that dataset's, a link to the same view on Across images,
// carrying the set, the layer and the image and cell of the query (hovered or pinned), so the site's own
// overlay (all its controls, its URL) is one click away.
import type {ModelSpec} from "../../core/modelSpec.js";
import {formatCellRef} from "../url/viewState.js";
import type {QueryEngine} from "../query/QueryEngine.js";
import {el} from "../dom/el.js";

/** SHA-256 of a file, as lowercase hex. */
export async function fileDigest(file: Blob): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The site's model `spec` if `file` is that model's ONNX file, else null. */
export async function sameSiteModel(file: Blob, spec: ModelSpec): Promise<ModelSpec | null> {
  return spec.sha256 && (await fileDigest(file)) === spec.sha256 ? spec : null;
}

/** Options of AcrossImagesLink. */
export interface AcrossImagesLinkOptions {
  engine: QueryEngine;
  dataset: string;
  /** The dataset's layer name of the layer on show. */
  layer: string;
  /** How many of the figure's images are the set's own (uploads come after and are not carried). */
  setImages: number;
  invalidation?: Promise<unknown>;
}

/** A paragraph with the link; it follows the query, and says so when the query is on an upload or absent. */
export function AcrossImagesLink({engine, dataset, layer, setImages, invalidation}: AcrossImagesLinkOptions): HTMLElement {
  const root = el("p", "model-note");
  root.dataset.testid = "across-images-link";
  const link = el("a", "", `Open ${layer} of this set on Across images`);
  const said = el("span", "");
  root.append("This file is the site's own model: ", link, said);
  let last: {image: number; col: number; row: number} | null = null;
  const update = () => {
    const ref = engine.query.refs[0] ?? engine.query.hover ?? last;
    last = ref;
    const params = new URLSearchParams({set: dataset, layer});
    if (ref && ref.image < setImages) params.set("q", formatCellRef({image: ref.image, col: ref.col, row: ref.row}));
    link.href = `./across-images?${params}`;
    said.textContent = ref && ref.image < setImages ? `, at image ${ref.image + 1}, cell (${ref.col}, ${ref.row}).` : ref ? " (your uploads are on Across images too, after the set's images)." : ".";
  };
  update();
  const stop = engine.subscribe((q) => q.change !== "pointer" && update());
  invalidation?.then(stop);
  return root;
}
