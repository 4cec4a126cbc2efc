// Live uploads through the page, as a user does it: the "Your images" panel on Across images takes files
// from the picker, a drop and a paste; each runs through the model in the browser and joins the set; the
// overlay of an upload agrees with the bundled copy of the same photo; uploads can be removed, survive a
// reload (IndexedDB) and appear on Across layers; bad files get their message in the panel while the page
// keeps working; and no request carries an image (privacy).
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, test} from "node:test";
import type {Page} from "playwright-core";
import {cellIndex} from "../../src/core/cells.js";
import {writeBadInputs, type BadInput} from "../fixtures/badInputs.js";
import {openSite, outputDir, type RecordedRequest, type Site} from "./browser.js";
import {hoverCell, isBrightest, overlayPixels, paintAfter, veilBrightness} from "./overlayPage.js";

const animals = join(import.meta.dirname, "..", "..", "datasets", "animals");
const chelsea = readFileSync(join(animals, "skimage-chelsea.png"));
/** The same picture in a file of other bytes (a trailer after PNG's end), so it is not refused as the same file again. */
const chelseaWithTrailer = (n: number) => Buffer.concat([chelsea, Buffer.alloc(n)]);
const frameOf = (i: number) => `[data-testid=overlay-figure] .overlay-frame[data-image-index="${i}"]`;
const frames = (page: Page) => page.$$eval("[data-testid=overlay-figure] .overlay-frame", (nodes) => nodes.length);

async function waitForFrames(page: Page, count: number, timeout = 120_000): Promise<void> {
  await page.waitForFunction((n) => document.querySelectorAll("[data-testid=overlay-figure] .overlay-frame").length === n, count, {timeout});
}

/** Hands `files` to the page as a drop on the window or a paste on the document. */
async function giveFiles(page: Page, how: "drop" | "paste", files: {name: string; type: string; bytes: Buffer}[]): Promise<void> {
  await page.evaluate(
    ({how, files}) => {
      const transfer = new DataTransfer();
      for (const f of files) transfer.items.add(new File([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], f.name, {type: f.type}));
      if (how === "drop") {
        window.dispatchEvent(new DragEvent("dragover", {dataTransfer: transfer, bubbles: true, cancelable: true}));
        window.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true}));
      } else {
        document.dispatchEvent(new ClipboardEvent("paste", {clipboardData: transfer, bubbles: true, cancelable: true}));
      }
    },
    {how, files: files.map((f) => ({name: f.name, type: f.type, base64: f.bytes.toString("base64")}))}
  );
}

/** Requests for the model, onnxruntime or the uploads worker. */
const uploadFilesIn = (requests: readonly RecordedRequest[]) => requests.filter((r) => /\.onnx$|ort-wasm|\/w\/uploads\./.test(r.url));

