// The Rotation and scale page in a real browser, against the built site: the hover chart follows the
// pointer (read from the chart's own SVG, as a user reads its tooltips), the untransformed picture's point,
// gaps for missing correspondences, the CSV export against the chart, the PNG export, and an upload made
// into its own transformed set in the browser. Reference values are computed here in Node from the built
// Arrow file, with the quarter turn's correspondence worked out by hand (not by the page's code).
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, test} from "node:test";
import type {Page} from "playwright-core";
import sharp from "sharp";
import {readImageTable} from "../../src/core/imageTable.js";
import {outputDir, openSite, type Site} from "./browser.js";
import {builtFile, builtLayer, clickCell, hoverCell, paintAfter} from "./overlayPage.js";

const frameOf = (i: number) => `[data-testid=overlay-figure] .overlay-frame[data-image-index="${i}"]`;

async function waitForFrames(page: Page, count: number, caption: RegExp, timeout = 60_000): Promise<void> {
  await page.waitForFunction(
    ([n, source]) => {
      const frames = document.querySelectorAll("[data-testid=overlay-figure] .overlay-frame");
      const first = document.querySelector("[data-testid=overlay-figure] figcaption")?.textContent ?? "";
      return frames.length === n && new RegExp(source).test(first);
    },
    [count, caption.source] as const,
    {timeout}
  );
}

/** The chart's points as its tooltips say them: {"45°": {corresponding, best}}, and the missing ones. */
async function chartPoints(page: Page): Promise<{values: Record<string, {corresponding?: number; best?: number}>; missing: string[]; caption: string; gaps: number}> {
  return page.evaluate(() => {
    const chart = document.querySelector("[data-testid=transform-chart]")!;
    const values: Record<string, {corresponding?: number; best?: number}> = {};
    const missing: string[] = [];
    for (const title of chart.querySelectorAll("title")) {
      const text = title.textContent ?? "";
      let m = /^(.+?): corresponding cell (\S+)( \(cell \d+, \d+; its centre [\d.]+ px from the mapped point\))$/.exec(text);
      if (m) (values[m[1]] ??= {}).corresponding = Number(m[2]);
      m = /^(.+?): best in its 3×3 neighbourhood (\S+)$/.exec(text);
      if (m) (values[m[1]] ??= {}).best = Number(m[2]);
      m = /^(.+?): missing/.exec(text);
      if (m) missing.push(m[1]);
    }
    // Each line is one path; a gap starts a new subpath ("M").
    const paths = [...chart.querySelectorAll("g[aria-label=line] path")].map((p) => p.getAttribute("d") ?? "");
    const gaps = Math.max(0, ...paths.map((d) => (d.match(/M/g) ?? []).length - 1));
    return {values, missing, caption: chart.querySelector("figcaption")?.textContent ?? "", gaps};
  });
}

