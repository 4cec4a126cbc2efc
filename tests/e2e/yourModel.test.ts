// The "Your model" page in a real browser, against the built site, with models made here (tests/fixtures):
// NCHW with a symbolic size, NHWC, and a fixed 48×48 input. For each: the file is picked, the layers and
// layout listed are those the core finds in Node, Run paints overlays whose cells rank like the cosine
// similarities computed here by running the same model with onnxruntime-node on the same pictures (the
// set's PNGs from the built images.arrow, decoded with sharp). Bad models give their message on the page,
// which keeps working; and no request carries the model: every request is a same-origin GET of the site.
import assert from "node:assert/strict";
import {mkdirSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, test} from "node:test";
import * as ort from "onnxruntime-node";
import type {Page} from "playwright-core";
import sharp from "sharp";
import {cellIndex} from "../../src/core/cells.js";
import {cosine} from "../../src/core/cosine.js";
import {embedPixels} from "../../src/core/embedImage.js";
import {readImageTable} from "../../src/core/imageTable.js";
import {createTapSession, listCandidateLayers} from "../../src/core/layerTap.js";
import {decodeModel, describeImageInput} from "../../src/core/onnxGraph.js";
import {inputSizeFor, userModelSpec, type PreprocessingId} from "../../src/core/userModel.js";
import * as fx from "../fixtures/makeOnnx.js";
import * as models from "../fixtures/testModels.js";
import * as faults from "../fixtures/faultModels.js";
import {openSite, outputDir, type Site} from "./browser.js";
import {builtFile, hoverCell, overlayPixels, paintAfter, spearman, veilBrightness} from "./overlayPage.js";

const modelDir = join(outputDir, "your-model");
const DATASET = "animals";
const frameOf = (i: number) => `[data-testid=overlay-figure] .overlay-frame[data-image-index="${i}"]`;

let site: Site;
let page: Page;
const requests: Array<{method: string; url: string; body: number}> = [];
const report: string[] = [];

/** Writes a test model to tests/output/your-model/NAME and returns its path. */
function writeModel(name: string, bytes: Uint8Array): string {
  mkdirSync(modelDir, {recursive: true});
  const path = join(modelDir, name);
  writeFileSync(path, bytes);
  return path;
}

/** Picks the file at `path` and waits until the page has inspected it (layers listed, or a message). */
async function pick(path: string): Promise<void> {
  await page.evaluate(() => {
    document.querySelector("[data-testid=model-status]")!.textContent = "";
    document.querySelector("[data-testid=model-error]")!.textContent = "";
  });
  await page.setInputFiles("[data-testid=model-input]", path);
  await page.waitForFunction(() => {
    const status = document.querySelector("[data-testid=model-status]")?.textContent ?? "";
    const error = document.querySelector("[data-testid=model-error]")?.textContent ?? "";
    return error !== "" || /candidate layer/.test(status);
  }, null, {timeout: 60_000});
}

/** The layers the page lists. */
async function listedLayers(): Promise<string[]> {
  return page.$$eval("[data-testid=model-layers] tr[data-layer]", (rows) => rows.map((r) => {
    const d = (r as HTMLElement).dataset;
    return `${d.layer} ${d.layout} ${d.channels} ${d.grid}`;
  }));
}

