// A first visit, as issue 12 tried it: on a phone (390×844, touch), with the keyboard only, in dark mode, and
// with links that ask for what is not there; and the researcher's requests (CSV of the numbers, leaving out
// the query's own image, a smooth overlay, colour maps that keep the photo visible). Values are checked
// against similarities computed here in Node from the built Arrow files, independently of the page.
import assert from "node:assert/strict";
import {readdirSync, readFileSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, test} from "node:test";
import type {CDPSession, Page} from "playwright-core";
import sharp from "sharp";
import {cellIndex} from "../../src/core/cells.js";
import {readImageTable} from "../../src/core/imageTable.js";
import {decodeBmp} from "../../src/core/bmp.js";
import {bmpCases} from "../fixtures/bmpFiles.js";
import {openSite, type Site} from "./browser.js";
import {builtFile, builtLayer, cellPoint, choose, clickCell, hoverCell, paintAfter, referenceSimilarity, searchOf} from "./overlayPage.js";

// The CSV is read by d3-dsv (installed with d3), a parser independent of the writer under test.
const dsv = "d3-dsv";
const {csvParseRows} = (await import(dsv)) as {csvParseRows(text: string): string[][]};

const frameOf = (i: number) => `[data-testid=overlay-figure] .overlay-frame[data-image-index="${i}"]`;
const readout = (page: Page) => page.locator(".explorer-readout").first().textContent();

async function waitForFigure(page: Page, count: number, layer = "mixed4"): Promise<void> {
  await page.waitForFunction(
    ([n, l]) => {
      const root = document.querySelector<HTMLElement>("[data-testid=overlay-figure]");
      return root?.dataset.layer === l && root.querySelectorAll(".overlay-frame").length === n;
    },
    [count, layer] as const,
    {timeout: 60_000}
  );
}

/** The credit and licence of each image of a built set, as the captions must show them in full. */
function credits(dataset: string): string[] {
  return readImageTable(builtFile(dataset, "images")).images.map((image) => `${image.credit} (${image.licence})`);
}

/** A touch held at (x, y) for `ms` milliseconds, sent as the browser's own touch events (CDP). */
async function holdTouch(cdp: CDPSession, x: number, y: number, ms: number): Promise<void> {
  await cdp.send("Input.dispatchTouchEvent", {type: "touchStart", touchPoints: [{x, y}]});
  await new Promise((resolve) => setTimeout(resolve, ms));
  await cdp.send("Input.dispatchTouchEvent", {type: "touchEnd", touchPoints: []});
}

