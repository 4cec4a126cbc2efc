// Browser benchmark of the hover path: pointer event → similarity computed in the worker → overlay painted,
// on the built site in headless Chromium, at mixed4, for 12 images and for 108 (the 12-image set × 9).
// The page reports each paint with an "overlaypaint" event whose detail holds the triggering event's
// timeStamp and performance.now() after the last putImageData of the images on screen (the figure paints
// images off screen once the pointer rests, or as they scroll into view). Every 10 hovers the page scrolls
// to another part of the set and settles; the hovers go to images fully in view, as a user's would. Beside it, the arithmetic floor measured in
// the same page: the bare cosine loop timed inside a worker of the same bundle (kernel and TypeScript).
import {spawnSync} from "node:child_process";
import {existsSync} from "node:fs";
import {join} from "node:path";
import type {Page} from "playwright-core";
import {distDir, openSite} from "../tests/e2e/browser.js";

interface Floor {
  backend: string;
  cells: number;
  kernel: {p50: number; p95: number};
  typescript: {p50: number; p95: number};
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** Hovers `count` different cells, one at a time, and returns each hover → painted time in ms. */
async function hoverTimes(page: Page, count: number): Promise<number[]> {
  await page.evaluate(() => {
    const w = window as unknown as {paints: number[]; listening?: boolean};
    w.paints = [];
    // One listener per page: a second (the warm-up's and the run's) counted every paint twice, so the run
    // moved on before its hovers were painted.
    if (w.listening) return;
    w.listening = true;
    document.addEventListener("overlaypaint", (e) => {
      const {start, end} = (e as CustomEvent<{start: number; end: number}>).detail;
      w.paints.push(end - start);
    });
  });
  // Measured again after every scroll: figures far off screen have content-visibility: auto, so their height
  // is a placeholder until they are first drawn, and the images below them move once they are (hovers aimed
  // by an old measure then missed the images, and waited for a paint that never came).
  const measure = () =>
    page.$$eval("[data-testid=overlay-figure] [data-image-index]", (nodes) =>
      nodes.map((n) => {
        const r = n.getBoundingClientRect();
        return {x: r.x + window.scrollX, y: r.y + window.scrollY, width: r.width, height: r.height};
      })
    );
  let boxes = await measure();
  if (!boxes.length) throw new Error("no overlay images found on the page");
  const viewport = page.viewportSize() ?? {width: 1200, height: 900};
  let inView = boxes;
  for (let i = 0; i < count; ++i) {
    // Every 10 hovers, scroll to another part of the set and let the page settle (scrolling is not part of
    // the hover path); then hover images that are fully in view, as a user moving the pointer would.
    if (i % 10 === 0) {
      const top = boxes[((i / 10) * 7) % boxes.length].y - 100;
      await page.evaluate((y) => window.scrollTo(0, Math.max(0, y)), top);
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, 150)))));
      const scroll = await page.evaluate(() => window.scrollY);
      boxes = await measure();
      inView = boxes.filter((b) => b.y >= scroll && b.y + b.height <= scroll + viewport.height).map((b) => ({...b, y: b.y - scroll}));
      if (!inView.length) throw new Error(`no image fully in view at scroll ${scroll}`);
    }
    const box = inView[(i * 7) % inView.length];
    // A different cell each time: walk a 17×17 lattice of cell centres with a stride coprime to it.
    const k = (i * 38) % 289;
    const x = box.x + ((k % 17) + 0.5) * (box.width / 17);
    const y = box.y + (Math.floor(k / 17) + 0.5) * (box.height / 17);
    await page.mouse.move(x, y);
    await page.waitForFunction((n) => (window as unknown as {paints: number[]}).paints.length >= n, i + 1, {timeout: 10_000});
  }
  return page.evaluate(() => (window as unknown as {paints: number[]}).paints);
}

