// A dataset that names its own ONNX model, as the README's PyTorch example does, in a throwaway copy of the
// project (tests/e2e/projectCopy.ts): four animals photos and a small CNN built in the tests
// (testModels.ts torchLikeCnn, tensors named as torch.onnx.export names them), three ReLU layers picked by
// output name. It must build, appear on the pages with its own layers, title and receptive fields, paint
// overlays that match onnxruntime-node run directly, run an upload through its own model (not InceptionV3),
// rebuild when the model file changes, and stop the build naming the file when the model is broken.
import assert from "node:assert/strict";
import {copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {after, before, test} from "node:test";
import type {Page} from "playwright-core";
import {cellIndex} from "../../src/core/cells.js";
import {readImageTable} from "../../src/core/imageTable.js";
import {readLayerTable} from "../../src/core/layerTable.js";
import {buildModel} from "../fixtures/makeOnnx.js";
import {TORCH_LIKE_RELUS, torchLikeCnn} from "../fixtures/testModels.js";
import {cosineOf, referenceCells} from "../fixtures/torchReference.js";
import {openSite, outputDir, type Site} from "./browser.js";
import {builtFile, hoverCell, overlayPixels, paintAfter, spearman, veilBrightness} from "./overlayPage.js";
import {buildCopy, builtImages, makeProjectCopy, project} from "./projectCopy.js";

const PHOTOS = ["gnome-cat.jpg", "darknet-dog.jpg", "libvips-owl.jpg", "darknet-eagle.jpg"];
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];
const LAYERS = ["relu1", "relu2", "relu3"];
const frameOf = (i: number) => `[data-testid=overlay-figure] .overlay-frame[data-image-index="${i}"]`;

let copy: string;
let dir: string;
let site: Site | undefined;
const report: string[] = [];

/** The dataset.json of the README's example, for the test model (`preprocessing` replaced when given). */
function writeDataset(model: Uint8Array | string, preprocessing: unknown = {mean: MEAN, std: STD}): void {
  mkdirSync(dir, {recursive: true});
  for (const photo of PHOTOS) copyFileSync(join(project, "datasets", "animals", photo), join(dir, photo));
  writeFileSync(join(dir, "tiny_cnn.onnx"), model);
  const config = {
    name: "tiny",
    title: "Tiny CNN on animals",
    description: "Four animals photos through a small CNN exported from PyTorch (the end-to-end test's).",
    model: {file: "tiny_cnn.onnx", title: "TinyCNN (test model)", source: "Built by tests/fixtures/testModels.ts, random weights.", preprocessing},
    layers: LAYERS.map((name, i) => ({name, output: TORCH_LIKE_RELUS[i]})),
    sizePolicy: {kind: "square", size: 96},
    images: PHOTOS.map((file) => ({file, credit: "animals set", licence: "see datasets/animals"}))
  };
  writeFileSync(join(dir, "dataset.json"), `${JSON.stringify(config, null, 2)}\n`);
}

async function waitForFrames(page: Page, count: number, layer: string): Promise<void> {
  await page.waitForFunction(([n, l]) => {
    const root = document.querySelector<HTMLElement>("[data-testid=overlay-figure]");
    return root?.dataset.layer === l && root.querySelectorAll(".overlay-frame").length === n;
  }, [count, layer] as const, {timeout: 60_000});
}

before(() => {
  copy = makeProjectCopy("similarity-overlays-own-model-");
  dir = join(copy, "datasets", "tiny");
});

after(async () => {
  if (report.length) console.log(report.join("\n"));
  await site?.close();
  if (copy) rmSync(copy, {recursive: true, force: true});
});

test("a 4-image dataset naming its own ONNX model builds and appears on the pages with its layers and overlays", async () => {
  writeDataset(buildModel(torchLikeCnn()));
  const built = buildCopy(copy);
  assert.equal(built.status, 0, `build:\n${built.output.slice(-3000)}`);
  const set = builtImages(copy, "tiny");
  assert.equal(set.model.id, "tiny_cnn");
  assert.equal(set.model.title, "TinyCNN (test model)");
  assert.deepEqual(set.model.layers.map((l) => [l.name, l.channels, l.stride, l.receptiveField]), [["relu1", 16, 2, 3], ["relu2", 24, 4, 7], ["relu3", 32, 4, 15]]);

  site = await openSite({root: join(copy, "dist")});
  const page = await site.open("across-images?set=tiny&layer=relu3");
  await waitForFrames(page, 4, "relu3");
  assert.deepEqual(await page.$$eval("select option", (o) => o.map((x) => x.textContent)).then((all) => all.filter((t) => LAYERS.includes(t ?? ""))), LAYERS, "the layer picker offers the set's layers");
  const note = (await page.textContent("[data-testid=model-note]")) ?? "";
  assert.match(note, /Model: TinyCNN \(test model\)\. Built by tests\/fixtures\/testModels\.ts, random weights\. relu3: each cell sees 15 px of the input \(receptive field\), cells 4 px apart\./);

  // The overlay of a hovered cell ranks cells as cosines of onnxruntime-node's activations do.
  const reference = await referenceCells(torchLikeCnn(), TORCH_LIKE_RELUS[2]!, set.images.map((i) => i.png), MEAN, STD);
  const at = {col: 12, row: 9};
  await paintAfter(page, () => hoverCell(page, frameOf(1), at.col, at.row));
  const pixels = await overlayPixels(page);
  const q = cellIndex(at, reference[1]!.grid) * 32;
  const query = reference[1]!.values.subarray(q, q + 32);
  const shown: number[] = [], expected: number[] = [];
  pixels.forEach((p, i) => {
    assert.deepEqual({width: p.width, height: p.height}, {width: 24, height: 24});
    shown.push(...veilBrightness(p));
    for (let c = 0; c < reference[i]!.values.length; c += 32) expected.push(cosineOf(query, reference[i]!.values.subarray(c, c + 32)));
  });
  const rho = spearman(shown, expected);
  report.push(`own-model dataset, relu3 (24×24 at 96 px): Spearman ρ of painted brightness vs onnxruntime-node cosines = ${rho.toFixed(4)}`);
  assert.ok(rho >= 0.95, `Spearman ρ = ${rho.toFixed(4)}`);
  for (const [width, height] of [[1400, 1000], [390, 844]] as const) {
    await page.setViewportSize({width, height});
    await page.waitForTimeout(500);
    await paintAfter(page, () => hoverCell(page, frameOf(1), at.col, at.row));
    await site.screenshot(page, `own-model-dataset-${width}x${height}`);
  }

  // Across layers and Datasets and layers list it too, with its own layers.
  const layers = await site.open("across-layers?set=tiny");
  await layers.waitForFunction((n) => document.querySelectorAll(".layer-stack .overlay-frame").length === n, LAYERS.length, {timeout: 60_000});
  const data = await site.open("data");
  await data.getByRole("radio", {name: "Tiny CNN on animals", exact: true}).check();
  await data.waitForFunction(() => document.querySelectorAll(".image-grid canvas").length === 4, null, {timeout: 60_000});
  assert.deepEqual(site.errors, []);
});