describe("rotation and scale page", () => {
  let site: Site;
  let page: Page;
  const mixed4 = builtLayer("transforms", "mixed4");
  const table = readImageTable(builtFile("transforms", "images"));
  const row = (id: string) => table.images.findIndex((d) => d.id === id);
  /** Cosine of two cells of the built file from their codes, divided by the codes' lengths. */
  const cosine = (a: number, b: number) => {
    const C = mixed4.info.channels;
    let ab = 0, aa = 0, bb = 0;
    for (let k = 0; k < C; ++k) {
      const x = mixed4.codes[a * C + k], y = mixed4.codes[b * C + k];
      (ab += x * y), (aa += x * x), (bb += y * y);
    }
    return ab / Math.sqrt(aa * bb);
  };
  const cellOf = (image: number, col: number, r: number) => mixed4.cellStart[image] + r * 17 + col;

  before(async () => {
    site = await openSite();
    page = await site.open("rotation-and-scale");
    await waitForFrames(page, 16, /^0° · Chelsea/);
  });
  after(async () => {
    await site?.close();
  });

  test("the chart redraws on every hover, in the paint that draws the overlay", async () => {
    await paintAfter(page, () => hoverCell(page, frameOf(0), 10, 13));
    const first = await chartPoints(page);
    assert.match(first.caption, /skimage-chelsea-rot0 \(0°\), cell \(10, 13\)/);
    assert.equal(Object.keys(first.values).length, 16, "a point per angle (0° also drawn at 360°)");
    await paintAfter(page, () => hoverCell(page, frameOf(4), 4, 8));
    const second = await chartPoints(page);
    assert.match(second.caption, /skimage-chelsea-rot90 \(90°\), cell \(4, 8\)/);
    assert.notDeepEqual(second.values, first.values);
    // The corresponding cell is outlined in every other picture (none where it is missing).
    const outlined = await page.$$eval("[data-testid=overlay-figure] .overlay-match:not([hidden])", (n) => n.length);
    assert.equal(outlined, 15 - second.missing.length);
  });

  test("the untransformed picture's point is exactly 1, and a quarter turn's matches Node", async () => {
    const cell = {col: 10, row: 13}; // the nose
    await paintAfter(page, () => hoverCell(page, frameOf(0), cell.col, cell.row));
    const {values} = await chartPoints(page);
    assert.equal(values["0°"].corresponding, 1);
    // A counter-clockwise quarter turn takes cell (c, r) of 17 × 17 to (r, 16 − c).
    const expected = cosine(cellOf(row("skimage-chelsea-rot0"), cell.col, cell.row), cellOf(row("skimage-chelsea-rot90"), cell.row, 16 - cell.col));
    assert.ok(Math.abs(values["90°"].corresponding! - expected) < 1e-4, `${values["90°"].corresponding} vs ${expected}`);
    assert.ok(values["90°"].best! >= values["90°"].corresponding!);
  });

  test("a missing correspondence shows as a gap, not a bridged line", async () => {
    await paintAfter(page, () => hoverCell(page, frameOf(0), 0, 0));
    const {missing, gaps, values} = await chartPoints(page);
    assert.ok(missing.includes("45°") && missing.includes("22.5°"), `missing: ${missing.join(", ")}`);
    assert.ok(!("45°" in values), "no point drawn at 45°");
    assert.ok("90°" in values, "the corner comes back at 90°");
    assert.ok(gaps >= 1, "the lines break");
  });

  test("Export CSV gives the chart's data", async () => {
    await paintAfter(page, () => hoverCell(page, frameOf(2), 6, 9));
    const {values, missing} = await chartPoints(page);
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=export-csv]")]);
    const text = readFileSync((await download.path())!, "utf8");
    const [header, ...lines] = text.trim().split("\n");
    assert.equal(header, "dataset,layer,similarity_kind,hovered_image,hovered_col,hovered_row,picture,transform,value,corresponding_col,corresponding_row,distance_px,similarity,best_in_3x3");
    assert.equal(lines.length, 16);
    for (const line of lines) {
      const f = line.split(",");
      assert.deepEqual(f.slice(1, 6), ["mixed4", "cosine", "skimage-chelsea-rot45", "6", "9"]);
      const label = `${f[8]}°`;
      if (f[12] === "") assert.ok(missing.includes(label), `${label} is missing in the CSV and on the chart`);
      else {
        assert.equal(Number(f[12]).toFixed(4), values[label].corresponding!.toFixed(4), label);
        assert.equal(Number(f[13]).toFixed(4), values[label].best!.toFixed(4), label);
      }
    }
  });

  test("the summary chart has one line per border band, and Export PNG draws the charts", async () => {
    await page.waitForSelector("[data-testid=transform-summary] svg", {timeout: 30_000});
    const legend = await page.textContent("[data-testid=transform-summary] svg");
    assert.match(legend ?? "", /border row \(64 cells\).*1–2 cells in \(104 cells\).*centre \(3\+ cells in\) \(121 cells\)/s);
    // Pinned, so that the query stays when the pointer goes to the button.
    await paintAfter(page, () => clickCell(page, frameOf(0), 10, 13));
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=overlay-figure] button:has-text('Export PNG')")]);
    await page.click("[data-testid=overlay-figure] button:has-text('Clear pins')");
    const path = (await download.path())!;
    const {width, height} = await sharp(path).metadata();
    const figure = await page.locator("[data-testid=overlay-figure] .overlay-grid").boundingBox();
    assert.ok(height! / 2 > figure!.height + 200, `the PNG (${width}×${height}) holds the images, the bar and the charts`);
    await sharp(path).toFile(join(outputDir, "transforms-export.png"));
  });

  test("a zoom set: the x axis is logarithmic with the zooms as ticks, and zoom 1's point is 1", async () => {
    await page.getByLabel("chelsea: zoom").check();
    await waitForFrames(page, 8, /^×1 · Chelsea/);
    await paintAfter(page, () => hoverCell(page, frameOf(0), 10, 13));
    const {values, missing} = await chartPoints(page);
    assert.deepEqual(Object.keys(values), ["×1", "×1.25", "×1.5", "×1.75", "×2", "×2.5", "×3", "×4"]);
    assert.deepEqual(missing, [], "the nose is inside every zoom box");
    assert.equal(values["×1"].corresponding, 1);
    const ticks = await page.$$eval("[data-testid=transform-chart] g[aria-label='x-axis tick label'] text", (n) => n.map((t) => [t.textContent, Number(t.getAttribute("transform")?.match(/translate\(([\d.]+)/)?.[1] ?? NaN)] as const));
    const at = Object.fromEntries(ticks);
    // Log scale: ×1 → ×2 spans as much as ×2 → ×4.
    assert.ok(Math.abs((at["×2"] - at["×1"]) - (at["×4"] - at["×2"])) < 1, JSON.stringify(ticks));
    await page.getByLabel("chelsea: rotation").check();
    await waitForFrames(page, 16, /^0° · Chelsea/);
  });

  test("an upload from Your images makes its own transformed set, in the browser", async () => {
    const chelsea = readFileSync(join(import.meta.dirname, "..", "..", "datasets", "transforms", "skimage-chelsea.png"));
    await page.setInputFiles("[data-testid=upload-input]", {name: "my cat.png", mimeType: "image/png", buffer: chelsea});
    await page.waitForFunction(() => /my cat\.png/.test(document.querySelector("[data-testid=upload-list]")?.textContent ?? ""), null, {timeout: 120_000});
    await page.waitForFunction(() => [...document.querySelectorAll("[data-testid=transform-upload] option")].some((o) => o.textContent === "my cat.png"), null, {timeout: 30_000});
    await page.click("[data-testid=transform-upload] button:has-text('Make')");
    await page.waitForSelector("[data-testid=transform-upload] [data-done=true]", {timeout: 180_000});
    assert.match((await page.textContent("[data-testid=transform-upload-progress]")) ?? "", /Done: 16 pictures of my cat\.png made and run on (WebAssembly|WebGPU)/);
    await waitForFrames(page, 16, /Your image: my cat\.png, 0°/);
    await paintAfter(page, () => hoverCell(page, frameOf(0), 10, 13));
    const {values} = await chartPoints(page);
    assert.equal(values["0°"].corresponding, 1);
    // The same photo as the bundled set: the same pixels, the same network (in the browser), so nearly the same curve.
    const expected = cosine(cellOf(row("skimage-chelsea-rot0"), 10, 13), cellOf(row("skimage-chelsea-rot90"), 13, 6));
    assert.ok(Math.abs(values["90°"].corresponding! - expected) < 0.02, `${values["90°"].corresponding} vs ${expected}`);
    await site.screenshot(page, "transforms-upload");
  });
});