/** Ticks exactly `outputs`, sets the options and presses Run; waits for the run to end. */
async function run(outputs: string[], options: {preprocessing: PreprocessingId; channelOrder: "RGB" | "BGR"; size?: number}): Promise<void> {
  await page.$$eval("[data-testid=model-layers] tr[data-layer] input[type=checkbox]", (boxes, chosen) => {
    for (const box of boxes as HTMLInputElement[]) {
      const want = chosen.includes((box.closest("tr") as HTMLElement).dataset.layer!);
      if (box.checked !== want) box.click();
    }
  }, outputs);
  await page.selectOption("select[name=preprocessing]", options.preprocessing);
  await page.selectOption("select[name=channelOrder]", options.channelOrder);
  if (options.size) {
    await page.fill("input[name=inputSize]", String(options.size));
    await page.dispatchEvent("input[name=inputSize]", "change");
  }
  await page.evaluate(() => delete document.querySelector<HTMLElement>("[data-testid=model-run-status]")!.dataset.msPerImage);
  await page.click("[data-testid=model-run]");
  await page.waitForFunction(() => {
    const status = document.querySelector<HTMLElement>("[data-testid=model-run-status]")!;
    return status.dataset.msPerImage !== undefined || /failed/.test(status.textContent ?? "");
  }, null, {timeout: 120_000});
}

/** Waits for the figure at `layer` with `count` images. */
async function waitForFigure(layer: string, count: number): Promise<void> {
  await page.waitForFunction(([l, n]) => {
    const root = document.querySelector("[data-testid=overlay-figure]") as HTMLElement | null;
    return root?.dataset.layer === l && root.querySelectorAll(".overlay-frame").length === n;
  }, [layer, count] as const, {timeout: 30_000});
}

/** The upload put in the page's store: a picture of the other set, as its PNG. */
const UPLOAD = readImageTable(builtFile("objects", "images")).images[0]!;
const UPLOAD_NAME = "my <i>upload</i>.jpg";
/** The figure's pictures: the set's and the upload. */
const pictureCount = () => readImageTable(builtFile(DATASET, "images")).images.length + 1;

/** Puts UPLOAD in the uploads store (IndexedDB) as the upload panel would, without its activations. */
async function storeUpload(): Promise<void> {
  await page.evaluate(async ({base64, name, width, height}) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open("similarity-overlays-uploads", 2);
      request.onupgradeneeded = () => {
        request.result.createObjectStore("uploads", {keyPath: "id"});
        request.result.createObjectStore("layers");
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const png = new Blob([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], {type: "image/png"});
    const tx = db.transaction("uploads", "readwrite");
    tx.objectStore("uploads").put({id: "test-upload", name, model: "inception_v3", added: Date.now(), width, height, originalWidth: width, originalHeight: height, png, backend: "wasm", inferenceMs: 0});
    await new Promise((resolve, reject) => ((tx.oncomplete = resolve), (tx.onerror = reject)));
    db.close();
  }, {base64: Buffer.from(UPLOAD.png).toString("base64"), name: UPLOAD_NAME, width: UPLOAD.width, height: UPLOAD.height});
}

/** The set's pictures (PNGs of the built image table) and the upload's, decoded with sharp. */
async function setPictures() {
  const {images} = readImageTable(builtFile(DATASET, "images"));
  return Promise.all([...images, UPLOAD].map(async ({png}) => {
    const {data, info} = await sharp(png).removeAlpha().raw().toBuffer({resolveWithObject: true});
    return {data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: 3 as const};
  }));
}

/** Every image's cell-major values at `output`, computed in Node with onnxruntime-node and the core. */
async function referenceCells(bytes: Uint8Array, output: string, options: {preprocessing: PreprocessingId; channelOrder: "RGB" | "BGR"; size?: number}) {
  const input = describeImageInput(decodeModel(bytes));
  const size = inputSizeFor(input, options.size ?? 224);
  const layers = await listCandidateLayers(ort, bytes, {size});
  const spec = userModelSpec(input, layers, {name: "m.onnx", preprocessing: options.preprocessing, channelOrder: options.channelOrder, inputSize: options.size ?? 224, outputs: [output]});
  const session = await createTapSession(ort, bytes, [output]);
  try {
    const out = [];
    for (const pixels of await setPictures()) out.push((await embedPixels(session, pixels, spec, spec.sizePolicy, spec.layers)).layers[output]!);
    return out;
  } finally {
    await session.dispose();
  }
}

