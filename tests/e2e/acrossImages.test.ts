// The Across images page in a real browser, against the built site. The overlay pixels are read back from
// the grid-resolution canvases and compared with cosine similarities computed here in Node from the built
// Arrow file; the interactions (hover, keyboard, touch drag, pins, top matches, URL, controls, export,
// copies) are driven as a user would.
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, test} from "node:test";
import {rgb} from "d3-color";
import {interpolateViridis} from "d3-scale-chromatic";
import type {Page} from "playwright-core";
import sharp from "sharp";
import {cellIndex, type Size} from "../../src/core/cells.js";
import {outputDir, openSite, type Site} from "./browser.js";
import {builtLayer, cellPoint, choose, colorBarLegend, findRamp, clickCell, hoverCell, optionLabels, overlayPixels, paintAfter, queryOutlines, referenceSimilarity, searchOf, spearman, veilBrightness, isBrightest} from "./overlayPage.js";

const frameOf = (i: number) => `[data-testid=overlay-figure] .overlay-frame[data-image-index="${i}"]`;

/** Waits until the figure shows `count` images at `layer` of `dataset`. */
async function waitForFigure(page: Page, dataset: string, layer: string, count: number): Promise<void> {
  await page.waitForFunction(
    ([d, l, n]) => {
      const root = document.querySelector("[data-testid=overlay-figure]") as HTMLElement | null;
      return root?.dataset.dataset === d && root.dataset.layer === l && root.querySelectorAll(".overlay-frame").length === n;
    },
    [dataset, layer, count] as const,
    {timeout: 30_000}
  );
}

async function hover(page: Page, image: number, col: number, row: number): Promise<{start: number; end: number}> {
  const [paint] = await paintAfter(page, () => hoverCell(page, frameOf(image), col, row));
  return paint;
}

/** Index of the largest value (the first one on ties). */
function argmax(values: readonly number[]): number {
  return values.reduce((best, v, i) => (v > values[best] ? i : best), 0);
}

