// The Across layers page in a real browser: one image at several layers, the hovered cell carried between
// grids of different resolution by its centre (mapCell), each layer's overlay checked against cosine
// similarities computed here in Node from the built Arrow files.
import assert from "node:assert/strict";
import {after, before, describe, test} from "node:test";
import type {Page} from "playwright-core";
import {cellIndex, mapCell, type Cell} from "../../src/core/cells.js";
import {openSite, type Site} from "./browser.js";
import {builtLayer, hoverCell, clickCell, overlayPixels, paintAfter, queryOutlines, referenceSimilarity, searchOf, spearman, veilBrightness, isBrightest} from "./overlayPage.js";

const panel = (layer: string) => `[data-testid=overlay-figure] .overlay-frame[data-layer="${layer}"]`;
const shownLayers = ["mixed1", "mixed3", "mixed4", "mixed5", "mixed8"];

/** Waits until the figure shows one panel per layer of `layers`. */
async function waitForPanels(page: Page, layers: readonly string[]): Promise<void> {
  await page.waitForFunction(
    (names) => [...document.querySelectorAll("[data-testid=overlay-figure] .overlay-frame")].map((f) => (f as HTMLElement).dataset.layer).join() === names.join(),
    layers,
    {timeout: 30_000}
  );
}

/** Each panel's query outline as a cell of that panel's grid. */
async function outlinedCells(page: Page): Promise<Record<string, Cell[]>> {
  const out: Record<string, Cell[]> = {};
  const grids = Object.fromEntries(shownLayers.map((l) => [l, builtLayer("animals", l).info.grids[0]]));
  for (const o of await queryOutlines(page)) (out[o.layer] ??= []).push({col: Math.round(o.x * grids[o.layer].width), row: Math.round(o.y * grids[o.layer].height)});
  return out;
}

describe("across layers page", () => {
  let site: Site;
  let page: Page;
  const layers = Object.fromEntries(shownLayers.map((l) => [l, builtLayer("animals", l)]));
  const query = {col: 8, row: 6}; // a cell of mixed4's 17×17 grid
  const carried = Object.fromEntries(shownLayers.map((l) => [l, mapCell(query, layers.mixed4.info.grids[0], layers[l].info.grids[0])]));

  before(async () => {
    site = await openSite();
    page = await site.open("across-layers");
    await waitForPanels(page, shownLayers);
  });
  after(async () => {
    await site?.close();
  });

  test("the layers shown have the grids the brief names", () => {
    assert.deepEqual(shownLayers.map((l) => layers[l].info.grids[0].width), [35, 17, 17, 17, 8]);
    assert.deepEqual(carried, {mixed1: {col: 17, row: 13}, mixed3: query, mixed4: query, mixed5: query, mixed8: {col: 4, row: 3}});
  });

  test("hovering a cell of mixed4 outlines the same place in every layer, and each layer lights up by its own cosines", async () => {
    await paintAfter(page, () => hoverCell(page, panel("mixed4"), query.col, query.row), shownLayers.length);
    assert.deepEqual(await outlinedCells(page), Object.fromEntries(shownLayers.map((l) => [l, [carried[l]]])));
    const pixels = await overlayPixels(page);
    assert.deepEqual(pixels.map((p) => p.layer), shownLayers, "one overlay per layer shown");
    for (const p of pixels) {
      const {info, cellStart} = layers[p.layer];
      const grid = info.grids[0];
      assert.deepEqual({width: p.width, height: p.height}, grid, `${p.layer}: the overlay canvas is the grid`);
      const shown = veilBrightness(p);
      assert.ok(isBrightest(shown, cellIndex(carried[p.layer], grid)), `${p.layer}: the carried cell is the brightest`);
      const expected = referenceSimilarity(layers[p.layer], cellStart[0] + cellIndex(carried[p.layer], grid)).subarray(cellStart[0], cellStart[1]);
      const rho = spearman(shown, expected);
      assert.ok(rho >= 0.95, `${p.layer}: Spearman ρ = ${rho.toFixed(4)}`);
    }
    const captions = await page.locator(".layer-caption").allTextContents();
    assert.match(captions[0], /^mixed1 · 35×35 · cell \(17, 13\) · 1\.00$/);
    await page.waitForFunction(() => new URLSearchParams(location.search).get("q") === "0.8.6.mixed4");
    await site.screenshot(page, "across-layers-hover");
  });

  test("hovering mixed1 carries its cell to the coarser grids", async () => {
    const cell = {col: 30, row: 5};
    await paintAfter(page, () => hoverCell(page, panel("mixed1"), cell.col, cell.row), shownLayers.length);
    const fine = layers.mixed1.info.grids[0];
    assert.deepEqual(await outlinedCells(page), Object.fromEntries(shownLayers.map((l) => [l, [mapCell(cell, fine, layers[l].info.grids[0])]])));
  });

  test("a pinned cell survives the pointer leaving and the URL restores it", async () => {
    await hoverCell(page, panel("mixed8"), 2, 5);
    await paintAfter(page, () => clickCell(page, panel("mixed8"), 2, 5), shownLayers.length);
    await page.mouse.move(2, 2);
    await page.waitForTimeout(300);
    assert.equal(searchOf(page).get("pins"), "0.2.5.mixed8");
    const expected = Object.fromEntries(shownLayers.map((l) => [l, [mapCell({col: 2, row: 5}, layers.mixed8.info.grids[0], layers[l].info.grids[0])]]));
    assert.deepEqual(await outlinedCells(page), expected);
    const restored = await site.context.newPage();
    await restored.goto(page.url());
    await waitForPanels(restored, shownLayers);
    await restored.waitForFunction((n) => document.querySelectorAll("[data-testid=overlay-figure] .overlay-query:not([hidden])").length === n, shownLayers.length);
    assert.deepEqual(await outlinedCells(restored), expected);
    await restored.close();
    await page.getByRole("button", {name: "Clear pins"}).click();
  });

  test("another image and fewer layers rebuild the panels", async () => {
    await page.getByRole("radio", {name: "darknet-dog"}).click();
    await page.getByRole("checkbox", {name: "mixed8"}).uncheck();
    await waitForPanels(page, shownLayers.slice(0, 4));
    assert.equal(searchOf(page).get("image"), "1");
    assert.equal(searchOf(page).get("layers"), "mixed1,mixed3,mixed4,mixed5");
    await paintAfter(page, () => hoverCell(page, panel("mixed3"), 10, 9), 4);
    const pixels = await overlayPixels(page);
    assert.deepEqual(pixels.map((p) => p.index), [1, 1, 1, 1]);
    assert.ok(isBrightest(veilBrightness(pixels[1]), cellIndex({col: 10, row: 9}, {width: 17, height: 17})));
  });

  test("no request leaves 127.0.0.1 and nothing logs an error", () => {
    const outside = site.requests.filter((r) => !r.url.startsWith(site.url) && !/^(data|blob):/.test(r.url));
    assert.deepEqual(outside, []);
    assert.deepEqual(site.errors, []);
  });
});
