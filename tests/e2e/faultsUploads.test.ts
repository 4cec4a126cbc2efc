// Bad input and faults, round two (issue 13), through the Across images page as a user meets them, each
// with the message the panel must show, and the page still working after it: offline before and after the
// first upload (Cache Storage), a pasted image without a name, the same file twice, a right-to-left
// override in a name, pictures whose crop keeps almost nothing (1×5000, 5000×1), an AVIF decompression bomb
// and an AVIF without a size in its header, files changed or deleted after they were chosen, Remove and
// Remove all under the pointer (stale queries after the table changes), and the site's data cleared while
// the page is open.
import assert from "node:assert/strict";
import {mkdirSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, test} from "node:test";
import type {Page} from "playwright-core";
import sharp from "sharp";
import {openSite, outputDir, type Site} from "./browser.js";
import {hoverCell, paintAfter} from "./overlayPage.js";

const animals = join(import.meta.dirname, "..", "..", "datasets", "animals");
const photo = (name: string) => readFileSync(join(animals, name));
const dir = join(outputDir, "faults-uploads");
const frameOf = (i: number) => `[data-testid=overlay-figure] .overlay-frame[data-image-index="${i}"]`;
const BUNDLED = 11;

async function waitForFrames(page: Page, count: number, timeout = 120_000): Promise<void> {
  await page.waitForFunction((n) => document.querySelectorAll("[data-testid=overlay-figure] .overlay-frame").length === n, count, {timeout});
}

/** The panel's messages (each item's text without its Dismiss button). */
const notes = (page: Page) => page.$$eval("[data-testid=upload-errors] li", (items) => items.map((li) => li.firstChild?.textContent ?? ""));

/** Waits for a panel message matching `pattern` and returns it. */
async function noteMatching(page: Page, pattern: RegExp, timeout = 120_000): Promise<string> {
  await page.waitForFunction((source) => [...document.querySelectorAll("[data-testid=upload-errors] li")].some((li) => new RegExp(source).test(li.firstChild?.textContent ?? "")), pattern.source, {timeout});
  return (await notes(page)).find((n) => pattern.test(n))!;
}

/** Waits until the panel has finished with every file given to it. */
async function idle(page: Page): Promise<void> {
  await page.waitForFunction(() => (document.querySelector("[data-testid=upload-panel] progress") as HTMLProgressElement).hidden, null, {timeout: 120_000});
}

/** Pastes files (a paste event on the document, as the browser gives it). */
async function paste(page: Page, files: {name: string; type: string; bytes: Buffer}[]): Promise<void> {
  await page.evaluate((files) => {
    const transfer = new DataTransfer();
    for (const f of files) transfer.items.add(new File([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], f.name, {type: f.type}));
    document.dispatchEvent(new ClipboardEvent("paste", {clipboardData: transfer, bubbles: true, cancelable: true}));
  }, files.map((f) => ({name: f.name, type: f.type, base64: f.bytes.toString("base64")})));
}

/** The AVIF `bytes` with every `ispe` box's size set to width × height, or (with null) the boxes renamed so there is none. */
function patchIspe(bytes: Buffer, size: {width: number; height: number} | null): Buffer {
  const out = Buffer.from(bytes);
  let found = 0;
  for (let i = out.indexOf("ispe"); i >= 0; i = out.indexOf("ispe", i + 4)) {
    ++found;
    if (size) out.writeUInt32BE(size.width, i + 8), out.writeUInt32BE(size.height, i + 12);
    else out.write("free", i, "latin1");
  }
  assert.ok(found > 0, "sharp's AVIF has an ispe box");
  return out;
}

