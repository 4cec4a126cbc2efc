// The Matrix factors page in Chromium: the build's snapshot is shown on load with no call to the worker's
// factorize(); the factor pictures' pixels are the colours computed here from the snapshot file (99th
// percentile scaling, lighten blend, the palette's hex codes); hovering a swatch or a crop shows that factor
// alone on every image; a hover outlines the query cell in both sets of pictures and the chart's bars give
// the cell's weights; a new k is computed live (progress shown) and gives what nmf() gives in Node; and an
// upload joins the factorisation.
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, test} from "node:test";
import type {Page} from "playwright-core";
import {cellIndex} from "../../src/core/cells.js";
import {factorize, readFactorTable, type Factors} from "../../src/core/factors.js";
import {openSite, type Site} from "./browser.js";
import {builtFile, builtLayer, hoverCell, paintAfter} from "./overlayPage.js";

// Okabe–Ito as published (orange, sky blue, bluish green, yellow, blue, vermillion, reddish purple), grey last.
const PALETTE = [[230, 159, 0], [86, 180, 233], [0, 158, 115], [240, 228, 66], [0, 114, 178], [213, 94, 0], [204, 121, 167], [153, 153, 153]];
const figure = "[data-testid=factors-figure]";
const factorFrame = (i: number) => `[data-testid=factor-pictures] .overlay-frame[data-image-index="${i}"]`;
const photoFrame = (i: number) => `[data-testid=overlay-figure] .overlay-frame[data-image-index="${i}"]`;

/** Every factor picture's colours, read back from its canvas: RGBA per cell. */
async function factorPixels(page: Page): Promise<number[][]> {
  return page.$$eval("[data-testid=factor-pictures] canvas.overlay-underlay", (canvases) =>
    canvases.map((node) => {
      const canvas = node as HTMLCanvasElement;
      return Array.from(canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data);
    })
  );
}

/** The colour a cell should have, computed here: per factor min(1, w / 99th percentile) × its hue, blended by the per-channel maximum. */
function expectedColours(f: Factors, solo = -1): number[][] {
  const {k, cells} = f.info;
  const p99 = Array.from({length: k}, (_, t) => {
    const column = Array.from({length: cells}, (_, i) => f.W[i * k + t]).sort((a, b) => a - b);
    return column[Math.floor(0.99 * (cells - 1))] || column[cells - 1];
  });
  return Array.from({length: cells}, (_, i) => {
    const rgb = [0, 0, 0];
    for (let t = 0; t < k; ++t) {
      if (solo >= 0 && t !== solo) continue;
      const s = Math.min(1, Math.max(0, f.W[i * k + t] / p99[t]));
      for (let c = 0; c < 3; ++c) rgb[c] = Math.max(rgb[c], PALETTE[t][c] * s);
    }
    return rgb;
  });
}

/** Largest difference between the pictures' pixels and the expected colours, over every cell of every image. */
function worstDifference(pixels: number[][], expected: number[][]): number {
  let worst = 0, cell = 0;
  for (const image of pixels) {
    for (let j = 0; j < image.length; j += 4, ++cell) {
      for (let c = 0; c < 3; ++c) worst = Math.max(worst, Math.abs(image[j + c] - expected[cell][c]));
      assert.equal(image[j + 3], 255, "factor pictures are opaque");
    }
  }
  assert.equal(cell, expected.length, "one pixel per cell");
  return worst;
}

async function waitForFactors(page: Page, condition: string, timeout = 60_000): Promise<void> {
  await page.waitForSelector(`${figure}${condition}`, {timeout});
}