describe("on a phone (390×844, touch)", () => {
  let site: Site;
  let page: Page;

  before(async () => {
    site = await openSite({device: {viewport: {width: 390, height: 844}, hasTouch: true, isMobile: true}});
    page = await site.open("across-images");
    await waitForFigure(page, 11);
  });
  after(async () => {
    await site?.close();
  });

  test("the page speaks of taps, and a tap moves the query without pinning; a second tap moves it again", async () => {
    assert.match((await readout(page)) ?? "", /^Tap an image: .* Press and hold \(or press Enter\) to pin\./);
    // The readout's box has a fixed height (it changes on every hover): at 390 px its words must still fit.
    const readoutCut = () => page.$eval(".explorer-readout", (n) => n.scrollHeight - n.clientHeight);
    assert.ok((await readoutCut()) <= 0, `the readout's hint is cut by ${await readoutCut()} px`);
    assert.equal(await page.locator(".for-touch").first().isVisible(), true);
    assert.equal(await page.locator(".for-mouse").first().isVisible(), false);
    const a = await cellPoint(page, frameOf(2), 5, 7);
    await paintAfter(page, () => page.touchscreen.tap(a.x, a.y));
    assert.match((await readout(page)) ?? "", /^Query: [^,]+, cell \(5, 7\)/);
    assert.ok((await readoutCut()) <= 0, `the readout of a query is cut by ${await readoutCut()} px`);
    const b = await cellPoint(page, frameOf(2), 10, 3);
    await paintAfter(page, () => page.touchscreen.tap(b.x, b.y));
    assert.match((await readout(page)) ?? "", /^Query: [^,]+, cell \(10, 3\)/);
    await page.waitForTimeout(400); // the URL is written 250 ms after a move
    assert.equal(searchOf(page).get("pins"), null, "taps pin nothing");
    assert.equal(searchOf(page).get("q"), "2.10.3");
    assert.equal(await page.getByRole("button", {name: "Clear pins"}).isDisabled(), true);
  });

  test("a touch held still on a cell pins it", async () => {
    const cdp = await page.context().newCDPSession(page);
    const p = await cellPoint(page, frameOf(4), 8, 8);
    await paintAfter(page, () => holdTouch(cdp, p.x, p.y, 800));
    await page.waitForFunction(() => new URLSearchParams(location.search).get("pins") === "4.8.8", null, {timeout: 5_000});
    assert.match((await readout(page)) ?? "", /^1 pinned cell/i);
    await page.getByRole("button", {name: "Clear pins"}).click();
  });

  test("every caption shows its whole credit and licence inside the screen", async () => {
    const expected = credits("animals");
    const captions = await page.$$eval("[data-testid=overlay-figure] .overlay-image figcaption", (nodes) =>
      nodes.map((node) => {
        const el = node as HTMLElement;
        const box = el.getBoundingClientRect();
        return {text: el.textContent, clipped: el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1, ellipsis: getComputedStyle(el).textOverflow, left: box.left, right: box.right};
      })
    );
    assert.deepEqual(captions.map((c) => c.text), expected);
    for (const c of captions) {
      assert.equal(c.clipped, false, `caption cut: ${c.text}`);
      assert.notEqual(c.ellipsis, "ellipsis");
      assert.ok(c.left >= 0 && c.right <= 390, `caption outside the screen: ${c.text} (${c.left}–${c.right})`);
    }
    assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 390, "the page scrolls sideways");
    await site.screenshot(page, "phone-across-images");
  });

  test("Your model fits the screen: no sideways scrolling, layer names broken only after “_”, the options inside", async () => {
    const cache = join(import.meta.dirname, "..", "..", ".cache", "models");
    const file = readdirSync(cache).find((f) => /^mobilenet_v2-[0-9a-f]+\.onnx$/.test(f));
    assert.ok(file, "MobileNetV2 is converted by the build (.cache/models)");
    const model = await site.open("your-model");
    await model.setInputFiles("[data-testid=model-input]", join(cache, file));
    await model.waitForFunction(() => /candidate layer/.test(document.querySelector("[data-testid=model-status]")?.textContent ?? ""), null, {timeout: 120_000});
    const layout = await model.evaluate(() => {
      const scroll = document.querySelector(".model-layers-scroll") as HTMLElement;
      const names = [...document.querySelectorAll<HTMLElement>(".model-layer-name")];
      // Where each name's lines break: the text of each line, from the boxes of its characters.
      const broken = names.filter((cell) => {
        const range = document.createRange();
        const text = cell.textContent ?? "";
        let lastTop = -1, line = "";
        const lines: string[] = [];
        let offset = 0;
        for (const node of cell.childNodes) {
          if (node.nodeType !== Node.TEXT_NODE) continue;
          for (let i = 0; i < (node.textContent ?? "").length; ++i) {
            range.setStart(node, i);
            range.setEnd(node, i + 1);
            const top = Math.round(range.getBoundingClientRect().top);
            if (lastTop !== -1 && top > lastTop + 2) (lines.push(line), (line = ""));
            lastTop = top;
            line += text[offset++];
          }
        }
        lines.push(line);
        return lines.slice(0, -1).some((l) => !/[_/.:]$/.test(l));
      });
      const selects = [...document.querySelectorAll<HTMLElement>(".model-options select, .model-options input")].map((s) => s.getBoundingClientRect().right);
      return {page: document.documentElement.scrollWidth, table: scroll.scrollWidth - scroll.clientWidth, broken: broken.map((c) => c.textContent), right: Math.max(...selects)};
    });
    await site.screenshot(model, "phone-your-model");
    assert.ok(layout.page <= 390, `the page is ${layout.page} px wide`);
    assert.ok(layout.table <= 1, `the layer table scrolls sideways by ${layout.table} px`);
    assert.deepEqual(layout.broken, [], "names broken inside a word");
    assert.ok(layout.right <= 390, `an option reaches ${layout.right} px`);
    await model.close();
  });

  test("Home's set thumbnails show their whole titles", async () => {
    const home = await site.open("");
    await waitForFigure(home, 11);
    const labels = await home.$$eval(".thumbnail span", (nodes) => nodes.map((n) => ({text: n.textContent, clipped: n.scrollWidth > n.clientWidth + 1})));
    assert.deepEqual(labels.map((l) => l.text), ["Animals", "Objects and scenes", "Rotated and zoomed"]);
    assert.ok(labels.every((l) => !l.clipped));
    await home.close();
  });
});

