// Helpers for the overlay pages' end-to-end tests: where a cell of an image is on screen, what the
// grid-resolution overlay canvases hold, waiting for a paint, and the reference similarities computed here in
// Node from the built Arrow files (readLayerTable + similarityToAll), independently of the page and its worker.
import {readFileSync, readdirSync} from "node:fs";
import {join} from "node:path";
import type {Page} from "playwright-core";
import {readLayerTable, type LayerData} from "../../src/core/layerTable.js";
import {queryScratch, similarityToAll, type SimilarityKind} from "../../src/core/similarity.js";
import {distDir} from "./browser.js";

/** The built copy of data/DATASET/NAME.arrow (Framework adds a content hash to the name), in `site` (default dist/). */
export function builtFile(dataset: string, name: string, site = distDir): Buffer {
  const dir = join(site, "_file", "data", dataset);
  const file = readdirSync(dir).find((f) => new RegExp(`^${name}\\.[0-9a-f]+\\.arrow$`).test(f));
  if (!file) throw new Error(`no built ${name}.arrow in ${dir}`);
  return readFileSync(join(dir, file));
}

/** A built layer file, decoded. */
export function builtLayer(dataset: string, layer: string): LayerData {
  return readLayerTable(builtFile(dataset, layer));
}

/** Similarity of global cell `query` to every cell of `layer`, in float32 as the worker computes it. */
export function referenceSimilarity(layer: LayerData, query: number, kind: SimilarityKind = "cosine"): Float32Array {
  const index = {codes: layer.codes, norms: layer.norms, step: layer.info.step, channels: layer.info.channels};
  return similarityToAll(index, query, kind, new Float32Array(layer.norms.length), queryScratch(layer.info.channels, layer.norms.length));
}

/** Ranks with ties given their average rank. */
function ranks(values: ArrayLike<number>): Float64Array {
  const order = Array.from({length: values.length}, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const out = new Float64Array(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1]] === values[order[i]]) ++j;
    for (let k = i; k <= j; ++k) out[order[k]] = (i + j) / 2;
    i = j + 1;
  }
  return out;
}

/** Spearman's rank correlation of two equally long lists (Pearson correlation of their ranks). */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length || a.length < 2) throw new RangeError(`invalid lists: ${a.length} and ${b.length} values`);
  const ra = ranks(a), rb = ranks(b);
  const mean = (ra.length - 1) / 2;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < ra.length; ++i) {
    const x = ra[i] - mean, y = rb[i] - mean;
    (sab += x * y), (saa += x * x), (sbb += y * y);
  }
  return sab / Math.sqrt(saa * sbb);
}

/** The page position of the centre of cell (col, row) of the overlay image matched by `selector`. */
export async function cellPoint(page: Page, selector: string, col: number, row: number): Promise<{x: number; y: number}> {
  const frame = page.locator(selector).first();
  await frame.scrollIntoViewIfNeeded();
  const box = await frame.boundingBox();
  if (!box) throw new Error(`no box for ${selector}`);
  const [gw, gh] = await frame.evaluate((node) => [Number((node as HTMLElement).dataset.gridWidth), Number((node as HTMLElement).dataset.gridHeight)]);
  return {x: box.x + ((col + 0.5) / gw) * box.width, y: box.y + ((row + 0.5) / gh) * box.height};
}

/** Where cell (col, row) of the element matched by `selector` is, relative to that element. */
async function cellPosition(page: Page, selector: string, col: number, row: number): Promise<{x: number; y: number}> {
  const frame = page.locator(selector).first();
  await frame.scrollIntoViewIfNeeded();
  return frame.evaluate(
    (node, [c, r]) => {
      const el = node as HTMLElement;
      return {x: ((c + 0.5) / Number(el.dataset.gridWidth)) * el.clientWidth, y: ((r + 0.5) / Number(el.dataset.gridHeight)) * el.clientHeight};
    },
    [col, row] as const
  );
}

/** Moves the mouse to the centre of cell (col, row) of the overlay image matched by `selector`. */
export async function hoverCell(page: Page, selector: string, col: number, row: number): Promise<void> {
  await page.locator(selector).first().hover({position: await cellPosition(page, selector, col, row)});
}

/** Clicks the centre of cell (col, row) of the overlay image matched by `selector`. */
export async function clickCell(page: Page, selector: string, col: number, row: number): Promise<void> {
  await page.locator(selector).first().click({position: await cellPosition(page, selector, col, row)});
}

/** One overlay canvas read back: its image index, layer (across-layers page), grid size and pixels' RGBA. */
export interface OverlayPixels {
  index: number;
  layer: string;
  width: number;
  height: number;
  rgba: number[];
}