describe("faults round two: uploads on Across images", {timeout: 900_000}, () => {
  let site: Site;
  let page: Page;

  before(async () => {
    mkdirSync(dir, {recursive: true});
    site = await openSite();
    page = await site.open("across-images");
    await waitForFrames(page, BUNDLED, 60_000);
  });
  after(async () => {
    await site?.close();
  });

  test("offline before the first upload: says the files were never downloaded and it will work once online", async () => {
    await site.context.setOffline(true);
    await page.setInputFiles("[data-testid=upload-input]", {name: "offline.png", mimeType: "image/png", buffer: photo("skimage-chelsea.png")});
    const shown = await noteMatching(page, /offline/);
    assert.match(shown, /^offline\.png: the model has not been downloaded yet and this browser is offline: it will work once you are back online/);
    await idle(page);
    await site.context.setOffline(false);
    assert.equal(await page.$$eval("[data-testid=overlay-figure] .overlay-frame", (n) => n.length), BUNDLED);
  });

  test("online, the first upload downloads and keeps the files; after a reload, offline, the next upload works from Cache Storage", async () => {
    await page.setInputFiles("[data-testid=upload-input]", {name: "my cat.png", mimeType: "image/png", buffer: photo("skimage-chelsea.png")});
    await waitForFrames(page, BUNDLED + 1);
    const kept = await page.evaluate(async () => (await (await caches.open("similarity-overlays-files")).keys()).map((r) => new URL(r.url).pathname.replace(/\.[0-9a-f]{8,}\./, ".")));
    // Headless Chromium has no WebGPU adapter, so the page loads the CPU-only worker and runtime (uploadsClient.ts).
    assert.deepEqual(kept.sort(), ["/_file/data/models/inception_v3.json", "/_file/data/models/inception_v3.onnx", "/_file/w/ort-wasm-simd-threaded.wasm", "/_file/w/uploadsWasm.js"]);
    await page.reload();
    await waitForFrames(page, BUNDLED + 1, 60_000);
    await site.context.setOffline(true);
    const from = site.errors.length;
    await page.setInputFiles("[data-testid=upload-input]", {name: "offline dog.jpg", mimeType: "image/jpeg", buffer: photo("darknet-dog.jpg")});
    await waitForFrames(page, BUNDLED + 2);
    assert.match((await page.textContent("[data-testid=upload-status]")) ?? "", /^offline dog\.jpg ran on WebAssembly/);
    await site.context.setOffline(false);
    assert.deepEqual(site.errors.slice(from).filter((e) => !/ERR_INTERNET_DISCONNECTED/.test(e)), []);
  });

  test("a pasted image without a name is called \"pasted image 1\", in its caption and its Remove button", async () => {
    await paste(page, [{name: "", type: "image/jpeg", bytes: photo("darknet-eagle.jpg")}]);
    await waitForFrames(page, BUNDLED + 3);
    assert.equal(await page.textContent(`${frameOf(BUNDLED + 2)} ~ figcaption`), "Your image: pasted image 1 (yours; it stays in this browser)");
    assert.ok(await page.getByRole("button", {name: "Remove pasted image 1", exact: true}).isVisible());
  });

  test("the same file chosen twice: said to be there already, not added again", async () => {
    await page.setInputFiles("[data-testid=upload-input]", {name: "my cat again.png", mimeType: "image/png", buffer: photo("skimage-chelsea.png")});
    const shown = await noteMatching(page, /already among your images/);
    assert.equal(shown, `"my cat again.png" is already among your images (as "my cat.png"): it was not added again.`);
    await idle(page);
    assert.equal(await page.$$eval("[data-testid=overlay-figure] .overlay-frame", (n) => n.length), BUNDLED + 3);
  });

  test("a right-to-left override in a name mirrors nothing: escaped in the caption, the list, the button's label and messages", async () => {
    const name = "photo\u202Egnp.txt";
    const text = new TextEncoder().encode("not a picture\n".repeat(10));
    await page.setInputFiles("[data-testid=upload-input]", [
      {name, mimeType: "image/png", buffer: photo("darknet-giraffe.jpg")},
      {name: `note\u202Egnp.txt`, mimeType: "text/plain", buffer: Buffer.from(text)}
    ]);
    await waitForFrames(page, BUNDLED + 4);
    const refused = await noteMatching(page, /is a text file/);
    assert.equal(refused, `"note\\u202Egnp.txt" is a text file, not an image: choose a JPEG, PNG, WebP, GIF, AVIF, BMP or TIFF file`);
    const escaped = "photo\\u202Egnp.txt";
    assert.equal(await page.textContent(`${frameOf(BUNDLED + 3)} ~ figcaption`), `Your image: ${escaped} (yours; it stays in this browser)`);
    assert.ok(await page.getByRole("button", {name: `Remove ${escaped}`, exact: true}).isVisible());
    assert.match((await page.textContent("[data-testid=upload-list]")) ?? "", new RegExp(escaped.replace(/[\\.]/g, "\\$&")));
    // No override character is left anywhere on the page.
    assert.equal(await page.evaluate(() => /[\u202A-\u202E\u2066-\u2069]/.test(document.body.innerText + [...document.querySelectorAll("[aria-label]")].map((n) => n.getAttribute("aria-label")).join(""))), false);
  });

  test("a Hebrew name is isolated, and an emoji name is cut on whole characters in the frame's label", async () => {
    const hebrew = "חתול שלי.png";
    const emoji = `${"a".repeat(38)}👩‍👩‍👧‍👦 family.png`;
    await page.setInputFiles("[data-testid=upload-input]", [
      {name: hebrew, mimeType: "image/jpeg", buffer: photo("gnome-cat.jpg")},
      {name: emoji, mimeType: "image/jpeg", buffer: photo("gnome-flower2.jpg")}
    ]);
    await waitForFrames(page, BUNDLED + 6);
    assert.equal(await page.textContent(`${frameOf(BUNDLED + 4)} ~ figcaption`), `Your image: \u2068${hebrew}\u2069 (yours; it stays in this browser)`);
    assert.ok(await page.getByRole("button", {name: `Remove \u2068${hebrew}\u2069`, exact: true}).isVisible());
    const label = (await page.getAttribute(frameOf(BUNDLED + 5), "aria-label")) ?? "";
    assert.ok(label.startsWith(`${"a".repeat(38)}👩‍👩‍👧‍👦…,`) || label.startsWith(`${"a".repeat(38)}…,`), label);
    assert.doesNotMatch(label, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|\u200D…/, "no half emoji");
  });

  test("a 1×5000 and a 5000×1 picture are added with a warning that the model sees only their centre", async () => {
    const strip = (width: number, height: number) => sharp({create: {width, height, channels: 3, background: {r: 200, g: 80, b: 40}}}).png().toBuffer();
    await page.setInputFiles("[data-testid=upload-input]", [
      {name: "tall.png", mimeType: "image/png", buffer: await strip(1, 5000)},
      {name: "wide.png", mimeType: "image/png", buffer: await strip(5000, 1)}
    ]);
    await waitForFrames(page, BUNDLED + 8);
    const tall = await noteMatching(page, /^"tall\.png" is 1×5000/);
    assert.equal(tall, `"tall.png" is 1×5000: the model sees only its centre 1×1 (0.02% of the picture), resized to 299×299. It was added; crop it nearer to a square to compare all of it.`);
    assert.match(await noteMatching(page, /^"wide\.png" is 5000×1/), /only its centre 1×1 \(0\.02% of the picture\)/);
  });

  test("AVIF: the size is read from its header: a 16000×16000 bomb is refused before decoding, one without a size too, a real one joins", async () => {
    const avif = await sharp({create: {width: 64, height: 48, channels: 3, background: {r: 20, g: 160, b: 90}}}).avif().toBuffer();
    await page.setInputFiles("[data-testid=upload-input]", [
      {name: "bomb.avif", mimeType: "image/avif", buffer: patchIspe(avif, {width: 16000, height: 16000})},
      {name: "sizeless.avif", mimeType: "image/avif", buffer: patchIspe(avif, null)},
      {name: "small.avif", mimeType: "image/avif", buffer: avif}
    ]);
    await waitForFrames(page, BUNDLED + 9);
    // Only the header says 16000×16000 (the AV1 data inside is 64×48): "too large" can only come from reading it
    // before decoding; decoded, the file would be accepted as 64×48 or refused by the browser.
    assert.equal(await noteMatching(page, /^"bomb\.avif"/), `"bomb.avif" is too large: 16000×16000 is 256 megapixels, the limit is 50 megapixels; scale it down and try again`);
    assert.equal(await noteMatching(page, /^"sizeless\.avif"/), `"sizeless.avif" is a AVIF file whose header gives no pixel size, so it cannot be checked before it is decoded: re-export it, or convert it to PNG or JPEG`);
    assert.match((await page.getAttribute(`[data-testid=upload-list] li:last-child .upload-name`, "title")) ?? "", /^64×48,/);
  });

  test("files changed or deleted after they were chosen: said so, in our words", async () => {
    const good = join(dir, "good.jpg"), gone = join(dir, "gone.jpg"), changed = join(dir, "changed.jpg");
    writeFileSync(good, photo("darknet-horses.jpg"));
    writeFileSync(gone, photo("libvips-owl.jpg"));
    writeFileSync(changed, photo("wand-hummingbird.jpg"));
    await page.setInputFiles("[data-testid=upload-input]", [good, gone, changed]);
    // While the first one runs, the others change on disk.
    rmSync(gone);
    writeFileSync(changed, Buffer.concat([photo("wand-hummingbird.jpg"), Buffer.from("more bytes")]));
    await waitForFrames(page, BUNDLED + 10);
    assert.equal(await noteMatching(page, /^"gone\.jpg"/), `"gone.jpg" changed or vanished since it was chosen (it was edited, moved or deleted on disk): choose it again`);
    assert.equal(await noteMatching(page, /^"changed\.jpg"/), `"changed.jpg" changed or vanished since it was chosen (it was edited, moved or deleted on disk): choose it again`);
    await idle(page);
  });

  test("Remove and Remove all under the pointer: no stale query reaches the worker, the page keeps working", async () => {
    const from = site.errors.length;
    await page.setViewportSize({width: 1280, height: 3200});
    await page.evaluate(() => window.scrollTo(0, 0));
    const last = BUNDLED + 9;
    // A new width makes the figure again (resize): let that settle before pointing at its frames.
    await waitForFrames(page, last + 1);
    await page.waitForTimeout(500);
    await paintAfter(page, () => hoverCell(page, frameOf(last), 8, 8));
    const remove = page.locator("[data-testid=upload-list] li:last-child button");
    await remove.focus();
    await page.keyboard.press("Enter");
    await waitForFrames(page, last);
    await page.waitForTimeout(300);
    await paintAfter(page, () => hoverCell(page, frameOf(last - 1), 8, 8));
    const all = page.getByRole("button", {name: "Remove all"});
    await all.focus();
    await page.keyboard.press("Enter");
    await waitForFrames(page, BUNDLED);
    await page.waitForTimeout(300);
    await paintAfter(page, () => hoverCell(page, frameOf(3), 5, 5));
    const value = Number(await page.getAttribute(".explorer-readout", "data-value"));
    assert.ok(Math.abs(value - 1) < 0.01, `a cell with itself: ${value}`);
    assert.deepEqual(site.errors.slice(from), []);
    await page.setViewportSize({width: 1200, height: 900});
  });

  test("site data cleared while the page is open: the panel says so, the uploads go, the next upload is kept", async () => {
    await page.setInputFiles("[data-testid=upload-input]", {name: "kept.jpg", mimeType: "image/jpeg", buffer: photo("cowplot-cow.jpg")});
    await waitForFrames(page, BUNDLED + 1);
    const from = site.errors.length;
    const cdp = await site.context.newCDPSession(page);
    await cdp.send("Storage.clearDataForOrigin", {origin: new URL(site.url).origin, storageTypes: "indexeddb"});
    assert.match(await noteMatching(page, /stored data was cleared/, 30_000), /^This site's stored data was cleared .*your images are gone from this browser\. New ones are kept again\./);
    await waitForFrames(page, BUNDLED, 30_000);
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=upload-list] li").length === 0);
    await page.setInputFiles("[data-testid=upload-input]", {name: "after.jpg", mimeType: "image/jpeg", buffer: photo("gnome-hummingbird.jpg")});
    await waitForFrames(page, BUNDLED + 1);
    await page.getByRole("button", {name: "Remove after.jpg"}).click();
    await waitForFrames(page, BUNDLED);
    assert.deepEqual(site.errors.slice(from), []);
    await page.reload();
    await waitForFrames(page, BUNDLED, 60_000);
  });

  test("no error reached the page but the offline requests", () => {
    assert.deepEqual(site.errors.filter((e) => !/ERR_INTERNET_DISCONNECTED/.test(e)), []);
  });
});