describe("links, the keyboard, dark mode and the researcher's options (desktop, 1400×1000)", () => {
  let site: Site;

  before(async () => {
    site = await openSite({device: {viewport: {width: 1400, height: 1000}}});
  });

  /** Across images with cell (col, row) of image `image` hovered, then pinned (so the query stays while the
   * pointer goes to a button), the closest cells listed; the reference similarities of that cell, and the
   * worker's value of it as the readout showed it on hover. */
  async function pinned(image: number, col: number, row: number) {
    const page = await site.open("across-images");
    await waitForFigure(page, 11);
    const layer = builtLayer("animals", "mixed4");
    const query = layer.cellStart[image] + cellIndex({col, row}, layer.info.grids[image]);
    const reference = referenceSimilarity(layer, query);
    await paintAfter(page, () => hoverCell(page, frameOf(image), col, row));
    const shownValue = Number(await page.locator(".explorer-readout").getAttribute("data-value"));
    await paintAfter(page, () => clickCell(page, frameOf(image), col, row));
    await page.waitForFunction(() => document.querySelectorAll(".top-match").length === 12, null, {timeout: 10_000});
    return {page, layer, query, reference, shownValue};
  }
  after(async () => {
    await site?.close();
  });

  test("a link to a set and a layer that do not exist says what it shows instead", async () => {
    const page = await site.open("across-images?set=pets&layer=mixed99");
    await waitForFigure(page, 11);
    const notice = (await page.getByTestId("link-notice").textContent()) ?? "";
    assert.match(notice, /There is no set named “pets” here: showing Animals\./);
    assert.match(notice, /Animals has no layer “mixed99”: showing mixed4 \(its layers: mixed0, .*mixed8\)\./);
    assert.equal(await page.locator("[data-testid=overlay-figure]").getAttribute("data-dataset"), "animals");
    const ok = await site.open("across-images?set=objects&layer=mixed3");
    await waitForFigure(ok, 12, "mixed3");
    assert.equal(await ok.getByTestId("link-notice").isVisible(), false, "a good link gets no notice");
    const layers = await site.open("across-layers?layers=mixed99");
    await layers.waitForFunction(() => document.querySelectorAll("[data-testid=overlay-figure] .overlay-frame").length === 5, null, {timeout: 60_000});
    assert.match((await layers.getByTestId("link-notice").textContent()) ?? "", /Animals has no layer “mixed99”: showing mixed1, mixed3, mixed4, mixed5, mixed8/);
    await Promise.all([page.close(), ok.close(), layers.close()]);
  });

  test("at 1400×1000 Home's figure starts high on the page, and Across layers shows its five panels in one row above the fold", async () => {
    const home = await site.open("");
    await waitForFigure(home, 11);
    const top = await home.$eval(".overlay-frame", (f) => f.getBoundingClientRect().top);
    assert.ok(top < 500, `Home's first image starts ${top} px down`);
    const layers = await site.open("across-layers");
    await layers.waitForFunction(() => document.querySelectorAll("[data-testid=overlay-figure] .overlay-frame").length === 5, null, {timeout: 60_000});
    const boxes = await layers.$$eval("[data-testid=overlay-figure] .overlay-frame", (fs) => fs.map((f) => f.getBoundingClientRect().toJSON() as DOMRect));
    assert.equal(new Set(boxes.map((b) => Math.round(b.top))).size, 1, "the panels wrap");
    assert.ok(boxes.every((b) => b.bottom <= 1000), `a panel ends at ${Math.max(...boxes.map((b) => b.bottom))} px`);
    await Promise.all([home.close(), layers.close()]);
  });

  test("the first Tab reaches a skip link, which takes the keyboard to the first image; Home's starts at the page's query", async () => {
    const page = await site.open("across-images");
    await waitForFigure(page, 11);
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Skip to the figure");
    assert.equal(await page.getByTestId("skip-link").isVisible(), true);
    await paintAfter(page, () => page.keyboard.press("Enter"));
    assert.equal(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.imageIndex), "0");
    await paintAfter(page, () => page.keyboard.press("ArrowRight"));
    assert.match((await readout(page)) ?? "", /^Query: skimage-chelsea, cell \(9, 8\)/);
    await page.close();

    const home = await site.open("");
    await waitForFigure(home, 11);
    await home.keyboard.press("Tab");
    await home.keyboard.press("Enter");
    await home.waitForFunction(() => /cell \(14, 8\)/.test(document.querySelector(".explorer-readout")?.textContent ?? ""), null, {timeout: 5_000});
    await home.close();
  });

  test("Export CSV holds every cell's value and the closest cells, as computed from the built files, with the view's parameters", async () => {
    const {page, layer, query, reference, shownValue} = await pinned(2, 6, 9);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", {name: "Export CSV"}).click()]);
    assert.equal(download.suggestedFilename(), "similarity-animals-mixed4.csv");
    const text = readFileSync(await download.path(), "utf8");
    assert.ok(text.endsWith("\r\n"));
    const [header, ...rows] = csvParseRows(text.trimEnd());
    assert.equal(header.join(","), "part,set,layer,similarity,scale,query,image,image_id,col,row,value,rank");
    const overlay = rows.filter((r) => r[0] === "overlay");
    const closest = rows.filter((r) => r[0] === "closest");
    assert.equal(overlay.length, reference.length);
    const ids = readImageTable(builtFile("animals", "images")).images.map((i) => i.id);
    for (const r of rows) assert.deepEqual(r.slice(1, 6), ["animals", "mixed4", "cosine", "fixed", `${ids[2]} (6, 9)`]);
    for (const r of overlay) {
      const image = Number(r[6]), col = Number(r[8]), row = Number(r[9]);
      assert.equal(r[7], ids[image]);
      const cell = layer.cellStart[image] + cellIndex({col, row}, layer.info.grids[image]);
      assert.ok(Math.abs(Number(r[10]) - reference[cell]) < 1e-6, `cell ${image}.${col}.${row}: ${r[10]} against ${reference[cell]}`);
    }
    const own = overlay.find((r) => r[6] === "2" && r[8] === "6" && r[9] === "9")!;
    assert.equal(Math.fround(Number(own[10])), Math.fround(shownValue), "the CSV's value of the query cell is the worker's");
    assert.deepEqual(closest.map((r) => r[11]), Array.from({length: 12}, (_, i) => String(i + 1)));
    // The 12 best cells of the set, the query left out, by the reference.
    const order = Array.from(reference.keys()).filter((c) => c !== query).sort((a, b) => reference[b] - reference[a]);
    const best = order.slice(0, 12).map((c) => reference[c]);
    closest.forEach((r, i) => assert.ok(Math.abs(Number(r[10]) - best[i]) < 1e-6, `closest ${i + 1}: ${r[10]} against ${best[i]}`));
    await page.close();
  });

  test("“Leave out the query's own image” lists only cells of other images, the best of them", async () => {
    const {page, layer, reference} = await pinned(0, 14, 8);
    const before = await page.$$eval(".top-match", (n) => n.map((b) => (b as HTMLElement).dataset.image));
    assert.ok(before.includes("0"), "without the option the cat's own cells are among the closest");
    await page.getByTestId("leave-out-own-image").check();
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLElement>(".top-match")].every((b) => b.dataset.image !== "0") && document.querySelectorAll(".top-match").length === 12, null, {timeout: 10_000});
    const others = Array.from(reference.keys()).filter((c) => c >= layer.cellStart[1]).sort((a, b) => reference[b] - reference[a]).slice(0, 12);
    const listed = await page.$$eval(".top-match", (n) => n.map((b) => `${(b as HTMLElement).dataset.image}:${(b as HTMLElement).dataset.cell}`));
    const expected = others.map((c) => {
      let image = 0;
      while (layer.cellStart[image + 1] <= c) ++image;
      const within = c - layer.cellStart[image], w = layer.info.grids[image].width;
      return `${image}:${within % w},${Math.floor(within / w)}`;
    });
    assert.deepEqual(listed, expected);
    assert.match((await page.locator(".top-matches-note").textContent()) ?? "", /the query's own image left out/);
    await page.close();
  });

  test("Datasets and layers draws each layer's grid, field and depth, and offers every file behind the figures", async () => {
    const page = await site.open("data");
    await page.getByTestId("layer-diagram").waitFor({timeout: 30_000});
    const panels = await page.$$eval("[data-testid=layer-diagram] g[data-layer]", (gs) => gs.map((g) => ({layer: (g as SVGGElement).dataset.layer, text: [...g.querySelectorAll("text")].map((t) => t.textContent).join(" | ")})));
    assert.equal(panels.length, 9);
    const mixed4 = builtLayer("animals", "mixed4").info;
    assert.deepEqual(panels[4], {layer: "mixed4", text: `mixed4 | ${mixed4.grids[0].width}×${mixed4.grids[0].height} cells | ${mixed4.channels} channels | field ${mixed4.receptiveField} px`});
    const links = await page.$$eval("[data-testid=downloads] a", (as) => as.map((a) => ({name: a.getAttribute("download"), href: (a as HTMLAnchorElement).href})));
    assert.deepEqual(links.map((l) => l.name), ["animals-images.arrow", ...Array.from({length: 9}, (_, i) => `animals-mixed${i}.arrow`), "inception_v3.onnx", "inception_v3.json"]);
    const bytes = async (href: string) => Buffer.from(await (await fetch(href)).arrayBuffer());
    assert.ok((await bytes(links[0].href)).equals(builtFile("animals", "images")), "the images file is the built one");
    assert.ok((await bytes(links[5].href)).equals(builtFile("animals", "mixed4")), "the layer file is the built one");
    const spec = JSON.parse((await bytes(links[11].href)).toString("utf8"));
    assert.equal(spec.id, "inception_v3");
    await page.close();
  });

  test("the build's BMP reader and Chromium's decoder (which uploads use) read the same pixels from each kind of BMP", async () => {
    const page = await site.open("data");
    for (const c of bmpCases()) {
      const browser = await page.evaluate(async (base64) => {
        const bytes = Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
        const bitmap = await createImageBitmap(new Blob([bytes], {type: "image/bmp"}), {premultiplyAlpha: "none", colorSpaceConversion: "none"});
        const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
        const context = canvas.getContext("2d")!;
        context.drawImage(bitmap, 0, 0);
        return [...context.getImageData(0, 0, bitmap.width, bitmap.height).data];
      }, Buffer.from(c.bytes).toString("base64"));
      const ours = [...decodeBmp(c.bytes).data];
      assert.equal(browser.length, ours.length, c.name);
      // A half-transparent pixel goes through the canvas premultiplied, so it may come back 1–2 off.
      const worst = Math.max(...ours.map((v, i) => Math.abs(v - browser[i])));
      assert.ok(worst <= (c.rgba.some((v, i) => i % 4 === 3 && v < 255) ? 2 : 0), `${c.name}: differs from Chromium by ${worst}`);
    }
    await page.close();
  });

  test("a colour map starts at an opacity that shows the photo; Smooth upsamples bilinearly and says so; dark mode frames the images", async () => {
    const page = await site.open("across-images");
    await waitForFigure(page, 11);
    await choose(page, "Colours", "Viridis (perceptually uniform)");
    await page.waitForFunction(() => (document.querySelector("canvas.overlay-cells") as HTMLElement).style.opacity === "0.6", null, {timeout: 5_000});
    assert.equal(await page.getByLabel("Opacity").first().inputValue(), "0.6");
    await page.waitForTimeout(300);
    assert.equal(searchOf(page).get("colormap"), "viridis");
    assert.equal(searchOf(page).get("opacity"), null, "the colour map's own opacity is not written to the link");
    const smooth = page.getByLabel("Smooth (bilinear)");
    const rendering = () => page.$eval("canvas.overlay-cells", (c) => getComputedStyle(c).imageRendering);
    assert.equal(await rendering(), "pixelated", "the layer's grid is the default");
    await smooth.check();
    assert.equal(await rendering(), "auto");
    await page.waitForTimeout(300);
    assert.equal(searchOf(page).get("smooth"), "1");
    await page.emulateMedia({colorScheme: "dark"});
    const shadow = await page.$eval(".overlay-frame", (f) => getComputedStyle(f).boxShadow);
    assert.notEqual(shadow, "none", "no frame in dark mode");
    await page.emulateMedia({colorScheme: "light"});
    assert.equal(await page.$eval(".overlay-frame", (f) => getComputedStyle(f).boxShadow), "none");
    await page.close();
  });
});

