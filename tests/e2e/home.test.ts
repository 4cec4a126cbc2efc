// The home page's splash figure in a real browser: the animals set at mixed4 with an overlay from the
// start, every image repainted when any image is hovered, and the thumbnail strip switching sets.
import assert from "node:assert/strict";
import {after, before, describe, test} from "node:test";
import type {Page} from "playwright-core";
import {cellIndex} from "../../src/core/cells.js";
import {openSite, type Site} from "./browser.js";
import {builtLayer, hoverCell, overlayPixels, paintAfter, queryOutlines, veilBrightness, isBrightest} from "./overlayPage.js";

/** Waits until the figure shows `count` images of `dataset` and cell (col, row) of image 0 is painted as the query. */
async function waitForSplash(page: Page, dataset: string, count: number, col: number, row: number): Promise<void> {
  await page.waitForFunction(
    ([d, n, x, y]) => {
      const root = document.querySelector("[data-testid=overlay-figure]") as HTMLElement | null;
      if (root?.dataset.dataset !== d || root.querySelectorAll(".overlay-frame").length !== n) return false;
      const canvas = root.querySelector('.overlay-frame[data-image-index="0"] canvas.overlay-cells') as HTMLCanvasElement;
      return canvas.getContext("2d")!.getImageData(x, y, 1, 1).data[3] <= 5; // the query: cosine ≈ 1, no veil
    },
    [dataset, count, col, row] as const,
    {timeout: 30_000}
  );
}

describe("home page", () => {
  let site: Site;
  let page: Page;

  before(async () => {
    site = await openSite();
    page = await site.open("");
  });
  after(async () => {
    await site?.close();
  });

  test("opens on the animals at mixed4 with an overlay already painted", async () => {
    await waitForSplash(page, "animals", 11, 14, 8);
    assert.equal(await page.locator("[data-testid=overlay-figure]").getAttribute("data-layer"), "mixed4");
    const outlines = await queryOutlines(page);
    assert.deepEqual(outlines.map((o) => [o.index, Math.round(o.x * 17), Math.round(o.y * 17)]), [[0, 14, 8]]);
    assert.match((await page.locator(".color-bar").textContent()) ?? "", /cosine similarity, fixed scale 0–1/);
    await site.screenshot(page, "home-splash");
  });

  test("hovering any image repaints every image", async () => {
    const before = await overlayPixels(page);
    await paintAfter(page, () => hoverCell(page, '.overlay-frame[data-image-index="5"]', 8, 8));
    const after = await overlayPixels(page);
    for (const p of after) assert.notDeepEqual(p.rgba, before[p.index].rgba, `image ${p.index} was repainted`);
    assert.ok(isBrightest(veilBrightness(after[5]), cellIndex({col: 8, row: 8}, {width: 17, height: 17})));
    const grids = builtLayer("animals", "mixed4").info.grids;
    assert.deepEqual(after.map((p) => ({width: p.width, height: p.height})), grids);
  });

  test("the thumbnail strip switches to the objects", async () => {
    await page.getByRole("radio", {name: "Objects and scenes"}).click();
    await waitForSplash(page, "objects", 12, 8, 8);
    assert.equal(await page.getByRole("radio", {name: "Objects and scenes"}).getAttribute("aria-checked"), "true");
    const grids = builtLayer("objects", "mixed4").info.grids;
    assert.deepEqual((await overlayPixels(page)).map((p) => ({width: p.width, height: p.height})), grids);
    await site.screenshot(page, "home-objects");
  });

  test("no request leaves 127.0.0.1 and nothing logs an error", () => {
    const outside = site.requests.filter((r) => !r.url.startsWith(site.url) && !/^(data|blob):/.test(r.url));
    assert.deepEqual(outside, []);
    assert.deepEqual(site.errors, []);
  });
});
