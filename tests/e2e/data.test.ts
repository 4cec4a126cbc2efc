// The "Datasets and layers" page (src/data.md) in a real browser, against the built site: every image of each dataset appears with the
// cell grid of the chosen layer, switching layer redraws the grid, and only the chosen layer's file is
// fetched. The expected grids come from decoding the built Arrow files here in Node, independently of the
// page and its worker.
import assert from "node:assert/strict";
import {readFileSync, readdirSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, test} from "node:test";
import type {Page} from "playwright-core";
import type {Size} from "../../src/core/cells.js";
import {imageId, parseDatasetConfig, type DatasetConfig} from "../../src/core/datasetConfig.js";
import {readLayerTable} from "../../src/core/layerTable.js";
import {describeArrival} from "../../src/components/images/describeArrival.js";
import {distDir, openSite, type Site} from "./browser.js";

const datasetsDir = join(import.meta.dirname, "..", "..", "datasets");

function readDataset(name: string): DatasetConfig {
  return parseDatasetConfig(readFileSync(join(datasetsDir, name, "dataset.json"), "utf8"), `datasets/${name}/dataset.json`);
}

/** The built copy of data/DATASET/NAME.arrow (Framework adds a content hash to the name). */
function builtFile(dataset: string, name: string): Buffer {
  const dir = join(distDir, "_file", "data", dataset);
  const file = readdirSync(dir).find((f) => new RegExp(`^${name}\\.[0-9a-f]+\\.arrow$`).test(f));
  if (!file) throw new Error(`no built ${name}.arrow in ${dir}`);
  return readFileSync(join(dir, file));
}

/** What the page should show for a dataset and layer: the arrival line, and each image's grid by id. */
function expected(dataset: DatasetConfig, layer: string): {arrival: string; grids: Map<string, Size>} {
  const bytes = builtFile(dataset.name, layer);
  const {info, norms} = readLayerTable(bytes);
  assert.equal(info.grids.length, dataset.images.length, `${dataset.name}/${layer}.arrow has one grid per image`);
  const arrival = describeArrival(dataset.images.length, {info, cells: norms.length, bytes: bytes.byteLength});
  return {arrival, grids: new Map(dataset.images.map((image, i) => [imageId(image.file), info.grids[i]]))};
}

/** Waits until the page shows `arrival` and one canvas per image, then returns each canvas's grid by image id. */
async function shownGrids(page: Page, arrival: string, count: number): Promise<Map<string, Size>> {
  await page.waitForFunction(
    ([text, n]) => document.querySelector(".arrival")?.textContent === text && document.querySelectorAll(".image-grid canvas").length === n,
    [arrival, count] as const,
    {timeout: 30_000}
  );
  const grids = await page.$$eval(".image-grid canvas", (canvases) =>
    canvases.map((c) => [(c as HTMLCanvasElement).dataset.image!, {width: Number((c as HTMLCanvasElement).dataset.gridWidth), height: Number((c as HTMLCanvasElement).dataset.gridHeight)}] as const)
  );
  return new Map(grids);
}

/**
 * For each canvas, the share of expected grid lines actually drawn: a line column (or row) must be clearly
 * brighter than the pixels two to either side, since lines are half-opaque white over the photo.
 */
async function drawnLineShares(page: Page, grids: Map<string, Size>): Promise<Map<string, number>> {
  const shares = await page.$$eval(
    ".image-grid canvas",
    (canvases, expectedGrids) =>
      canvases.map((node) => {
        const canvas = node as HTMLCanvasElement;
        const grid = expectedGrids[canvas.dataset.image!];
        const {width, height} = canvas;
        const data = canvas.getContext("2d")!.getImageData(0, 0, width, height).data;
        const lum = (x: number, y: number) => data[(y * width + x) * 4] + data[(y * width + x) * 4 + 1] + data[(y * width + x) * 4 + 2];
        let drawn = 0;
        let lines = 0;
        for (const [n, size, other, at] of [
          [grid.width, width, height, (i: number, j: number) => lum(i, j)],
          [grid.height, height, width, (i: number, j: number) => lum(j, i)]
        ] as const) {
          for (let k = 1; k < n; ++k) {
            const p = Math.round((k * size) / n);
            let on = 0;
            let off = 0;
            for (let j = 0; j < other; ++j) (on += at(p, j)), (off += (at(p - 2, j) + at(p + 2, j)) / 2);
            lines += 1;
            if (on / other > off / other + 20) drawn += 1;
          }
        }
        return [canvas.dataset.image!, lines ? drawn / lines : 1] as const;
      }),
    Object.fromEntries(grids)
  );
  return new Map(shares);
}