describe("live uploads on the pages", () => {
  let site: Site;
  let page: Page;
  let bad: BadInput[];

  before(async () => {
    bad = (await writeBadInputs(join(outputDir, "bad-inputs-ui"))).filter((c) => c.kind === "image" && c.path);
    site = await openSite();
    // Counts the page's live object URLs of pictures, to check that removed uploads release theirs (the
    // uploads worker's script, kept for offline use, is a blob: URL of another type that lives with the page).
    await site.context.addInitScript(() => {
      const live = new Set<string>();
      const create = URL.createObjectURL.bind(URL), revoke = URL.revokeObjectURL.bind(URL);
      URL.createObjectURL = (object) => {
        const url = create(object);
        if (!(object instanceof Blob && object.type === "text/javascript")) live.add(url);
        return url;
      };
      URL.revokeObjectURL = (url) => {
        live.delete(url);
        revoke(url);
      };
      (window as unknown as {liveUrls: Set<string>}).liveUrls = live;
    });
    page = await site.open("across-images");
    await waitForFrames(page, 11, 60_000);
  });
  after(async () => {
    await site?.close();
  });

  test("browsing loads neither the model nor onnxruntime", () => {
    assert.deepEqual(uploadFilesIn(site.requests), []);
  });

  test("an image from the picker runs in the browser, joins the set, and says where and how fast it ran", async () => {
    await page.setInputFiles("[data-testid=upload-input]", {name: "my cat.png", mimeType: "image/png", buffer: chelsea});
    await waitForFrames(page, 12);
    const status = await page.textContent("[data-testid=upload-status]");
    assert.match(status ?? "", /^my cat\.png ran on (WebAssembly \(\d+ threads?\)|WebGPU): \d+ ms for the model, \d+ ms in all\.$/);
    assert.match((await page.textContent("[data-testid=upload-list]")) ?? "", /my cat\.png/);
    assert.equal(await page.textContent(`${frameOf(11)} ~ figcaption`), "Your image: my cat.png (yours; it stays in this browser)"); // credit and licence, as every caption
    // Downloaded now, once: the model and the runtime.
    const files = uploadFilesIn(site.requests).map((r) => new URL(r.url).pathname.replace(/\.[0-9a-f]{8}\./, "."));
    assert.ok(files.some((f) => f.endsWith("/inception_v3.onnx")) && files.some((f) => f.endsWith(".wasm")), files.join(" "));
  });

  test("the upload's overlay matches the bundled copy of the same photo", async () => {
    const cell = {col: 8, row: 6}, k = cellIndex(cell, {width: 17, height: 17});
    await paintAfter(page, () => hoverCell(page, frameOf(11), cell.col, cell.row));
    const fromUpload = await overlayPixels(page);
    await paintAfter(page, () => hoverCell(page, frameOf(0), cell.col, cell.row));
    const fromBundled = await overlayPixels(page);
    assert.ok(isBrightest(veilBrightness(fromUpload[11]), k), "the query cell is the brightest of the upload");
    // Same photo, same query cell: every image's overlay agrees within 8-bit rounding.
    assert.deepEqual([fromUpload.length, fromBundled.length], [12, 12], "11 bundled images and the upload");
    assert.ok([...fromUpload, ...fromBundled].every((p) => p.rgba.length === 17 * 17 * 4), "every overlay is a 17 × 17 grid");
    let worst = 0;
    for (let i = 0; i < 11; ++i) {
      const a = veilBrightness(fromUpload[i]), b = veilBrightness(fromBundled[i]);
      for (let j = 0; j < a.length; ++j) worst = Math.max(worst, Math.abs(a[j] - b[j]));
    }
    assert.ok(worst <= 3, `largest brightness difference ${worst}`);
    // And the upload's own overlay, hovered from the bundled photo, mirrors the bundled photo's.
    const a = veilBrightness(fromBundled[11]), b = veilBrightness(fromBundled[0]);
    assert.ok(Math.max(...a.map((v, j) => Math.abs(v - b[j]))) <= 3);
  });

  test("drop and paste add images too; Remove takes one out", async () => {
    const jpeg = readFileSync(join(animals, "darknet-dog.jpg"));
    await giveFiles(page, "drop", [{name: "dropped dog.jpg", type: "image/jpeg", bytes: jpeg}]);
    await waitForFrames(page, 13);
    await giveFiles(page, "paste", [{name: "image.png", type: "image/png", bytes: chelseaWithTrailer(1)}]);
    await waitForFrames(page, 14);
    assert.match((await page.textContent("[data-testid=upload-list]")) ?? "", /my cat\.png.*dropped dog\.jpg.*image\.png/);
    await page.getByRole("button", {name: "Remove dropped dog.jpg"}).click();
    await waitForFrames(page, 13);
    assert.doesNotMatch((await page.textContent("[data-testid=upload-list]")) ?? "", /dropped dog/);
  });

  test("removing an upload under the pointer: no error, its frame goes, its cells are not carried onto the next upload", async () => {
    // A third upload, so that the one removed (image.png, frame 12) has one after it that moves into its place.
    await giveFiles(page, "paste", [{name: "second cat.png", type: "image/png", bytes: chelseaWithTrailer(2)}]);
    await waitForFrames(page, 14);
    // Everything in one view, so that the pointer stays on the upload while its Remove button is pressed.
    await page.setViewportSize({width: 1280, height: 2400});
    await page.evaluate(() => window.scrollTo(0, 0));
    const errorsBefore = site.errors.length;
    const cell = {col: 8, row: 6}, k = cellIndex(cell, {width: 17, height: 17});
    await paintAfter(page, () => hoverCell(page, frameOf(12), cell.col, cell.row));
    assert.match((await page.textContent(".explorer-readout")) ?? "", /^Query: image\.png, cell \(8, 6\)/);
    // Every paint from now on, with what the readout says then.
    await page.evaluate(() => {
      const w = window as unknown as {afterRemove: string[]};
      w.afterRemove = [];
      document.addEventListener("overlaypaint", () => w.afterRemove.push(document.querySelector(".explorer-readout")!.textContent ?? ""));
    });
    // The real button, from the keyboard (a click would take the pointer away from the image).
    const remove = page.getByRole("button", {name: "Remove image.png"});
    assert.ok(await remove.isVisible());
    await remove.focus();
    await page.keyboard.press("Enter");
    await waitForFrames(page, 13);
    assert.doesNotMatch((await page.textContent("[data-testid=upload-list]")) ?? "", /image\.png/);
    assert.equal(await page.textContent(`${frameOf(12)} ~ figcaption`), "Your image: second cat.png (yours; it stays in this browser)");
    await page.waitForTimeout(400); // past the engine's clear delay
    // The removed upload's cell was not carried onto the upload now in its place (nor anywhere): nothing was
    // painted without a new hover, and every overlay is cleared.
    assert.deepEqual(await page.evaluate(() => (window as unknown as {afterRemove: string[]}).afterRemove), []);
    const cleared = await overlayPixels(page);
    assert.equal(cleared.length, 13);
    assert.ok(cleared.every((p) => p.rgba.every((v) => v === 0)), "every overlay is cleared");
    assert.doesNotMatch((await page.textContent(".explorer-readout")) ?? "", /^Query/);
    // The set goes on without it: a bundled image's cell reads 1 with itself (cosine) and is its brightest.
    await paintAfter(page, () => hoverCell(page, frameOf(3), 5, 5));
    const value = Number(await page.getAttribute(".explorer-readout", "data-value"));
    assert.ok(Math.abs(value - 1) < 0.01, `cosine of a cell with itself: ${value}`);
    assert.ok(isBrightest(veilBrightness((await overlayPixels(page))[3]), cellIndex({col: 5, row: 5}, {width: 17, height: 17})));
    // And the upload that moved into frame 12 is painted from its own cells: the same photo as my cat.png.
    await paintAfter(page, () => hoverCell(page, frameOf(12), cell.col, cell.row));
    assert.match((await page.textContent(".explorer-readout")) ?? "", /^Query: second cat\.png, cell \(8, 6\)/);
    const pixels = await overlayPixels(page);
    assert.ok(isBrightest(veilBrightness(pixels[12]), k));
    const a = veilBrightness(pixels[12]), b = veilBrightness(pixels[11]);
    assert.ok(Math.max(...a.map((v, j) => Math.abs(v - b[j]))) <= 3, "the two uploads of the same photo agree");
    assert.deepEqual(site.errors.slice(errorsBefore), []);
    await page.setViewportSize({width: 1200, height: 900});
  });

  test("bad files get a message each in the panel; odd but valid images join; the page keeps working", async () => {
    const before = await frames(page);
    const errorsBefore = site.errors.length;
    await page.setInputFiles(
      "[data-testid=upload-input]",
      bad.map((c) => ({name: c.name, mimeType: c.type || "application/octet-stream", buffer: readFileSync(c.path!)}))
    );
    const refused = bad.filter((c) => "refused" in c.expect);
    const accepted = bad.filter((c) => "accepted" in c.expect);
    await waitForFrames(page, before + accepted.length, 180_000);
    await page.waitForFunction((n) => document.querySelectorAll("[data-testid=upload-errors] li").length >= n, refused.length, {timeout: 60_000});
    const messages = await page.$$eval("[data-testid=upload-errors] li", (items) => items.map((li) => li.firstChild?.textContent ?? ""));
    for (const c of refused) {
      const expect = c.expect as {refused: RegExp; message?: string};
      const shown = messages.find((m) => m.toLowerCase().includes(c.name.toLowerCase().slice(0, 20)) && expect.refused.test(m));
      assert.ok(shown, `no message for ${c.id} (${c.name}) among:\n${messages.join("\n")}`);
      if (expect.message) assert.equal(shown.charAt(0).toLowerCase() + shown.slice(1), expect.message.charAt(0).toLowerCase() + expect.message.slice(1));
    }
    await page.waitForFunction(() => (document.querySelector("[data-testid=upload-panel] progress") as HTMLProgressElement).hidden, null, {timeout: 30_000});
    assert.match((await page.textContent("[data-testid=upload-status]")) ?? "", new RegExp(`${refused.length} of ${bad.length} could not be used: see below\\.$`));
    // A name made of HTML is shown as text: no element was made from it.
    assert.equal(await page.$$eval("img[src=x]", (n) => n.length), 0);
    assert.deepEqual(site.errors.slice(errorsBefore), []);
    // Still working: hovering an upload paints.
    await paintAfter(page, () => hoverCell(page, frameOf(before), 3, 3));
  });

  test("uploads survive a reload without the model being fetched again, and appear on Across layers", async () => {
    const count = await frames(page);
    await page.close();
    const from = site.requests.length;
    page = await site.open("across-images");
    await waitForFrames(page, count, 60_000);
    assert.deepEqual(uploadFilesIn(site.requests.slice(from)), [], "reloading the page with uploads fetches no model");
    const layers = await site.open("across-layers");
    await layers.waitForSelector("[data-testid=overlay-figure] .overlay-frame", {timeout: 60_000});
    const options = await layers.$$eval(".thumbnail[role=radio]", (buttons) => buttons.map((b) => b.textContent ?? ""));
    assert.ok(options.includes("my cat.png"), options.join(" | "));
    await layers.getByRole("radio", {name: "my cat.png"}).click();
    await layers.waitForFunction(() => document.querySelector(".layer-stack .overlay-frame")?.getAttribute("data-image-index") === "11", null, {timeout: 30_000});
    await layers.close();
    const home = await site.open("");
    await waitForFrames(home, count, 60_000);
    await home.close();
  });

  test("Remove all takes every upload out of the set and releases their pictures", async () => {
    const liveUrls = () => page.evaluate(() => (window as unknown as {liveUrls: Set<string>}).liveUrls.size);
    assert.ok((await liveUrls()) > 11);
    await page.getByRole("button", {name: "Remove all"}).click();
    await waitForFrames(page, 11);
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=upload-list] li").length === 0);
    assert.equal(await liveUrls(), 11, "only the bundled photos' URLs are left");
  });

  test("no request carries an image: only same-origin GETs without a body", () => {
    const origin = new URL(site.url).origin;
    const odd = site.requests.filter((r) => r.method !== "GET" || r.bodyBytes > 0 || !(r.url.startsWith(`${origin}/`) || /^(data|blob):/.test(r.url)));
    assert.deepEqual(odd, []);
    // And nothing the page fetched names an upload.
    assert.deepEqual(site.requests.filter((r) => /my%20cat|dropped|image\.png$/.test(r.url)), []);
  });
});
