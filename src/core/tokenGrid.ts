// Transformer layers as grids of cells. A vision transformer cuts the image into P × P patches, embeds each
// as a token, and may put prefix tokens first (a class token, registers); its blocks output [1, N, D] (or
// [N, 1, D], sequence first) with N = p + h·w, h = ⌊H / P⌋, w = ⌊W / P⌋ for an H × W input. The patch
// tokens, row by row, are the cells: one D-vector each, already cell-major. The prefix tokens are left out.
// The stride is the patch size; attention mixes every patch into every token, so the receptive field is the
// whole image. No DOM, no Node APIs.

/** Where the tokens are: [1, N, D] ("NLD") or [N, 1, D] ("LND"). */
export type TokenLayout = "NLD" | "LND";

/** Prefix tokens looked for when none are configured: a class token, registers (DINOv2 uses 4 + 1). */
export const MAX_PREFIX_TOKENS = 8;

/** A token tensor's layout, count and width, or null when `dims` is not one ([1, N, D] or [N, 1, D], N > 1). */
export function tokenShape(dims: readonly number[]): {layout: TokenLayout; tokens: number; channels: number} | null {
  if (dims.length !== 3) return null;
  const [a, b, channels] = dims as [number, number, number];
  if (a === 1 && b > 1) return {layout: "NLD", tokens: b, channels};
  if (b === 1 && a > 1) return {layout: "LND", tokens: a, channels};
  return null;
}

/** A patch grid: the patch side in input pixels, the prefix tokens before the patches, and the grid. */
export interface TokenGrid {
  patch: number;
  prefix: number;
  width: number;
  height: number;
}

/**
 * The patch grid that `tokens` tokens form for an input of `size`: tokens = prefix + ⌊H / P⌋ · ⌊W / P⌋ with
 * both sides at least 2 patches. Patch sides that divide the input exactly are tried first (as ViTs are run),
 * with the fewest prefix tokens (0 to MAX_PREFIX_TOKENS, or exactly `prefix` when given); then any patch side,
 * the largest giving that grid (its patches cover the most of the image), with at most one prefix token unless
 * configured (more would match too many shapes by chance). Null when there is none.
 */
export function findTokenGrid(tokens: number, size: {width: number; height: number}, prefix?: number): TokenGrid | null {
  const prefixes = prefix === undefined ? Array.from({length: MAX_PREFIX_TOKENS + 1}, (_, p) => p) : [prefix];
  const largest = Math.floor(Math.min(size.width, size.height) / 2);
  for (const exact of [true, false]) {
    for (const p of exact || prefix !== undefined ? prefixes : [0, 1]) {
      for (let patch = largest; patch >= 2; --patch) {
        if (exact && (size.width % patch !== 0 || size.height % patch !== 0)) continue;
        const height = Math.floor(size.height / patch), width = Math.floor(size.width / patch);
        if (p + height * width === tokens) return {patch, prefix: p, width, height};
      }
    }
  }
  return null;
}

/** The patch grid of a token layer of patch side `patch` for an input of `size`. */
export function patchGrid(patch: number, size: {width: number; height: number}): {width: number; height: number} {
  return {width: Math.floor(size.width / patch), height: Math.floor(size.height / patch)};
}

/**
 * A token layer's output as cell-major rows: the patch tokens after `prefix` prefix tokens, on the patch grid
 * of `patch` at the input `size`. The error says what did not fit.
 */
export function tokensToCells(data: Float32Array, dims: readonly number[], layer: {name: string; prefixTokens?: number; stride: number}, size: {width: number; height: number}): {values: Float32Array; channels: number; width: number; height: number} {
  const shape = tokenShape(dims);
  if (!shape) throw new RangeError(`layer ${layer.name}: expected tokens of shape [1, N, D] or [N, 1, D], got [${dims.join(", ")}]`);
  const {tokens, channels} = shape;
  if (data.length !== tokens * channels) throw new RangeError(`layer ${layer.name}: ${data.length} values, expected ${tokens * channels}`);
  const prefix = layer.prefixTokens ?? 0;
  const {width, height} = patchGrid(layer.stride, size);
  if (tokens !== prefix + width * height) {
    throw new RangeError(`layer ${layer.name}: ${tokens} tokens are not ${prefix} prefix token${prefix === 1 ? "" : "s"} and the ${width}×${height} patches of a ${size.width}×${size.height} input at patch size ${layer.stride}`);
  }
  // Both layouts hold the tokens one after another (the batch axis has size 1).
  return {values: data.slice(prefix * channels), channels, width, height};
}