/** Times the bare cosine loop in a fresh worker of the same bundle, in the same page, on the same file. */
async function floor(page: Page, copies: number): Promise<Floor> {
  return page.evaluate(async (copies) => {
    // The page's own worker bundle, Comlink bundle and data-file module (the worker fetched the layer, so
    // its URL comes from the same FileAttachment the page used).
    const urls = performance.getEntriesByType("resource").map((e) => e.name);
    const worker = urls.find((u) => /\/_file\/w\/similarity\.[^/]*js$/.test(u));
    const comlink = urls.find((u) => /\/_node\/comlink@[^/]+\/index\.[^/]*js$/.test(u));
    const files = urls.find((u) => /\/_import\/components\/dataFiles\.[^/]*js$/.test(u));
    if (!worker || !comlink || !files) throw new Error(`page did not load the worker, comlink or dataFiles: ${urls.join(" ")}`);
    const {wrap} = await import(comlink);
    const {dataFiles} = await import(files);
    const layer = String(new URL(await dataFiles.objects.layers.mixed4.url(), location.href));
    const w = new Worker(worker, {type: "module"});
    const api = wrap(w) as unknown as {load(k: string, u: string, c: number): Promise<unknown>; floor(k: string, r: number): Promise<Floor>};
    await api.load("bench", layer, copies);
    const result = await api.floor("bench", 200);
    w.terminate();
    return result;
  }, copies);
}

export async function benchHover(): Promise<Array<Record<string, string | number>>> {
  if (!existsSync(join(distDir, "across-images.html"))) {
    const built = spawnSync(join(import.meta.dirname, "..", "node_modules", ".bin", "observable"), ["build"], {stdio: "inherit"});
    if (built.status !== 0) throw new Error("observable build failed");
  }
  const site = await openSite();
  const rows: Array<Record<string, string | number>> = [];
  try {
    for (const [copies, goal] of [[1, 3], [9, 12]] as const) {
      const page = await site.open(`across-images?set=objects&layer=mixed4&copies=${copies}`);
      await page.waitForSelector("[data-testid=overlay-figure] [data-image-index]", {timeout: 60_000});
      const images = await page.$$eval("[data-testid=overlay-figure] [data-image-index]", (n) => n.length);
      await hoverTimes(page, 20); // warm-up
      const times = (await hoverTimes(page, 200)).slice(20).sort((a, b) => a - b);
      const f = await floor(page, copies);
      rows.push({
        page: "Across images", images, cells: f.cells, "hover→painted p50 ms": percentile(times, 0.5), "p95 ms": percentile(times, 0.95), "goal p95 ms": goal,
        "floor p50 ms": f.kernel.p50, "floor p95 ms": f.kernel.p95, kernel: f.backend, "TS loop p50 ms": f.typescript.p50, "p95/floor p95": percentile(times, 0.95) / f.kernel.p95
      });
      await page.close();
    }
    // The Rotation and scale page in the same run: hover → overlay painted and the Plot chart redrawn (the
    // figure redraws the chart and the corresponding-cell outlines before it reports the paint).
    {
      const page = await site.open("rotation-and-scale?layer=mixed4");
      await page.waitForSelector("[data-testid=transform-chart] svg", {timeout: 60_000});
      await page.waitForFunction(() => document.querySelectorAll("[data-testid=overlay-figure] [data-image-index]").length === 16, null, {timeout: 60_000});
      await hoverTimes(page, 20);
      const times = (await hoverTimes(page, 200)).slice(20).sort((a, b) => a - b);
      const charted = await page.$eval("[data-testid=transform-chart]", (n) => Number((n as HTMLElement).dataset.points));
      if (charted !== 16) throw new Error(`the chart shows ${charted} points, expected 16`);
      rows.push({page: "Rotation and scale (overlay + chart)", images: 16, cells: 16 * 289, "hover→painted p50 ms": percentile(times, 0.5), "p95 ms": percentile(times, 0.95), "goal p95 ms": "-", "floor p50 ms": "-", "floor p95 ms": "-", kernel: "-", "TS loop p50 ms": "-", "p95/floor p95": "-"});
      await page.close();
    }
    if (site.errors.length) throw new Error(`the page reported errors:\n${site.errors.join("\n")}`);
  } finally {
    await site.close();
  }
  return rows;
}