describe("the Matrix factors page", () => {
  let site: Site;
  let page: Page;
  const snapshot = readFactorTable(builtFile("animals/factors", "mixed4-k4"));

  before(async () => {
    site = await openSite();
    // Records every call the page makes to a worker's factorize() (Comlink sends the method's name in `path`)
    // and every text the factor status shows, from the first script of the page on.
    await site.context.addInitScript(() => {
      const w = window as unknown as {factorizeCalls: number; statusTexts: string[]};
      w.factorizeCalls = 0;
      w.statusTexts = [];
      const post = Worker.prototype.postMessage;
      Worker.prototype.postMessage = function (this: Worker, message: unknown, ...rest: unknown[]) {
        const path = (message as {path?: unknown})?.path;
        if (Array.isArray(path) && path.includes("factorize")) ++w.factorizeCalls;
        return (post as (...a: unknown[]) => void).call(this, message, ...rest);
      } as Worker["postMessage"];
      new MutationObserver(() => {
        const text = document.querySelector("[data-testid=factor-status]")?.textContent;
        if (text && w.statusTexts.at(-1) !== text) w.statusTexts.push(text);
      }).observe(document, {subtree: true, childList: true, characterData: true});
    });
    page = await site.open("factors");
    await page.setViewportSize({width: 1400, height: 1000});
    await waitForFactors(page, "[data-factors-painted]");
  });
  after(async () => {
    await site?.close();
  });

  test("on load the build's snapshot is shown: fetched, painted, and no factorize() call to the worker", async () => {
    const {factorizeCalls, statusTexts} = await page.evaluate(() => {
      const w = window as unknown as {factorizeCalls: number; statusTexts: string[]};
      return {factorizeCalls: w.factorizeCalls, statusTexts: w.statusTexts};
    });
    assert.equal(factorizeCalls, 0);
    assert.ok(statusTexts.every((t) => !/Computing/.test(t)), statusTexts.join(" | "));
    assert.equal(await page.getAttribute(figure, "data-factors-source"), "snapshot");
    assert.ok(site.requests.some((r) => /\/_file\/data\/animals\/factors\/mixed4-k4\.[0-9a-f]+\.arrow$/.test(r.url)), "the snapshot file was fetched");
    const status = (await page.textContent("[data-testid=factor-status]")) ?? "";
    assert.match(status, new RegExp(`k = 4: relative error ‖X − WH‖/‖X‖ = ${snapshot.info.relativeError.toFixed(4)} after ${snapshot.info.iterations} iterations; from the build's snapshot`));
    assert.match((await page.textContent(figure)) ?? "", /Okabe–Ito/);
    assert.match((await page.textContent(figure)) ?? "", /99th percentile/);
    // The snapshot is the factorisation of the built layer file: the same code in Node gives the same bits.
    const again = await factorize(builtLayer("animals", "mixed4"), {dataset: "animals"}, 4);
    assert.equal(again.info.relativeError, snapshot.info.relativeError);
    assert.deepEqual(again.W, snapshot.W);
  });

  test("the factor pictures are the snapshot's weights in the palette's colours, 99th-percentile scaled, blended by lighten", async () => {
    const pixels = await factorPixels(page);
    assert.equal(pixels.length, 11);
    assert.ok(worstDifference(pixels, expectedColours(snapshot)) <= 1);
    // Each factor's hue is there: the pixel where it is strongest is at least as bright as its hue in each channel.
    const strongest = (t: number) => {
      let best = 0;
      for (let i = 1; i < snapshot.info.cells; ++i) if (snapshot.W[i * 4 + t] > snapshot.W[best * 4 + t]) best = i;
      return best;
    };
    const flat = pixels.flatMap((image) => Array.from({length: image.length / 4}, (_, j) => image.slice(4 * j, 4 * j + 3)));
    for (let t = 0; t < 4; ++t) assert.ok(flat[strongest(t)].every((v, c) => v >= PALETTE[t][c] - 1), `factor ${t + 1}: ${flat[strongest(t)]} against ${PALETTE[t]}`);
  });

  test("the legend is a Plot swatch per factor with its share, and six crops per factor", async () => {
    // Plot arrives on its own (a dynamic import): wait for every row's swatch.
    await page.waitForFunction(() => [...document.querySelectorAll("[data-testid=factor-legend] .factor-row")].every((n) => n.querySelector(".factor-swatch [class$=-swatch] svg")));
    const rows = await page.$$eval("[data-testid=factor-legend] .factor-row", (nodes) =>
      nodes.map((n) => ({text: n.querySelector(".factor-swatch [class$=-swatch]")?.textContent, crops: n.querySelectorAll(".factor-crop canvas").length, plot: n.querySelector("[class^=plot-] svg, [class*=-swatch] svg") !== null}))
    );
    assert.deepEqual(rows.map((r) => r.crops), [6, 6, 6, 6]);
    assert.ok(rows.every((r) => r.plot), "each swatch is drawn by Plot");
    rows.forEach((r, t) => assert.equal(r.text, `Factor ${t + 1} · ${(100 * snapshot.shares[t]).toFixed(1)}\u00a0%`));
  });

  test("hovering a swatch, then a crop, shows that factor alone on every image", async () => {
    await page.hover('[data-testid=factor-legend] .factor-row[data-factor="1"] .factor-swatch');
    await waitForFactors(page, '[data-solo="1"]');
    let pixels = await factorPixels(page);
    assert.ok(worstDifference(pixels, expectedColours(snapshot, 1)) <= 1);
    // Only the sky blue, at various intensities: every pixel is a multiple of (86, 180, 233), and some are bright.
    const flat = pixels.flatMap((image) => Array.from({length: image.length / 4}, (_, j) => image.slice(4 * j, 4 * j + 3)));
    assert.ok(flat.every(([r, g, b]) => Math.abs(r * 180 - g * 86) <= 180 + 86 && Math.abs(b * 180 - g * 233) <= 233 + 180), "one hue only");
    assert.ok(flat.some(([r, g, b]) => r === 86 && g === 180 && b === 233), "full intensity somewhere");
    await page.hover('[data-testid=factor-legend] .factor-row[data-factor="2"] .factor-crop >> nth=3');
    await waitForFactors(page, '[data-solo="2"]');
    pixels = await factorPixels(page);
    assert.ok(worstDifference(pixels, expectedColours(snapshot, 2)) <= 1);
    await page.mouse.move(5, 5);
    await waitForFactors(page, '[data-solo="-1"]');
    assert.ok(worstDifference(await factorPixels(page), expectedColours(snapshot)) <= 1);
  });

  test("a hover on a factor picture outlines the cell in both sets of pictures, paints the overlay over both, and the bars give its weights", async () => {
    const cell = {col: 7, row: 5}, grid = {width: 17, height: 17};
    await page.locator(factorFrame(0)).scrollIntoViewIfNeeded();
    await paintAfter(page, () => hoverCell(page, factorFrame(0), cell.col, cell.row));
    const outlined = await page.$$eval(".overlay-frame[data-image-index='0'] .overlay-query", (boxes) => boxes.filter((b) => !(b as HTMLElement).hidden).map((b) => (b.closest("[data-testid]") as HTMLElement).dataset.testid));
    assert.deepEqual(outlined.sort(), ["factor-pictures", "overlay-figure"]);
    // The similarity veil over the factor picture equals the one over the photo.
    const veils = await page.$$eval(`${factorFrame(0)} canvas.overlay-cells:not(.overlay-underlay), ${photoFrame(0)} canvas.overlay-cells`, (canvases) =>
      canvases.map((c) => Array.from((c as HTMLCanvasElement).getContext("2d")!.getImageData(0, 0, 17, 17).data))
    );
    assert.equal(veils.length, 2);
    assert.deepEqual(veils[0], veils[1]);
    assert.ok(veils[0].some((v, j) => j % 4 === 3 && v > 0), "the veil is painted");
    // The bars: heights proportional to the cell's row of W.
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=factor-loadings] g[aria-label=bar] rect").length === 4);
    const heights = await page.$$eval("[data-testid=factor-loadings] g[aria-label=bar] rect", (rects) => rects.map((r) => Number(r.getAttribute("height"))));
    const w = Array.from(snapshot.W.subarray(cellIndex(cell, grid) * 4, cellIndex(cell, grid) * 4 + 4));
    const scale = Math.max(...heights) / Math.max(...w);
    heights.forEach((h, t) => assert.ok(Math.abs(h - w[t] * scale) < 0.5, `bar ${t + 1}: ${h} px for weight ${w[t]}`));
    assert.match((await page.textContent(".factor-readout")) ?? "", /skimage-chelsea, cell \(7, 5\)/);
  });

  test("a new k is computed in the worker with progress, changes the pictures, and equals nmf() in Node; a superseded run is cancelled", async () => {
    const before = await factorPixels(page);
    const setK = (k: number) =>
      page.evaluate((k) => {
        const input = [...document.querySelectorAll<HTMLInputElement>("input[type=number]")].find((n) => n.closest("form")?.textContent?.includes("Factors (k)"))!;
        input.value = String(k);
        input.dispatchEvent(new Event("input", {bubbles: true}));
      }, k);
    await setK(5);
    await page.waitForFunction(() => /Computing k = 5/.test(document.querySelector("[data-testid=factor-status]")?.textContent ?? ""));
    await setK(3);
    await waitForFactors(page, '[data-factors-source="worker"][data-k="3"]', 60_000);
    const {factorizeCalls, statusTexts} = await page.evaluate(() => {
      const w = window as unknown as {factorizeCalls: number; statusTexts: string[]};
      return {factorizeCalls: w.factorizeCalls, statusTexts: w.statusTexts};
    });
    assert.equal(factorizeCalls, 2);
    assert.ok(statusTexts.some((t) => /Computing k = 3 factors .* iteration \d+ \(at most 200\), relative error 0\.\d{5}/.test(t)), statusTexts.join(" | "));
    assert.ok(!statusTexts.some((t) => /k = 5:/.test(t)), "the k = 5 run never finished: it was cancelled");
    assert.equal(await page.$$eval("[data-testid=factor-legend] .factor-row", (n) => n.length), 3);
    const after = await factorPixels(page);
    assert.notDeepEqual(after, before);
    const node = await factorize(builtLayer("animals", "mixed4"), {dataset: "animals"}, 3);
    assert.equal(Number(await page.getAttribute(figure, "data-relative-error")), node.info.relativeError);
    assert.ok(worstDifference(after, expectedColours(node)) <= 1);
    assert.deepEqual(site.errors, []);
  });

  test("an upload joins the factorisation: its picture is coloured and the factors are computed again with it", async () => {
    const photo = readFileSync(join(import.meta.dirname, "..", "..", "datasets", "objects", "skimage-astronaut.png"));
    await page.setInputFiles("[data-testid=upload-input]", {name: "astronaut.png", mimeType: "image/png", buffer: photo});
    await page.waitForSelector(factorFrame(11), {timeout: 120_000});
    await waitForFactors(page, '[data-factors-source="worker"][data-k="3"]', 60_000);
    const status = (await page.textContent("[data-testid=factor-status]")) ?? "";
    assert.match(status, /NMF of 3468 cells × 768 channels \(every cell of 12 images at mixed4\), k = 3: .*your 1 upload included/);
    const pixels = await factorPixels(page);
    assert.equal(pixels.length, 12);
    assert.ok(pixels[11].some((v, j) => j % 4 !== 3 && v > 0), "the upload's picture is coloured");
    assert.deepEqual(site.errors, []);
  });
});
