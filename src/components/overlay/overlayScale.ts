// Which values the ends of the colour map stand for, and how the colour bar says so. Three modes:
//   fixed  each similarity's natural range (src/core/similarity.ts fixedDomain): cosine is always [0, 1]
//          ([−1, 1] on a signed layer), so one overlay can be compared with another
//   set    stretched to the smallest and largest value over every cell of the set
//   image  stretched per image to its own smallest and largest value
// Stretching shows structure the fixed scale compresses (dot products rarely come near their bound), at the
// price that the same colour means different values in different views.
import type {SimilarityKind} from "../../core/similarity.js";

/** How the colour scale's ends are chosen. */
export type ScaleMode = "fixed" | "set" | "image";

/** The scale modes, with how the picker names them. */
export const scaleModes: readonly {mode: ScaleMode; label: string}[] = [
  {mode: "fixed", label: "Fixed (the similarity's natural range)"},
  {mode: "set", label: "Stretched to the set's min–max"},
  {mode: "image", label: "Stretched per image"}
];

/** The similarity functions, with how pages name them. */
export const similarityKinds: readonly {kind: SimilarityKind; label: string}[] = [
  {kind: "cosine", label: "cosine similarity"},
  {kind: "dot", label: "dot product"},
  {kind: "euclidean", label: "negative Euclidean distance"}
];

/** "cosine similarity", "dot product" or "negative Euclidean distance". */
export function kindLabel(kind: SimilarityKind): string {
  const found = similarityKinds.find((k) => k.kind === kind);
  if (!found) throw new RangeError(`invalid similarity kind: ${kind}`);
  return found.label;
}

/** Whether `mode` is a scale mode. */
export function isScaleMode(mode: string): mode is ScaleMode {
  return scaleModes.some((m) => m.mode === mode);
}

/** Whether `kind` is a similarity kind. */
export function isSimilarityKind(kind: string): kind is SimilarityKind {
  return similarityKinds.some((k) => k.kind === kind);
}

/**
 * The domain [lo, hi] of each image, written to out[2i], out[2i + 1] (out.length ≥ 2 · images). `values`
 * holds every cell of the set; image i's cells are cellStart[i] … cellStart[i + 1] − 1. Allocates nothing.
 */
export function scaleDomains(values: Float32Array, cellStart: Int32Array, mode: ScaleMode, fixed: readonly [number, number], out: Float64Array): Float64Array {
  const images = cellStart.length - 1;
  if (out.length < 2 * images) throw new RangeError(`domains hold ${out.length / 2} images, need ${images}`);
  if (mode === "fixed") {
    for (let i = 0; i < images; ++i) (out[2 * i] = fixed[0]), (out[2 * i + 1] = fixed[1]);
  } else if (mode === "set") {
    let lo = Infinity, hi = -Infinity;
    for (let j = 0, n = cellStart[images]; j < n; ++j) {
      const v = values[j];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    for (let i = 0; i < images; ++i) (out[2 * i] = lo), (out[2 * i + 1] = hi);
  } else if (mode === "image") {
    for (let i = 0; i < images; ++i) {
      let lo = Infinity, hi = -Infinity;
      for (let j = cellStart[i]; j < cellStart[i + 1]; ++j) {
        const v = values[j];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      (out[2 * i] = lo), (out[2 * i + 1] = hi);
    }
  } else {
    throw new RangeError(`invalid scale mode: ${mode}`);
  }
  return out;
}

/** A similarity value as text: two decimals for cosine, about three significant digits otherwise; 0 as "0". */
export function formatValue(kind: SimilarityKind, value: number): string {
  if (!Number.isFinite(value)) return "–";
  if (value === 0) return "0";
  if (kind === "cosine") return value.toFixed(2).replace("-", "−");
  const abs = Math.abs(value);
  const text = abs >= 100 ? value.toFixed(0) : abs >= 10 ? value.toFixed(1) : value.toFixed(2);
  return text.replace("-", "−");
}

/** "0.21–0.97", or "−41–0" with a spaced dash when an end is negative. */
export function formatRange(kind: SimilarityKind, [lo, hi]: readonly [number, number]): string {
  const a = formatValue(kind, lo), b = formatValue(kind, hi);
  return lo < 0 || hi < 0 ? `${a} to ${b}` : `${a}–${b}`;
}

/**
 * What the colour bar stands for, e.g. "cosine similarity, fixed scale 0–1" or "cosine similarity,
 * stretched to this set's min–max: 0.21–0.97". `where` names the image whose range a per-image bar shows.
 */
export function describeScale(kind: SimilarityKind, mode: ScaleMode, domain: readonly [number, number], where = "this image", signed = false): string {
  return `${kindLabel(kind)}, ${describeMode(kind, mode, domain, where, signed)}${signed ? SIGNED_NOTE : ""}`;
}

/** How a signed layer's colour bar says so. */
export const SIGNED_NOTE = " (signed layer: below 0 points away)";

function describeMode(kind: SimilarityKind, mode: ScaleMode, domain: readonly [number, number], where: string, signed: boolean): string {
  if (mode === "fixed") return `fixed scale ${fixedBound(kind, domain, signed)}`;
  if (mode === "set") return `stretched to this set's min–max: ${formatRange(kind, domain)}`;
  return `stretched to each image's own min–max (${where}: ${formatRange(kind, domain)})`;
}

/** The fixed scale's ends in words: "0–1", "−1 to 1" (signed), "0 to the largest ‖v‖², 0–1235", … */
export function fixedBound(kind: SimilarityKind, domain: readonly [number, number], signed = false): string {
  if (kind === "cosine") return signed ? "−1 to 1" : "0–1";
  if (kind === "dot") return `${signed ? "± " : "0 to "}the largest ‖v‖², ${formatRange(kind, domain)}`;
  return `${signed ? "−2" : "−√2"}·max ‖v‖ to 0, ${formatRange(kind, domain)}`;
}