/** Hovers (image, col, row) and compares the painted brightness with cosines computed in Node. */
async function checkOverlay(bytes: Uint8Array, output: string, options: {preprocessing: PreprocessingId; channelOrder: "RGB" | "BGR"; size?: number}, image: number, at: {col: number; row: number}): Promise<number> {
  const cells = await referenceCells(bytes, output, options);
  await paintAfter(page, () => hoverCell(page, frameOf(image), at.col, at.row));
  const pixels = await overlayPixels(page);
  assert.equal(pixels.length, cells.length);
  const channels = cells[0]!.channels;
  const q = cellIndex(at, cells[image]!.grid) * channels;
  const query = cells[image]!.values.subarray(q, q + channels);
  const shown: number[] = [];
  const expected: number[] = [];
  pixels.forEach((p, i) => {
    assert.deepEqual({width: p.width, height: p.height}, cells[i]!.grid, `image ${i}'s overlay is its grid`);
    shown.push(...veilBrightness(p));
    const {values} = cells[i]!;
    for (let c = 0; c < values.length; c += channels) expected.push(cosine(query, values.subarray(c, c + channels)));
  });
  return spearman(shown, expected);
}

describe("your model page", () => {
  before(async () => {
    site = await openSite();
    site.context.on("request", (r) => requests.push({method: r.method(), url: r.url(), body: r.postDataBuffer()?.length ?? 0}));
    page = await site.open("your-model");
    // The user has one upload (made on Across images): it joins the set's pictures.
    await storeUpload();
    await page.reload();
    await page.waitForSelector("[data-testid=model-input]", {state: "attached"});
  });
  after(async () => {
    if (report.length) console.log(report.join("\n"));
    await site?.close();
  });

  test("NCHW, symbolic size: layers listed; a Conv output is refused by name; overlays match onnxruntime-node", async () => {
    const bytes = fx.buildModel(models.nchwSymbolic());
    await pick(writeModel("nchw-symbolic.onnx", bytes));
    assert.equal(await page.textContent("[data-testid=model-error]"), "");
    assert.equal(await page.getAttribute("[data-testid=model-described]", "data-layout"), "NCHW");
    assert.match((await page.textContent("[data-testid=model-described]"))!, /NCHW \[N, 3, H, W\], any height and width/);
    assert.equal(await page.inputValue("input[name=inputSize]"), "224");
    assert.equal(await page.isDisabled("input[name=inputSize]"), false);
    const expected = (await listCandidateLayers(ort, bytes)).map((l) => `${l.output} ${l.layout} ${l.channels} ${l.width}×${l.height}`);
    assert.deepEqual(await listedLayers(), expected);
    assert.deepEqual(await listedLayers(), ["t0 NCHW 8 224×224", "t1 NCHW 8 224×224", "t2 NCHW 16 111×111", "t3 NCHW 16 111×111", "t4 NCHW 16 55×55"]);

    const options = {preprocessing: "imagenet" as const, channelOrder: "RGB" as const, size: 96};
    await run(["t2", "t4"], options);
    // The grids follow the size asked for.
    assert.deepEqual((await listedLayers()).at(-1), "t4 NCHW 16 23×23");
    const errors = await page.textContent("[data-testid=model-run-errors]");
    assert.match(errors!, /layer "t2" \(Conv\) has negative activations .*Pick the ReLU/);
    const count = pictureCount();
    await waitForFigure("t4", count);
    const status = await page.locator("[data-testid=model-run-status]").evaluate((n) => ({text: n.textContent ?? "", ...(n as HTMLElement).dataset}) as Record<string, string>);
    assert.match((await page.textContent("[data-testid=overlay-figure]"))!, /Your image: my <i>upload<\/i>\.jpg/);
    assert.equal(await page.locator("[data-testid=overlay-figure] i").count(), 0);
    assert.match(status.text!, /Done: \d+ images through nchw-symbolic\.onnx on (WebAssembly|WebGPU).*ms per image/);
    const rho = await checkOverlay(bytes, "t4", options, 2, {col: 11, row: 8});
    report.push(`NCHW t4 (23×23 at 96 px): Spearman ρ = ${rho.toFixed(4)}; ${status.msPerImage} ms per image on ${status.backend}`);
    assert.ok(rho >= 0.95, `Spearman ρ = ${rho.toFixed(4)}`);
    await site.screenshot(page, "your-model-nchw");
  });

  test("NHWC: layout shown; overlays of an NHWC output match onnxruntime-node", async () => {
    const bytes = fx.buildModel(models.nhwcModel());
    await pick(writeModel("nhwc.onnx", bytes));
    assert.equal(await page.getAttribute("[data-testid=model-described]", "data-layout"), "NHWC");
    assert.match((await page.textContent("[data-testid=model-described]"))!, /NHWC \[N, H, W, 3\]/);
    const expected = (await listCandidateLayers(ort, bytes)).map((l) => `${l.output} ${l.layout} ${l.channels} ${l.width}×${l.height}`);
    assert.deepEqual(await listedLayers(), expected);
    assert.ok(expected.includes("features NHWC 4 112×112"), expected.join("; "));
    const options = {preprocessing: "minusOneOne" as const, channelOrder: "BGR" as const, size: 64};
    await run(["features"], options);
    const count = pictureCount();
    await waitForFigure("features", count);
    const status = await page.locator("[data-testid=model-run-status]").evaluate((n) => ({...(n as HTMLElement).dataset}));
    const rho = await checkOverlay(bytes, "features", options, 1, {col: 20, row: 12});
    report.push(`NHWC features (32×32 at 64 px): Spearman ρ = ${rho.toFixed(4)}; ${status.msPerImage} ms per image on ${status.backend}`);
    assert.ok(rho >= 0.95, `Spearman ρ = ${rho.toFixed(4)}`);
  });

  test("fixed input size: the size is the model's and cannot be edited; overlays match onnxruntime-node", async () => {
    const bytes = fx.buildModel(models.fixed48());
    await pick(writeModel("fixed48.onnx", bytes));
    assert.equal(await page.inputValue("input[name=inputSize]"), "48");
    assert.equal(await page.isDisabled("input[name=inputSize]"), true);
    assert.match((await page.textContent("[data-testid=model-described]"))!, /NCHW \[1, 3, 48, 48\], fixed size 48×48/);
    assert.deepEqual(await listedLayers(), ["t0 NCHW 16 23×23", "t1 NCHW 16 23×23", "t2 NCHW 16 23×23", "t3 NCHW 16 23×23"]);
    const options = {preprocessing: "zeroOne" as const, channelOrder: "RGB" as const};
    await run(["t3"], options);
    const count = pictureCount();
    await waitForFigure("t3", count);
    const status = await page.locator("[data-testid=model-run-status]").evaluate((n) => ({...(n as HTMLElement).dataset}));
    const rho = await checkOverlay(bytes, "t3", options, 0, {col: 11, row: 11});
    report.push(`fixed 48×48 t3 (23×23): Spearman ρ = ${rho.toFixed(4)}; ${status.msPerImage} ms per image on ${status.backend}`);
    assert.ok(rho >= 0.95, `Spearman ρ = ${rho.toFixed(4)}`);
  });

  test("bad models give their message on the page, as text, and the page keeps working", async () => {
    await pick(writeModel("notes <b>.onnx", new TextEncoder().encode("these are my notes, not a model\n".repeat(20))));
    assert.match((await page.textContent("[data-testid=model-error]"))!, /^"notes <b>\.onnx" is .*not an ONNX model: choose the model's \.onnx file/);
    assert.equal(await page.locator("[data-testid=model-error] b").count(), 0);
    assert.equal(await page.isHidden(".model-details"), true);
    await pick(writeModel("flat.onnx", fx.buildModel(models.flatOnly())));
    assert.match((await page.textContent("[data-testid=model-error]"))!, /^"flat\.onnx": this model has no 4-D output with spatial extent/);
    // A good model afterwards works; picking it (or changing an option) does not run it before Run.
    const before = await page.textContent("[data-testid=model-run-status]");
    await pick(join(modelDir, "fixed48.onnx"));
    await page.selectOption("select[name=preprocessing]", "imagenet");
    await page.waitForTimeout(500);
    assert.equal(await page.textContent("[data-testid=model-run-status]"), before);
    assert.equal(await page.textContent("[data-testid=model-error]"), "");
    assert.equal((await listedLayers()).length, 4);
    await site.screenshot(page, "your-model-after-bad");
    assert.deepEqual(site.errors, []);
  });

  // Bad input and faults, round two (issue 13).
  test("infinite, NaN, all-zero and one-channel layers are named as such; the good layer is shown", async () => {
    await pick(writeModel("faulty.onnx", fx.buildModel(faults.faultyLayers())));
    assert.equal(await page.textContent("[data-testid=model-error]"), "");
    await run(["good", "inf", "nan", "dead", "one"], {preprocessing: "imagenet", channelOrder: "RGB", size: 64});
    const said = await page.$$eval("[data-testid=model-run-errors] li", (items) => items.map((li) => li.textContent ?? ""));
    const count = pictureCount();
    const find = (pattern: RegExp) => said.find((m) => pattern.test(m)) ?? assert.fail(`no message matching ${pattern} among:\n${said.join("\n")}`);
    assert.match(find(/^layer "inf"/), /^layer "inf" \(Exp\) has infinite activations \(\+Infinity in channel \d+ of image \d+\): its values overflow the 32-bit floats/);
    assert.match(find(/^layer "nan"/), /^layer "nan" \(Sqrt\) has NaN \("not a number"\) activations \(in channel \d+ of image \d+\): the model computes an undefined result there/);
    assert.equal(find(/^layer "dead"/), `layer "dead" (Relu) is zero at every cell of these ${count} pictures: it has no signal for them (a "dead" ReLU?), so every overlay would be black. Pick another layer.`);
    assert.match(find(/^layer "one"/), /^layer "one" \(Relu\) has a single channel: .* so its overlay is a 0\/1 mask of where it is active/);
    assert.ok(!said.some((m) => /has negative activations/.test(m)), `NaN is not called negative:\n${said.join("\n")}`);
    await waitForFigure("good", count);
    assert.deepEqual(await page.$$eval("select option", (o) => o.map((x) => x.textContent).filter((t) => /^(good|one|inf|nan|dead) /.test(t ?? ""))), ["good (Relu)", "one (Relu)"]);
    await paintAfter(page, () => hoverCell(page, frameOf(0), 10, 10));
    assert.ok(Math.abs(Number(await page.getAttribute(".explorer-readout", "data-value")) - 1) < 0.02, "a cell with itself reads 1");
  });

  test("a fixed batch of 2 is refused at inspection, not at Run", async () => {
    await pick(writeModel("batch2.onnx", fx.buildModel(faults.batchOf2())));
    assert.equal(await page.textContent("[data-testid=model-error]"), `"batch2.onnx" takes a fixed batch of 2 images at once (input "input" has batch dimension 2); this page runs one picture at a time: export it with a batch of 1, or with a free (dynamic) batch dimension`);
    assert.equal(await page.isHidden(".model-details"), true);
  });

  test("a greyscale (1-channel) model runs on grey pictures, and the page says so", async () => {
    await pick(writeModel("grey.onnx", fx.buildModel(faults.greyscale())));
    assert.match((await page.textContent("[data-testid=model-described]"))!, /NCHW \[N, 1, H, W\].*One channel: pictures are converted to grey \(0\.299 R \+ 0\.587 G \+ 0\.114 B\) before they reach it, and shown in grey\./);
    await run(["t3"], {preprocessing: "zeroOne", channelOrder: "RGB", size: 64});
    await waitForFigure("t3", pictureCount());
    // The pictures shown are those the model saw: grey, R = G = B.
    const colours = await page.$eval(`${frameOf(1)} img`, async (img) => {
      const image = img as HTMLImageElement;
      await image.decode();
      const canvas = new OffscreenCanvas(image.naturalWidth, image.naturalHeight);
      const context = canvas.getContext("2d")!;
      context.drawImage(image, 0, 0);
      const {data} = context.getImageData(0, 0, canvas.width, canvas.height);
      let spread = 0;
      for (let i = 0; i < data.length; i += 4) spread = Math.max(spread, Math.abs(data[i]! - data[i + 1]!), Math.abs(data[i + 1]! - data[i + 2]!));
      return {spread, width: canvas.width};
    });
    assert.deepEqual(colours, {spread: 0, width: 64});
    await paintAfter(page, () => hoverCell(page, frameOf(1), 10, 10));
  });

  test("onnxruntime's failures are told apart, each named, and no build path is shown", async () => {
    const shown: string[] = [];
    for (const {name, bytes, says} of faults.runtimeFailures()) {
      await pick(writeModel(name, bytes));
      const message = (await page.textContent("[data-testid=model-error]")) ?? "";
      shown.push(message);
      assert.match(message, says, name);
    }
    // Memory: 1100 channels at 1024×1024 (4.6 GB for one activation) is refused at that size, with advice.
    await pick(writeModel("wide.onnx", fx.buildModel(faults.wideConv())));
    assert.equal(await page.textContent("[data-testid=model-error]"), "");
    await page.fill("input[name=inputSize]", "1024");
    await page.dispatchEvent("input[name=inputSize]", "change");
    await page.waitForFunction(() => (document.querySelector("[data-testid=model-error]")?.textContent ?? "") !== "", null, {timeout: 120_000});
    const memory = (await page.textContent("[data-testid=model-error]")) ?? "";
    shown.push(memory);
    report.push(`runtime failures: ${shown.join(" | ")}`);
    // onnxruntime refuses the size before allocating (SafeInt overflow): the runtime goes on, no restart.
    assert.equal(memory, `onnxruntime does not have enough memory running "wide.onnx" at an input of 1×3×1024×1024: choose a smaller input size (e.g. 224), or close other tabs`);
    for (const message of shown) assert.doesNotMatch(message, /\/[\w.-]+\/|\.cc:\d|\.h:\d|may lack one of its operators/, message);
    // And the page still works: a good model is inspected after them.
    await pick(join(modelDir, "fixed48.onnx"));
    assert.equal(await page.textContent("[data-testid=model-error]"), "");
  });

  test("a right-to-left override in a model's name is escaped in the status line", async () => {
    await pick(writeModel("model\u202Exnno.onnx", fx.buildModel(models.fixed48())));
    assert.match((await page.textContent("[data-testid=model-status]"))!, /^model\\u202Exnno\.onnx: /);
  });

  test("no request carries the model: only same-origin GETs of the site's files", () => {
    const origin = new URL(site.url).origin;
    assert.ok(requests.length > 0);
    for (const r of requests) {
      assert.equal(r.method, "GET", `${r.method} ${r.url}`);
      assert.equal(r.body, 0, r.url);
      assert.ok(r.url.startsWith(`${origin}/`) || r.url.startsWith("blob:") || r.url.startsWith("data:"), r.url);
    }
    // Nothing was fetched that the site does not serve (the model files are not there to fetch).
    assert.ok(!requests.some((r) => /\.onnx(\?|$)/.test(r.url) && !/\/_file\/data\/models\//.test(r.url)), requests.map((r) => r.url).join("\n"));
  });
});