test("an upload on that set runs through the set's own model and joins its figure", async () => {
  assert.ok(site, "the first test opened the site");
  const page = await site.open("across-images?set=tiny&layer=relu2");
  await waitForFrames(page, 4, "relu2");
  const from = site.requests.length;
  const photo = readImageTable(builtFile("objects", "images", join(project, "dist"))).images[0]!;
  await page.setInputFiles("[data-testid=upload-input]", {name: "my photo.png", mimeType: "image/png", buffer: Buffer.from(photo.png)});
  await waitForFrames(page, 5, "relu2");
  assert.match((await page.textContent("[data-testid=upload-list]")) ?? "", /my photo\.png/);
  const models = site.requests.slice(from).map((r) => new URL(r.url).pathname).filter((p) => p.endsWith(".onnx"));
  assert.equal(models.length, 1, models.join(", "));
  assert.match(models[0]!, /\/_file\/data\/models\/tiny_cnn\.[0-9a-f]+\.onnx$/, "the set's own model was downloaded, not InceptionV3");
  // The upload's grid is the set's model's at 96 px, and hovering it lights up the set.
  const pixels = await overlayPixels(page);
  assert.deepEqual(pixels.map((p) => `${p.width}×${p.height}`), Array(5).fill("24×24"));
  await paintAfter(page, () => hoverCell(page, frameOf(4), 10, 10));
  const brightness = (await overlayPixels(page)).map(veilBrightness);
  assert.equal(brightness[4]![cellIndex({col: 10, row: 10}, {width: 24, height: 24})], 255, "the hovered cell of the upload is fully lit (cosine 1)");
  // Another set, another model: its uploads are its own (none here).
  await page.getByRole("radio", {name: "Animals", exact: true}).check();
  await page.waitForFunction(() => !/my photo/.test(document.querySelector("[data-testid=upload-list]")?.textContent ?? ""), null, {timeout: 30_000});
  await site.screenshot(page, "own-model-upload");
  assert.deepEqual(site.errors, []);
});

test("an edited model file rebuilds the set; a broken one stops the build naming the file and keeps the last site", async () => {
  await site?.close();
  site = undefined;
  const before = readLayerTable(builtFile("tiny", "relu3", join(copy, "dist")));
  writeDataset(buildModel(torchLikeCnn(77)));
  const rebuilt = buildCopy(copy);
  assert.equal(rebuilt.status, 0, rebuilt.output.slice(-3000));
  assert.match(rebuilt.output, /load \/data\/tiny\/relu3\.arrow → \[missing\]/);
  assert.match(rebuilt.output, /load \/data\/models\/tiny_cnn\.onnx → \[missing\]/);
  assert.match(rebuilt.output, /load \/data\/animals\/mixed0\.arrow → \[(fresh|using stale)\]/, "the other sets are reused");
  const after = readLayerTable(builtFile("tiny", "relu3", join(copy, "dist")));
  assert.notDeepEqual(after.codes, before.codes, "new weights, new activations");

  writeDataset("this is not an ONNX model\n".repeat(10));
  const broken = buildCopy(copy);
  assert.notEqual(broken.status, 0);
  const last = broken.output.trimEnd().split("\n").slice(-2).join("\n");
  assert.match(last, /^Build failed: datasets\/tiny\/dataset\.json: "tiny_cnn\.onnx" is .*not an ONNX model/);
  assert.match(last, /dist\/ still holds the last good site\./);
  assert.deepEqual(readLayerTable(builtFile("tiny", "relu3", join(copy, "dist"))).codes, after.codes, "dist/ keeps the last good build");

  // A config mistake is caught before any loader runs, with the same kind of message.
  writeDataset(buildModel(torchLikeCnn(77)), {mean: [0.5, 0.5]});
  const badConfig = buildCopy(copy);
  assert.notEqual(badConfig.status, 0);
  assert.match(badConfig.output.trimEnd().split("\n").slice(-2).join("\n"), /^Build failed: datasets\/tiny\/dataset\.json: "model\.preprocessing"\.mean must be 3 numbers, got \[0\.5,0\.5\]\ndist\/ still holds the last good site\./);
  assert.ok(existsSync(join(outputDir, "own-model-dataset-1400x1000.png")));
  assert.ok(readFileSync(join(outputDir, "own-model-dataset-390x844.png")).length > 0);
});
