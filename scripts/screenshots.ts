// Takes the README's screenshots from the built site: node --import tsx scripts/screenshots.ts (after
// npm run build). Each page is opened in headless Chromium with a query in place, the figure is captured,
// and the PNG is reduced to a 256-colour palette with sharp to stay small. Writes docs/screenshots/. Names
// given as arguments (e.g. rotation-and-scale) take only those.
import {mkdirSync, readFileSync} from "node:fs";
import {join} from "node:path";
import sharp from "sharp";
import type {Page} from "playwright-core";
import {loadModel} from "../data-loaders/models/catalogue.js";
import {openSite} from "../tests/e2e/browser.js";
import {cellPoint} from "../tests/e2e/overlayPage.js";

const outDir = join(import.meta.dirname, "..", "docs", "screenshots");

/** Waits for the figure, hovers cell (col, row) of image `image` (or of the panel of `layer`), and waits for the paint. */
async function hover(page: Page, selector: string, col: number, row: number, width = 1200): Promise<void> {
  // A viewport taller than the page, so nothing scrolls and the sticky sidebar is drawn where a reader sees it.
  await page.setViewportSize({width, height: 2400});
  await page.waitForSelector(selector, {timeout: 60_000});
  await page.waitForTimeout(500);
  const point = await cellPoint(page, selector, col, row);
  await page.mouse.move(point.x, point.y);
  await page.waitForTimeout(800);
}

/** Captures from the top of `from` (the page's h1) to the bottom of `until`, full width, as a palette PNG. */
async function capture(page: Page, name: string, until: string, from = "h1", width = 1200): Promise<void> {
  const top = await page.locator(from).first().boundingBox();
  const bottom = await page.locator(until).first().boundingBox();
  if (!top || !bottom) throw new Error(`${name}: nothing to capture`);
  const y = Math.max(0, top.y - 16);
  const shot = await page.screenshot({clip: {x: 0, y, width, height: bottom.y + bottom.height + 16 - y}});
  const path = join(outDir, `${name}.png`);
  const info = await sharp(shot).png({palette: true, colours: 256, effort: 10}).toFile(path);
  console.log(`${path}: ${info.width}×${info.height}, ${Math.round(info.size / 1000)} kB`);
}

/** Matrix factors: the animals set at mixed4, k = 4 (the build's snapshot), the cat's cheek hovered. */
async function factorsScreenshot(): Promise<void> {
  const page = await site.open("factors?set=animals&layer=mixed4");
  await page.waitForSelector("[data-testid=factors-figure][data-factors-painted]", {timeout: 60_000});
  await hover(page, '[data-testid=factor-pictures] .overlay-frame[data-image-index="0"]', 7, 5);
  await capture(page, "factors", '[data-testid=overlay-figure] .overlay-frame[data-image-index="10"]', "[data-testid=factor-status]");
}

mkdirSync(outDir, {recursive: true});
const only = process.argv.slice(2);
const want = (name: string) => !only.length || only.includes(name);
const site = await openSite();
try {
  if (want("rotation-and-scale")) {
    // The cat's nose hovered on the rotated set, the charts beside the pictures (a 1400-pixel-wide window).
    const rotation = await site.open("rotation-and-scale?layer=mixed4");
    await rotation.waitForSelector("[data-testid=transform-summary] svg", {timeout: 60_000});
    await hover(rotation, '.overlay-frame[data-image-index="0"]', 10, 13, 1400);
    await capture(rotation, "rotation-and-scale", "[data-testid=transform-explorer]", "h1", 1400);
  }
  // The other pages' screenshots, when no names are given.
  if (!only.length) {
    const home = await site.open("");
    await hover(home, '.overlay-frame[data-image-index="0"]', 14, 8);
    await capture(home, "home", '.overlay-frame[data-image-index="10"]');

    const images = await site.open("across-images?set=animals&layer=mixed4&pins=0.14.8,6.10.5");
    await hover(images, '.overlay-frame[data-image-index="6"]', 9, 5);
    await images.mouse.move(2, 2);
    await images.waitForTimeout(300);
    await capture(images, "across-images", ".top-matches");

    const layers = await site.open("across-layers?image=0");
    await hover(layers, '.overlay-frame[data-layer="mixed4"]', 14, 8);
    await capture(layers, "across-layers", '.overlay-frame[data-layer="mixed8"]');
    // Your images: a portrait from the objects set added to the animals as an upload, with the cat's eye
    // hovered (do the astronaut's eyes light up?); the panel and the figure under it.
    const uploads = await site.open("across-images?set=animals&layer=mixed4");
    await uploads.setViewportSize({width: 1200, height: 2400});
    await uploads.waitForSelector('.overlay-frame[data-image-index="10"]', {timeout: 60_000});
    const photo = join(import.meta.dirname, "..", "datasets", "objects", "skimage-astronaut.png");
    await uploads.setInputFiles("[data-testid=upload-input]", {name: "astronaut.png", mimeType: "image/png", buffer: readFileSync(photo)});
    await uploads.waitForSelector('.overlay-frame[data-image-index="11"]', {timeout: 120_000});
    await hover(uploads, '.overlay-frame[data-image-index="0"]', 14, 8);
    await capture(uploads, "uploads", '.overlay-frame[data-image-index="11"]', "[data-testid=upload-panel]");

    // Your model: MobileNetV2 (converted by the build's own converter) given to the page as a user's file.
    const mobilenet = await loadModel("mobilenet_v2");
    const model = await site.open("your-model");
    await model.setViewportSize({width: 1200, height: 2400});
    await model.setInputFiles("[data-testid=model-input]", {name: "mobilenet_v2.onnx", mimeType: "", buffer: Buffer.from(mobilenet.bytes)});
    await model.waitForSelector("[data-testid=model-layers] input[type=checkbox]", {timeout: 60_000});
    await model.locator("select").filter({hasText: "[−1, 1]"}).first().selectOption({label: "[−1, 1] (Keras Inception, MobileNet)"});
    await model.getByRole("button", {name: "Run"}).click();
    await model.waitForSelector('[data-testid=overlay-figure] .overlay-frame[data-image-index="10"]', {timeout: 180_000});
    await hover(model, '.overlay-frame[data-image-index="0"]', 5, 3);
    await capture(model, "your-model", '.overlay-frame[data-image-index="10"]', "[data-testid=model-picker]");
  }
  if (want("factors")) await factorsScreenshot();
  if (site.errors.length) throw new Error(site.errors.join("\n"));
} finally {
  await site.close();
}