describe("the first upload", () => {
  let site: Site;

  before(async () => {
    site = await openSite();
  });
  after(async () => {
    await site?.close();
  });

  test("touching the panel starts the downloads; each stage is shown as it happens; without WebGPU the CPU-only runtime is fetched", async () => {
    const page = await site.open("across-images");
    await waitForFigure(page, 11);
    await page.evaluate(() => {
      const log: Array<{text: string; measured: boolean}> = [];
      (window as unknown as {statusLog: typeof log}).statusLog = log;
      const status = document.querySelector("[data-testid=upload-status]")!;
      const bar = document.querySelector("[data-testid=upload-panel] progress")!;
      new MutationObserver(() => log.push({text: status.textContent ?? "", measured: bar.hasAttribute("value")})).observe(status, {childList: true, characterData: true, subtree: true});
    });
    const fetched = () => site.requests.filter((r) => /\.onnx$|ort-wasm|\/w\/uploads/.test(r.url)).map((r) => new URL(r.url).pathname);
    assert.deepEqual(fetched(), [], "nothing is fetched before the panel is touched");
    await page.hover("[data-testid=upload-panel]");
    await page.waitForFunction(() => /^The model is ready \(WebAssembly/.test(document.querySelector("[data-testid=upload-status]")?.textContent ?? ""), null, {timeout: 120_000});
    const files = fetched();
    assert.ok(files.some((f) => /\/w\/uploadsWasm\.[0-9a-f]+\.js$/.test(f)), `CPU-only worker: ${files.join(", ")}`);
    assert.ok(files.some((f) => /\/w\/ort-wasm-simd-threaded\.[0-9a-f]+\.wasm$/.test(f)), `CPU-only runtime: ${files.join(", ")}`);
    assert.ok(!files.some((f) => /jsep/.test(f)), "the WebGPU runtime is not fetched without an adapter");
    await page.setInputFiles("[data-testid=upload-input]", {name: "cat.png", mimeType: "image/png", buffer: readFileSync(new URL("../../datasets/animals/skimage-chelsea.png", import.meta.url))});
    await page.waitForFunction(() => /^cat\.png ran on WebAssembly/.test(document.querySelector("[data-testid=upload-status]")?.textContent ?? ""), null, {timeout: 120_000});
    const log = await page.evaluate(() => (window as unknown as {statusLog: Array<{text: string; measured: boolean}>}).statusLog);
    const stages = [...new Set(log.map((l) => /^(\w+)/.exec(l.text)?.[1] ?? ""))].filter(Boolean);
    assert.deepEqual(stages, ["Starting", "Downloading", "Compiling", "Creating", "The", "Running", "Storing", "cat"]);
    assert.ok(log.filter((l) => /^Downloading/.test(l.text)).every((l) => l.measured), "the downloads have a measured bar");
    assert.ok(log.filter((l) => /^(Creating|Running)/.test(l.text)).every((l) => !l.measured), "the session and the run show a moving bar, not an empty one");
    await waitForFigure(page, 12);
    // A TIFF, which browsers cannot decode, is read by the worker (src/core/tiff.ts), as the build reads it with sharp.
    const tiff = await sharp(readFileSync(new URL("../../datasets/animals/darknet-dog.jpg", import.meta.url))).tiff({compression: "lzw"}).toBuffer();
    await page.setInputFiles("[data-testid=upload-input]", {name: "scan.tif", mimeType: "image/tiff", buffer: tiff});
    await page.waitForFunction(() => /^scan\.tif ran on WebAssembly/.test(document.querySelector("[data-testid=upload-status]")?.textContent ?? ""), null, {timeout: 120_000});
    await waitForFigure(page, 13);
    assert.match((await page.textContent(`${frameOf(12)} ~ figcaption`)) ?? "", /^Your image: scan\.tif/);
    assert.equal(await page.getByTestId("upload-errors").textContent(), "");
    for (const name of ["cat.png", "scan.tif"]) await page.getByRole("button", {name: `Remove ${name}`}).click();
    await waitForFigure(page, 11);
    await page.close();
  });
});