describe("across images page", () => {
  let site: Site;
  let page: Page;
  const mixed4 = builtLayer("animals", "mixed4");

  before(async () => {
    site = await openSite();
    page = await site.open("across-images");
    await waitForFigure(page, "animals", "mixed4", 11);
  });
  after(async () => {
    await site?.close();
  });

  test("hovering a cell paints every image in the order of the cosine similarities computed in Node", async () => {
    const image = 2, cell = {col: 8, row: 5};
    const paint = await hover(page, image, cell.col, cell.row);
    assert.ok(paint.end >= paint.start && paint.start > 0, `paint ${JSON.stringify(paint)}`);
    const pixels = await overlayPixels(page);
    assert.equal(pixels.length, 11);
    const grids = mixed4.info.grids;
    const query = mixed4.cellStart[image] + cellIndex(cell, grids[image]);
    const expected = referenceSimilarity(mixed4, query);
    const shown: number[] = [];
    for (const p of pixels) {
      assert.deepEqual({width: p.width, height: p.height}, grids[p.index], `overlay canvas of image ${p.index} is its grid`);
      shown.push(...veilBrightness(p));
    }
    // The query's own cell is the brightest of its image.
    const own = veilBrightness(pixels[image]);
    assert.ok(isBrightest(own, cellIndex(cell, grids[image])));
    const rho = spearman(shown, expected);
    assert.ok(rho >= 0.95, `Spearman ρ = ${rho.toFixed(4)}`);
    // The query is outlined in yellow on its image, on the right cell.
    const outlines = await queryOutlines(page);
    assert.equal(outlines.length, 1);
    assert.equal(outlines[0].index, image);
    assert.ok(Math.abs(outlines[0].x - cell.col / 17) < 1e-6 && Math.abs(outlines[0].y - cell.row / 17) < 1e-6, JSON.stringify(outlines[0]));
    const readout = await page.locator(".explorer-readout").textContent();
    assert.match(readout ?? "", /cell \(8, 5\)/);
    await site.screenshot(page, "across-images-hover");
  });

  test("moving straight from one image to the next keeps the new query (the old image's leave comes late)", async () => {
    await hover(page, 0, 16, 8);
    await paintAfter(page, () => hoverCell(page, frameOf(1), 0, 8));
    await page.waitForTimeout(300); // longer than the deferred clear
    assert.deepEqual((await queryOutlines(page)).map((o) => [o.index, Math.round(o.x * 17), Math.round(o.y * 17)]), [[1, 0, 8]]);
    assert.ok(isBrightest(veilBrightness((await overlayPixels(page))[1]), cellIndex({col: 0, row: 8}, mixed4.info.grids[1])));
  });

  test("the closest cells are listed; clicking one makes it the (pinned) query", async () => {
    await page.locator(".top-match").nth(11).waitFor({timeout: 10_000});
    const first = page.locator(".top-match").first();
    const index = Number(await first.getAttribute("data-image"));
    const [col, row] = (await first.getAttribute("data-cell"))!.split(",").map(Number);
    await paintAfter(page, () => first.click());
    assert.equal(searchOf(page).get("pins"), `${index}.${col}.${row}`);
    const own = veilBrightness((await overlayPixels(page))[index]);
    assert.ok(isBrightest(own, cellIndex({col, row}, mixed4.info.grids[index])));
    await page.getByRole("button", {name: "Clear pins"}).click();
  });

  test("the keyboard moves the query and Enter pins it", async () => {
    const frame = page.locator(frameOf(4));
    await paintAfter(page, () => frame.focus()); // the cursor starts at the centre cell, (8, 8)
    await paintAfter(page, () => page.keyboard.press("ArrowLeft"));
    await paintAfter(page, () => page.keyboard.press("ArrowLeft"));
    await paintAfter(page, () => page.keyboard.press("ArrowUp"));
    const outlines = await queryOutlines(page);
    assert.deepEqual(outlines.map((o) => [o.index, Math.round(o.x * 17), Math.round(o.y * 17)]), [[4, 6, 7]]);
    const own = veilBrightness((await overlayPixels(page))[4]);
    assert.ok(isBrightest(own, cellIndex({col: 6, row: 7}, mixed4.info.grids[4])));
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => new URLSearchParams(location.search).get("pins") === "4.6.7");
    await page.getByRole("button", {name: "Clear pins"}).click();
    await page.waitForFunction(() => !new URLSearchParams(location.search).has("pins"));
  });

  test("a touch drag moves the query across images", async () => {
    await page.evaluate(() => {
      const w = window as unknown as {__types: string[]};
      w.__types = [];
      document.addEventListener("pointermove", (e) => w.__types.push(e.pointerType), true);
    });
    const from = await cellPoint(page, frameOf(0), 3, 3);
    const to = await cellPoint(page, frameOf(1), 10, 12);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Input.dispatchTouchEvent", {type: "touchStart", touchPoints: [{x: from.x, y: from.y}]});
    for (let k = 1; k <= 12; ++k) {
      const t = k / 12;
      await cdp.send("Input.dispatchTouchEvent", {type: "touchMove", touchPoints: [{x: from.x + (to.x - from.x) * t, y: from.y + (to.y - from.y) * t}]});
    }
    await cdp.send("Input.dispatchTouchEvent", {type: "touchEnd", touchPoints: []});
    const types = await page.evaluate(() => (window as unknown as {__types: string[]}).__types);
    assert.ok(types.length > 0 && types.every((t) => t === "touch"), `pointer types: ${[...new Set(types)].join(", ")}`);
    // The query stays where the finger was lifted, on the second image, and the overlay follows it.
    await page.waitForFunction(() => {
      const canvas = document.querySelector('.overlay-frame[data-image-index="1"] canvas.overlay-cells') as HTMLCanvasElement;
      return canvas.getContext("2d")!.getImageData(10, 12, 1, 1).data[3] <= 5; // the query: cosine ≈ 1, no veil
    });
    const outlines = await queryOutlines(page);
    assert.deepEqual(outlines.map((o) => [o.index, Math.round(o.x * 17), Math.round(o.y * 17)]), [[1, 10, 12]]);
    await cdp.detach();
  });

  test("a pinned query survives the pointer leaving; Clear pins removes it", async () => {
    await hoverCell(page, frameOf(6), 9, 4);
    await paintAfter(page, () => clickCell(page, frameOf(6), 9, 4));
    await page.mouse.move(2, 2);
    await page.waitForTimeout(400);
    assert.equal(searchOf(page).get("pins"), "6.9.4");
    const outlines = await queryOutlines(page);
    assert.deepEqual(outlines.map((o) => [o.index, Math.round(o.x * 17), Math.round(o.y * 17)]), [[6, 9, 4]]);
    const pixels = await overlayPixels(page);
    const own = veilBrightness(pixels[6]);
    assert.equal(argmax(own), cellIndex({col: 9, row: 4}, mixed4.info.grids[6]));
    assert.ok(veilBrightness(pixels[0]).some((b) => b < 200), "other images are darkened");
    // A second pin: the overlay is the maximum over both.
    await paintAfter(page, () => clickCell(page, frameOf(0), 2, 2));
    assert.equal(searchOf(page).get("pins"), "6.9.4,0.2.2");
    assert.equal((await queryOutlines(page)).length, 2);
    await page.getByRole("button", {name: "Clear pins"}).click();
    await page.mouse.move(2, 2);
    assert.equal(searchOf(page).get("pins"), null);
    assert.deepEqual(await queryOutlines(page), []);
    // Without a query the images are shown plain (after a moment, so that crossing a gap does not flash).
    await page.waitForFunction(() => [...document.querySelectorAll("canvas.overlay-cells")].every((c) => (c as HTMLCanvasElement).getContext("2d")!.getImageData(0, 0, 17, 17).data.every((v) => v === 0)));
  });

  test("the colour bar's legend shows the overlay's colours, its marker at the value under the pointer, and is drawn anew only when the scale changes", async () => {
    await hover(page, 2, 4, 4);
    const first = await colorBarLegend(page);
    // Each hover repaints every overlay and updates the bar; the legend stays the same SVG.
    for (const [image, col, row] of [[2, 5, 4], [4, 10, 10], [9, 0, 3]] as const) {
      await hover(page, image, col, row);
      assert.equal((await colorBarLegend(page)).renders, first.renders, `a hover on ${image}:${col},${row} does not render the legend again`);
    }
    await paintAfter(page, () => clickCell(page, frameOf(3), 8, 8)); // pinned, so the pointer reads values
    const cells = [[5, 2, 3], [5, 12, 9], [7, 6, 14], [0, 16, 0]] as const;
    const positions: number[] = [];
    for (const [image, col, row] of cells) {
      await hoverCell(page, frameOf(image), col, row);
      await page.waitForFunction((where) => document.querySelector(".explorer-readout")!.textContent!.includes(where), `cell (${col}, ${row})`);
      const legend = await colorBarLegend(page);
      const value = Number(await page.locator(".explorer-readout").getAttribute("data-value"));
      // Cosine on the fixed scale: the bar runs from 0 to 1, so the marker sits at `value` along the ramp.
      const t = (legend.marker! - legend.left) / legend.width;
      assert.ok(Math.abs(t - Math.min(1, Math.max(0, value))) <= 1.5 / legend.width, `marker at ${t.toFixed(4)}, value ${value}`);
      // The ramp's colour under the marker is the colour the overlay painted that cell with.
      const painted = (await overlayPixels(page))[image].rgba.slice(cellIndex({col, row}, mixed4.info.grids[image]) * 4).slice(0, 4);
      const k = Math.round(t * 255);
      const near = [k - 1, k, k + 1].filter((j) => j >= 0 && j < 256).map((j) => legend.ramp.slice(j * 4, j * 4 + 4));
      assert.ok(near.some((c) => c.every((v, i) => Math.abs(v - painted[i]) <= 1)), `cell ${image}:${col},${row} painted ${painted}, ramp near ${k}: ${near.map((c) => c.join(",")).join(" | ")}`);
      assert.equal(legend.renders, first.renders, "a hover does not render the legend again");
      positions.push(t);
    }
    assert.equal(new Set(positions.map((t) => t.toFixed(3))).size, positions.length, `the marker moved: ${positions.join(", ")}`);
    // The veil: black, transparent at the most similar end, opaque at the least.
    assert.deepEqual([first.ramp.slice(0, 4), first.ramp.slice(1020)], [[0, 0, 0, 255], [0, 0, 0, 0]]);
    // A new colour map renders a new legend: viridis, whose ends are the published colours.
    await choose(page, "Colours", optionLabels.colormap.viridis);
    await page.waitForFunction(() => document.querySelector("[data-testid=overlay-figure] .color-bar")!.textContent!.includes("Viridis"));
    const viridis = await colorBarLegend(page);
    assert.equal(viridis.renders, first.renders + 1);
    const ends = [viridis.ramp.slice(0, 3), viridis.ramp.slice(1020, 1023)];
    for (const [got, want] of [[ends[0], [68, 1, 84]], [ends[1], [253, 231, 37]]]) assert.ok(got.every((v, i) => Math.abs(v - want[i]) <= 3), `viridis end ${got}, published ${want}`);
    await choose(page, "Colours", optionLabels.colormap.veil);
    await page.waitForFunction(() => !document.querySelector("[data-testid=overlay-figure] .color-bar")!.textContent!.includes("Viridis"));
    await page.getByRole("button", {name: "Clear pins"}).click();
  });

  test("colour map, scale and similarity changes change the colour bar's text", async () => {
    await paintAfter(page, () => clickCell(page, frameOf(3), 8, 8)); // a pinned query, so stretched scales have a range
    await page.mouse.move(2, 2); // read the bar without a pointer on an image
    const bar = page.locator(".color-bar");
    const texts = [await bar.textContent()];
    assert.match(texts[0]!, /cosine similarity, fixed scale 0–1/);
    // Controls update the page asynchronously (Observable re-runs the cells): wait for the bar to change.
    const after = async (action: () => Promise<unknown>) => {
      await action();
      await page.waitForFunction((before) => document.querySelector(".color-bar")!.textContent !== before, texts[texts.length - 1]);
      texts.push(await bar.textContent());
    };
    await after(() => choose(page, "Colours", optionLabels.colormap.viridis));
    await after(() => choose(page, "Scale", optionLabels.scale.set));
    await after(() => choose(page, "Similarity", optionLabels.kind.dot));
    await after(() => choose(page, "Similarity", optionLabels.kind.euclidean));
    await after(() => choose(page, "Scale", optionLabels.scale.fixed));
    assert.equal(new Set(texts).size, texts.length, texts.join("\n"));
    assert.match(texts[1]!, /Viridis/);
    assert.match(texts[3]!, /dot product, stretched to this set's min–max/);
    assert.match(texts[5]!, /negative Euclidean distance, fixed scale −√2·max ‖v‖ to 0/);
    // With viridis the overlay is opaque colour: alpha 255 everywhere.
    const pixels = await overlayPixels(page);
    assert.equal(pixels.length, 11);
    assert.ok(pixels.every((p) => p.rgba.length === 17 * 17 * 4 && p.rgba.every((v, k) => k % 4 !== 3 || v === 255)));
    await site.screenshot(page, "across-images-viridis-euclidean");
    await page.getByRole("button", {name: "Clear pins"}).click();
  });

  test("the URL carries the view and restores it", async () => {
    await choose(page, "Similarity", optionLabels.kind.dot);
    await choose(page, "Scale", optionLabels.scale.image);
    await page.getByRole("spinbutton", {name: "Opacity"}).fill("0.5");
    await page.getByRole("spinbutton", {name: "Opacity"}).dispatchEvent("input");
    await page.getByRole("radio", {name: "Objects and scenes"}).check();
    await waitForFigure(page, "objects", "mixed4", 12); // the layer picker is made anew for the new set
    await page.getByRole("combobox", {name: "Layer"}).selectOption({label: "mixed3"});
    await waitForFigure(page, "objects", "mixed3", 12);
    for (const [image, col, row] of [[1, 4, 5], [7, 12, 3]]) {
      await paintAfter(page, () => clickCell(page, frameOf(image), col, row));
    }
    await page.mouse.move(2, 2);
    const url = page.url();
    const search = new URL(url).searchParams;
    search.delete("q"); // the last hovered cell, unused while cells are pinned
    assert.deepEqual(Object.fromEntries(search), {set: "objects", layer: "mixed3", kind: "dot", colormap: "viridis", scale: "image", opacity: "0.5", pins: "1.4.5,7.12.3"});

    const restored = await site.context.newPage();
    await restored.goto(url);
    await waitForFigure(restored, "objects", "mixed3", 12);
    await restored.waitForFunction(() => document.querySelectorAll("[data-testid=overlay-figure] .overlay-query:not([hidden])").length === 2);
    assert.equal(await restored.getByRole("radio", {name: "Objects and scenes"}).isChecked(), true);
    assert.equal(await restored.getByRole("combobox", {name: "Layer"}).inputValue(), await page.getByRole("combobox", {name: "Layer"}).inputValue());
    for (const name of ["Similarity", "Colours", "Scale"]) {
      assert.equal(await restored.getByRole("combobox", {name}).inputValue(), await page.getByRole("combobox", {name}).inputValue(), name);
    }
    assert.equal(await restored.getByRole("spinbutton", {name: "Opacity"}).inputValue(), "0.5");
    const grids = builtLayer("objects", "mixed3").info.grids;
    const outlines = await queryOutlines(restored);
    assert.deepEqual(outlines.map((o) => [o.index, Math.round(o.x * grids[o.index].width), Math.round(o.y * grids[o.index].height)]), [[1, 4, 5], [7, 12, 3]]);
    await restored.waitForFunction(() => /dot product, stretched to each image's own min–max/.test(document.querySelector(".color-bar")!.textContent!));
    assert.equal(await restored.locator(".overlay-cells").first().evaluate((c) => getComputedStyle(c).opacity), "0.5");
    await site.screenshot(restored, "across-images-restored");
    await restored.close();
  });

  test("switching layer and set resizes every overlay canvas to the new grids", async () => {
    await page.getByRole("combobox", {name: "Layer"}).selectOption({label: "mixed1"});
    await waitForFigure(page, "objects", "mixed1", 12);
    const objects1 = builtLayer("objects", "mixed1").info.grids;
    const sizes = (pixels: {index: number; width: number; height: number}[]) => pixels.map((p): [number, Size] => [p.index, {width: p.width, height: p.height}]);
    assert.deepEqual(sizes(await overlayPixels(page)), objects1.map((g, i) => [i, g]));
    await page.getByRole("radio", {name: "Animals"}).check();
    await waitForFigure(page, "animals", "mixed1", 11);
    assert.deepEqual(sizes(await overlayPixels(page)), builtLayer("animals", "mixed1").info.grids.map((g, i) => [i, g]));
    assert.equal(objects1[0].width, 35);
    // Pins were dropped with the set; a hover paints the new layer.
    assert.equal(searchOf(page).get("pins"), null);
    await hover(page, 0, 20, 20);
    assert.equal(veilBrightness((await overlayPixels(page))[0]).length, 35 * 35);
  });

  test("Export PNG downloads the figure as a PNG, with the colour bar's legend in the colour map", async () => {
    await page.getByRole("combobox", {name: "Layer"}).selectOption({label: "mixed4"});
    await waitForFigure(page, "animals", "mixed4", 11);
    await choose(page, "Similarity", optionLabels.kind.cosine);
    await choose(page, "Scale", optionLabels.scale.fixed);
    await choose(page, "Colours", optionLabels.colormap.viridis);
    await page.getByRole("spinbutton", {name: "Opacity"}).fill("0.9");
    await page.getByRole("spinbutton", {name: "Opacity"}).dispatchEvent("input");
    await paintAfter(page, () => clickCell(page, frameOf(0), 7, 6));
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", {name: "Export PNG"}).click()]);
    assert.equal(download.suggestedFilename(), "similarity-animals-mixed4.png");
    const path = join(outputDir, "export-across-images.png");
    await download.saveAs(path);
    const png = readFileSync(path);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const width = png.readUInt32BE(16), height = png.readUInt32BE(20);
    assert.ok(width > 1000 && height > 1000, `${width}×${height}`);
    // The legend, read back by sharp: viridis (d3-scale-chromatic) at opacity 0.9 over white, least similar on
    // the left, as a ramp as wide as the page's (320 CSS pixels, 2 PNG pixels each), 12 CSS pixels high.
    const {data, info} = await sharp(png).ensureAlpha().raw().toBuffer({resolveWithObject: true});
    assert.deepEqual([info.width, info.height], [width, height]);
    const palette = Array.from({length: 256}, (_, k) => {
      const c = rgb(interpolateViridis(k / 255));
      return [c.r, c.g, c.b].map((v) => Math.round(0.9 * v + 0.1 * 255));
    });
    const ramp = findRamp(data, width, height, palette, height - 400);
    assert.ok(ramp, "no viridis ramp in the bottom of the PNG");
    assert.ok(ramp.rows.length >= 22 && ramp.rows.length <= 26, `ramp rows ${ramp.rows[0]}…${ramp.rows.at(-1)} (${ramp.rows.length})`);
    // Each entry covers 640 / 256 = 2.5 pixels from the ramp's left edge (a tick line may hide its first
    // pixels): for the best such edge, every pixel has the colour of the entry at its place (give or take one).
    const x0 = Math.min(...ramp.pixels.map((p) => p.x)), x1 = Math.max(...ramp.pixels.map((p) => p.x));
    assert.ok(ramp.pixels.length >= 600 && x1 - x0 >= 630 && x1 - x0 <= 642, `${ramp.pixels.length} ramp pixels from x = ${x0} to ${x1}`);
    const misplaced = (left: number) =>
      ramp.pixels.filter(({x}) => {
        const k = Math.floor((x - left) / 2.5);
        return ![k - 1, k, k + 1].some((j) => j >= 0 && j < 256 && palette[j].every((v, c) => Math.abs(v - data[(ramp.rows[Math.floor(ramp.rows.length / 2)] * width + x) * 4 + c]) <= 4));
      });
    const edges = Array.from({length: 13}, (_, i) => x0 - 5 + i / 2);
    const best = Math.min(...edges.map((e) => misplaced(e).length));
    assert.equal(best, 0, `pixels off the colour map: at best ${best} of ${ramp.pixels.length}`);
    // Text in the PNG's ink colour above the ramp (the label) and below it (the numbers).
    const inkRows = (from: number, to: number) => {
      let ink = 0;
      for (let y = from; y < to; ++y) for (let x = x0 - 30; x < x1 + 30; ++x) if (data[(y * width + x) * 4] < 110 && Math.abs(data[(y * width + x) * 4] - data[(y * width + x) * 4 + 2]) < 20) ++ink;
      return ink;
    };
    const top = ramp.rows[0], bottom = ramp.rows.at(-1)!;
    assert.ok(inkRows(top - 30, top - 4) > 100, `label ink ${inkRows(top - 30, top - 4)}`);
    assert.ok(inkRows(bottom + 10, bottom + 34) > 100, `tick label ink ${inkRows(bottom + 10, bottom + 34)}`);
  });

  test("?copies=3 repeats the set (33 images) and each paint reports its timing", async () => {
    const copies = await site.context.newPage();
    await copies.goto(new URL("across-images?copies=3", site.url).href);
    await waitForFigure(copies, "animals", "mixed4", 33);
    const indices = await copies.$$eval("[data-image-index]", (nodes) => nodes.filter((n) => n.classList.contains("overlay-frame")).map((n) => Number((n as HTMLElement).dataset.imageIndex)));
    assert.deepEqual(indices, Array.from({length: 33}, (_, i) => i));
    const [paint] = await paintAfter(copies, () => hoverCell(copies, frameOf(25), 5, 5));
    const now = await copies.evaluate(() => performance.now());
    assert.ok(paint.start > 0 && paint.start <= paint.end && paint.end <= now, JSON.stringify(paint));
    // Image 25 is a copy of image 3 (as is 14), so all three paint the same pixels.
    const pixels = await overlayPixels(copies);
    assert.deepEqual(pixels[3].rgba, pixels[14].rgba);
    assert.deepEqual(pixels[25].rgba, pixels[3].rgba);
    assert.ok(isBrightest(veilBrightness(pixels[25]), cellIndex({col: 5, row: 5}, {width: 17, height: 17})));
    // The closest cells name each picture's cell once, not once per copy, and never the query's own cell.
    await copies.locator(".top-match").nth(11).waitFor({timeout: 10_000});
    const listed = await copies.$$eval(".top-match", (items) => items.map((b) => `${Number((b as HTMLElement).dataset.image) % 11}:${(b as HTMLElement).dataset.cell}`));
    assert.equal(new Set(listed).size, listed.length, listed.join(" "));
    assert.ok(!listed.includes("3:5,5"), listed.join(" "));
    await copies.close();
  });

  test("with 99 images, a hover paints the images on screen first and the rest once the pointer rests", async () => {
    const many = await site.context.newPage();
    await many.goto(new URL("across-images?copies=9", site.url).href);
    await waitForFigure(many, "animals", "mixed4", 99);
    // At the paint event: how many images wait, and whether the last (far below the viewport) is still blank.
    await many.evaluate(() => {
      document.addEventListener("overlaypaint", (event) => {
        const root = (event.target as HTMLElement).closest("[data-testid=overlay-figure]") as HTMLElement;
        const last = root.querySelector<HTMLCanvasElement>('.overlay-frame[data-image-index="98"] canvas.overlay-cells')!;
        const alpha = last.getContext("2d")!.getImageData(0, 0, last.width, last.height).data.filter((_, k) => k % 4 === 3);
        (window as unknown as {atPaint: unknown}).atPaint = {pending: Number(root.dataset.pending), lastBlank: alpha.every((a) => a === 0)};
      }, {once: true});
    });
    await paintAfter(many, () => hoverCell(many, frameOf(0), 5, 5));
    const atPaint = (await many.evaluate(() => (window as unknown as {atPaint: unknown}).atPaint)) as {pending: number; lastBlank: boolean};
    assert.ok(atPaint.pending > 50 && atPaint.lastBlank, JSON.stringify(atPaint));
    const pixels = await overlayPixels(many); // waits for data-pending to reach 0
    assert.deepEqual(pixels[98].rgba, pixels[10].rgba, "image 98 is a copy of image 10");
    assert.ok(pixels[98].rgba.some((v, k) => k % 4 === 3 && v !== pixels[98].rgba[3]), "image 98 was painted");
    await many.close();
  });

  test("if Plot cannot be loaded, the colour bar says so and still names the scale", async () => {
    const offline = await site.context.newPage();
    await offline.route("**/_node/@observablehq/plot@*/**", (route) => route.abort("aborted"));
    await offline.goto(new URL("across-images", site.url).href);
    await offline.waitForSelector("[data-testid=overlay-figure] .color-bar-missing", {timeout: 20_000});
    assert.match((await offline.textContent(".color-bar-missing")) ?? "", /^The colour legend could not be loaded \(.+\): reload the page to see it\.$/);
    assert.equal(await offline.textContent(".color-bar-label"), "cosine similarity, fixed scale 0–1");
    await offline.close();
  });

  test("fast hovers, back onto the same cell, leaving and coming back: every new query is painted, and the rest follows", async () => {
    // 99 images, so that the images off screen are asked for once the pointer rests (80 ms) while the next
    // hover may be on its way: that request must not take the hover's place (it was then never painted).
    const many = await site.context.newPage();
    await many.goto(new URL("across-images?copies=9", site.url).href);
    await waitForFigure(many, "animals", "mixed4", 99);
    await many.locator(frameOf(0)).scrollIntoViewIfNeeded();
    const boxes = await Promise.all([0, 1, 2].map(async (i) => (await many.locator(frameOf(i)).boundingBox())!));
    const at = (image: number, col: number, row: number) => {
      const b = boxes[image];
      return {x: b.x + ((col + 0.5) / 17) * b.width, y: b.y + ((row + 0.5) / 17) * b.height};
    };
    const gap = {x: boxes[0].x + boxes[0].width + 4, y: boxes[0].y + boxes[0].height / 2}; // between images 0 and 1
    const move = async (p: {x: number; y: number}) => many.mouse.move(p.x, p.y);
    const expectPaint = async (what: string, action: () => Promise<unknown>) => {
      await paintAfter(many, action, 1, 5000).catch((error) => assert.fail(`${what}: ${(error as Error).message}`));
    };
    const readout = () => many.textContent(".explorer-readout");
    for (let i = 0; i < 24; ++i) {
      const image = i % 3, col = (i * 5) % 17, row = (i * 7) % 17;
      await expectPaint(`hover ${i}`, () => move(at(image, col, row)));
      // After a pause around the rest delay (the off-screen request goes out meanwhile), a burst of moves:
      // only the last must be painted.
      await many.waitForTimeout(70 + (i % 5) * 5);
      await expectPaint(`burst ${i}`, async () => {
        for (let j = 1; j <= 4; ++j) await move(at(image, (col + j) % 17, row));
      });
      assert.match((await readout()) ?? "", new RegExp(`cell \\(${(col + 4) % 17}, ${row}\\)`));
    }
    // Out to the gap and back onto the same cell before the overlay is cleared, and after.
    await move(at(1, 3, 3));
    await many.waitForFunction(() => /cell \(3, 3\)/.test(document.querySelector(".explorer-readout")!.textContent!));
    await expectPaint("back before the clear", async () => (await move(gap), await move(at(1, 3, 3))));
    await move(gap);
    await many.waitForFunction(() => !document.querySelector(".explorer-readout")!.hasAttribute("data-value"));
    await expectPaint("back after the clear", () => move(at(1, 3, 3)));
    assert.match((await readout()) ?? "", /cell \(3, 3\)/);
    // Straight from one image to another and back onto the first one's cell.
    await expectPaint("to image 2", () => move(at(2, 3, 3)));
    await expectPaint("back to image 1", () => move(at(1, 3, 3)));
    // The page scrolled under a resting pointer, then the pointer goes back to the cell it rested on.
    await many.evaluate(() => window.scrollBy(0, 40));
    await many.waitForTimeout(200);
    await many.evaluate(() => window.scrollBy(0, -40));
    await many.waitForTimeout(200);
    await expectPaint("after a scroll", async () => (await move(at(1, 4, 4)), await move(at(1, 3, 3))));
    // And the images off screen follow: the rest is painted well within the old 5 s wait for a dropped reply.
    await many.waitForFunction(() => (document.querySelector("[data-testid=overlay-figure]") as HTMLElement).dataset.pending === "0", null, {timeout: 3000});
    await many.close();
  });

  test("no request leaves 127.0.0.1 and nothing logs an error", () => {
    const outside = site.requests.filter((r) => !r.url.startsWith(site.url) && !/^(data|blob):/.test(r.url));
    assert.deepEqual(outside, []);
    assert.deepEqual(site.errors, []);
  });
});