async function checkPage(page: Page, dataset: DatasetConfig, layer: string): Promise<void> {
  const want = expected(dataset, layer);
  const shown = await shownGrids(page, want.arrival, dataset.images.length);
  assert.deepEqual(shown, want.grids, `${dataset.name} at ${layer}: each image's grid`);
  for (const [id, share] of await drawnLineShares(page, want.grids)) {
    assert.ok(share >= 0.9, `${dataset.name}/${id} at ${layer}: only ${Math.round(share * 100)}% of the grid lines are drawn`);
  }
}

/** The data files requested so far, as "dataset/name" in request order. */
function arrowRequests(site: Site): string[] {
  return site.requests.map((r) => /\/_file\/data\/([^/]+)\/([^/.]+)\.[0-9a-f]+\.arrow$/.exec(new URL(r.url).pathname)).filter((m) => m !== null).map((m) => `${m[1]}/${m[2]}`);
}

describe("datasets and layers page", () => {
  let site: Site;
  let page: Page;
  const animals = readDataset("animals");
  const objects = readDataset("objects");

  before(async () => {
    site = await openSite();
    page = await site.open("data");
  });
  after(async () => {
    await site?.close();
  });

  test("shows every animal image with the default layer's grid (mixed4)", async () => {
    await checkPage(page, animals, "mixed4");
    await site.screenshot(page, "data-animals-mixed4");
  });

  test("switching to mixed1 redraws the grid at 35×35", async () => {
    await page.getByRole("combobox", {name: "Layer"}).selectOption({label: "mixed1"});
    await checkPage(page, animals, "mixed1");
    assert.equal(expected(animals, "mixed1").grids.get(imageId(animals.images[0].file))?.width, 35);
    await site.screenshot(page, "data-animals-mixed1");
  });

  test("switching dataset keeps the layer and shows every object image", async () => {
    await page.getByRole("radio", {name: objects.title}).check();
    await checkPage(page, objects, "mixed1");
    await site.screenshot(page, "data-objects-mixed1");
  });

  test("fine-tuned layers say so in the picker", async () => {
    const labels = await page.getByRole("combobox", {name: "Layer"}).locator("option").allTextContents();
    assert.deepEqual(labels.map((l) => l.replace(/ \(.*\)$/, "")), objects.layers);
    assert.ok(labels.includes("mixed7 (fine-tuned on another task)"), `labels: ${labels.join(", ")}`);
    assert.ok(labels.includes("mixed4"), `labels: ${labels.join(", ")}`);
  });

  test("fetches only the chosen layer's file, each once", () => {
    assert.deepEqual(arrowRequests(site), ["animals/images", "animals/mixed4", "animals/mixed1", "objects/images", "objects/mixed1"]);
  });

  test("starts the layerInfo worker from its bundle", () => {
    assert.equal(site.requests.filter((r) => /\/_file\/w\/layerInfo\.[0-9a-f]+\.js$/.test(r.url)).length, 1);
  });

  test("no request leaves 127.0.0.1 and nothing logs an error", () => {
    const outside = site.requests.filter((r) => !r.url.startsWith(site.url) && !/^(data|blob):/.test(r.url));
    assert.deepEqual(outside, []);
    assert.deepEqual(site.errors, []);
  });
});