/**
 * Every grid-resolution overlay canvas under the figure, read with getImageData, once the frames off screen
 * have been painted too (the figure paints those after the ones on screen; data-pending counts them).
 */
export async function overlayPixels(page: Page): Promise<OverlayPixels[]> {
  await page.waitForFunction(() => [...document.querySelectorAll<HTMLElement>("[data-testid=overlay-figure]")].every((n) => (n.dataset.pending ?? "0") === "0"), null, {timeout: 10_000});
  return page.$$eval("[data-testid=overlay-figure] .overlay-frame", (frames) =>
    frames.map((node) => {
      const frame = node as HTMLElement;
      const canvas = frame.querySelector("canvas.overlay-cells") as HTMLCanvasElement;
      const rgba = Array.from(canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data);
      return {index: Number(frame.dataset.imageIndex), layer: frame.dataset.layer ?? "", width: canvas.width, height: canvas.height, rgba};
    })
  );
}

/** Brightness of each cell under the article's veil: 255 − alpha (the veil is black with alpha 1 − t). */
export function veilBrightness(pixels: OverlayPixels): number[] {
  const out: number[] = [];
  for (let k = 3; k < pixels.rgba.length; k += 4) out.push(255 - pixels.rgba[k]);
  return out;
}

/**
 * Whether cell `index` is the brightest of an image's overlay and nearly white: a cell's cosine similarity
 * with itself is 1 up to the 8-bit codes' rounding (0.996 or more), so it is painted 254 or 255.
 */
export function isBrightest(brightness: readonly number[], index: number): boolean {
  return brightness[index] === Math.max(...brightness) && brightness[index] >= 250;
}

/**
 * Runs `action` and waits for the figure's next "overlaypaint" triggered after it started (its detail's
 * `start` is the triggering event's timeStamp); returns the detail. `count` waits for that many paints.
 */
export async function paintAfter(page: Page, action: () => Promise<unknown>, count = 1, timeout = 15_000): Promise<{start: number; end: number}[]> {
  await page.evaluate(([n, ms]) => {
    const t0 = performance.now();
    const seen: {start: number; end: number}[] = [];
    (window as unknown as {__paint: Promise<unknown>}).__paint = new Promise((resolve, reject) => {
      setTimeout(() => reject(new Error(`no overlaypaint within ${ms} ms (saw ${seen.length} of ${n})`)), ms);
      const listen = (event: Event) => {
        const detail = (event as CustomEvent<{start: number; end: number}>).detail;
        if (detail.start < t0) return;
        seen.push(detail);
        if (seen.length < n) return;
        document.removeEventListener("overlaypaint", listen);
        resolve(seen);
      };
      document.addEventListener("overlaypaint", listen);
    });
  }, [count, timeout] as const);
  await action();
  return page.evaluate(() => (window as unknown as {__paint: Promise<{start: number; end: number}[]>}).__paint);
}

/** The boxes of the visible query outlines in the figure, in fractions of their image: image index, layer, x, y. */
export async function queryOutlines(page: Page): Promise<{index: number; layer: string; x: number; y: number; width: number; height: number}[]> {
  return page.$$eval("[data-testid=overlay-figure] .overlay-query", (boxes) =>
    boxes
      .filter((box) => !(box as HTMLElement).hidden)
      .map((node) => {
        const box = node as HTMLElement;
        const frame = box.closest(".overlay-frame") as HTMLElement;
        const f = (v: string) => parseFloat(v) / 100;
        return {index: Number(frame.dataset.imageIndex), layer: frame.dataset.layer ?? "", x: f(box.style.left), y: f(box.style.top), width: f(box.style.width), height: f(box.style.height)};
      })
  );
}

/** How the controls' options read (Inputs.select uses indices as option values, so tests pick by label). */
export const optionLabels = {
  kind: {cosine: "Cosine similarity", dot: "Dot product", euclidean: "Negative Euclidean distance"},
  colormap: {auto: "Auto: darken dissimilar, or diverging for a signed layer", veil: "Darken dissimilar (article)", diverging: "Diverging, for signed layers (red · white · blue)", viridis: "Viridis (perceptually uniform)", cividis: "Cividis (colour-blind safe)"},
  scale: {fixed: "Fixed (the similarity's natural range)", set: "Stretched to the set's min–max", image: "Stretched per image"}
} as const;

/** Picks option `label` in the select named `name` ("Similarity", "Colours", "Scale", "Layer"). */
export async function choose(page: Page, name: string, label: string): Promise<void> {
  await page.getByRole("combobox", {name}).selectOption({label});
}

/** The query string of the page's URL, parsed. */
export function searchOf(page: Page): URLSearchParams {
  return new URL(page.url()).searchParams;
}

/** The colour bar as shown: the 256 colours of its legend's ramp, where the ramp and the marker are. */
export interface ColorBarLegend {
  /** The ramp's colours, RGBA, read from the image in the legend's SVG (256 × 4 numbers). */
  ramp: number[];
  /** The ramp's left edge and width on the page, in CSS pixels. */
  left: number;
  width: number;
  /** The marker's centre on the page in CSS pixels, or null when it is hidden. */
  marker: number | null;
  /** Counts the legend SVGs this page has shown: it grows when the legend is rendered anew. */
  renders: number;
}

/** Reads the colour bar's legend (waiting for Plot to have drawn it). */
export async function colorBarLegend(page: Page): Promise<ColorBarLegend> {
  await page.waitForSelector("[data-testid=overlay-figure] .color-bar svg image", {timeout: 10_000});
  return page.evaluate(async () => {
    const bar = document.querySelector("[data-testid=overlay-figure] .color-bar")!;
    const svg = bar.querySelector("svg")!;
    const seen = ((window as unknown as {__legends?: SVGSVGElement[]}).__legends ??= []);
    if (!seen.includes(svg)) seen.push(svg);
    const image = svg.querySelector("image")!;
    const href = image.getAttribute("href") ?? image.getAttributeNS("http://www.w3.org/1999/xlink", "href")!;
    const picture = new Image();
    picture.src = href;
    await picture.decode();
    const canvas = Object.assign(document.createElement("canvas"), {width: picture.naturalWidth, height: 1});
    const context = canvas.getContext("2d")!;
    context.drawImage(picture, 0, 0);
    const box = image.getBoundingClientRect();
    const marker = bar.querySelector<HTMLElement>(".color-bar-marker")!;
    const m = marker.getBoundingClientRect();
    return {ramp: Array.from(context.getImageData(0, 0, canvas.width, 1).data), left: box.left, width: box.width, marker: marker.hidden ? null : m.left + m.width / 2, renders: seen.length};
  });
}

/** A horizontal colour ramp found in a picture: the rows it fills, and along the middle one each pixel's x and matched entry. */
export interface FoundRamp {
  rows: number[];
  pixels: {x: number; entry: number}[];
}

/**
 * Finds, in the RGBA picture `rgba` (width × height), the rows holding `palette` (256 RGB colours) as a
 * ramp: a run of pixels each within `tolerance` of an entry, entries never going back by more than 2, from
 * entry ≤ 3 to entry ≥ 252, with gaps of at most `maxGap` other pixels (tick lines cross the ramp). Only
 * rows from `fromRow` on are searched. Null if there is none.
 */
export function findRamp(rgba: Uint8Array, width: number, height: number, palette: readonly (readonly number[])[], fromRow = 0, tolerance = 4, maxGap = 5): FoundRamp | null {
  const cache = new Map<number, number>();
  const entryOf = (p: number): number => {
    const key = (rgba[p] << 16) | (rgba[p + 1] << 8) | rgba[p + 2];
    let entry = cache.get(key);
    if (entry === undefined) {
      entry = -1;
      let best = Infinity;
      palette.forEach((c, k) => {
        const d = Math.max(Math.abs(c[0] - rgba[p]), Math.abs(c[1] - rgba[p + 1]), Math.abs(c[2] - rgba[p + 2]));
        if (d <= tolerance && d < best) (best = d), (entry = k);
      });
      cache.set(key, entry);
    }
    return entry;
  };
  const found: {row: number; pixels: {x: number; entry: number}[]}[] = [];
  for (let y = fromRow; y < height; ++y) {
    let run: {x: number; entry: number}[] = [], best: typeof run | null = null;
    const close = () => {
      if (run.length && run[0].entry <= 3 && run[run.length - 1].entry >= 252 && (!best || run.length > best.length)) best = run;
      run = [];
    };
    for (let x = 0; x < width; ++x) {
      const entry = entryOf((y * width + x) * 4);
      if (entry < 0) {
        if (run.length && x - run[run.length - 1].x > maxGap) close();
        continue;
      }
      if (run.length && entry < run[run.length - 1].entry - 2) close();
      run.push({x, entry});
    }
    close();
    if (best) found.push({row: y, pixels: best});
  }
  if (!found.length) return null;
  return {rows: found.map((f) => f.row), pixels: found[Math.floor(found.length / 2)].pixels};
}
