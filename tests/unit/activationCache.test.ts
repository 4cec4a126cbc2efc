// data-loaders/activationCache.ts: the cache a dataset's layer loaders share, so each image runs through the
// model once. Entries appear whole or not at all, loaders started together agree, a stored entry is what a
// later loader reads, and locks and temp files left by killed processes do not block or mislead a later run.
import assert from "node:assert/strict";
import {spawn, spawnSync} from "node:child_process";
import {copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {test} from "node:test";
import {hasCells, readCells, withLock, writeCells} from "../../data-loaders/activationCache.js";
import type {LayerCells} from "../../src/core/embedImage.js";
import {readLayerTable} from "../../src/core/layerTable.js";

const root = mkdtempSync(join(tmpdir(), "activation-cache-"));
const layer = (seed: number, width = 3, height = 2, channels = 4): LayerCells =>
  ({values: Float32Array.from({length: width * height * channels}, (_, i) => seed + i / 8), grid: {width, height}, channels});

/** A pid that no process has now (a child that has exited). */
const deadPid = () => spawnSync(process.execPath, ["-e", ""]).pid!;

test("an entry is written with all its layers and read back exactly", async () => {
  const dir = join(root, "roundtrip");
  assert.equal(await hasCells(dir, "k"), false);
  assert.equal(await readCells(dir, "k", "a"), null);
  await writeCells(dir, "k", {a: layer(1), b: layer(2, 1, 1, 7)});
  assert.equal(await hasCells(dir, "k"), true);
  assert.deepEqual(await readCells(dir, "k", "a"), layer(1));
  assert.deepEqual(await readCells(dir, "k", "b"), layer(2, 1, 1, 7));
  // A second writer of the same entry (another loader that computed it too) is fine.
  await writeCells(dir, "k", {a: layer(1), b: layer(2, 1, 1, 7)});
  assert.deepEqual(readdirSync(join(dir, "cells")), ["k"]);
});

test("a write that fails after its first layer leaves no entry and no temp folder", async () => {
  const dir = join(root, "failed");
  const broken = {grid: {width: 1, height: 1}, channels: 1, get values(): Float32Array {
    throw new Error("disk on fire");
  }};
  await assert.rejects(writeCells(dir, "k", {a: layer(1), b: broken}), /disk on fire/);
  assert.equal(await hasCells(dir, "k"), false);
  assert.deepEqual(readdirSync(join(dir, "cells")), []);
});

test("an entry of the wrong length is refused with a message saying what to do", async () => {
  const dir = join(root, "short");
  await writeCells(dir, "k", {a: layer(1)});
  const file = join(dir, "cells", "k", "a.f32");
  writeFileSync(file, readFileSync(file).subarray(0, 20));
  await assert.rejects(readCells(dir, "k", "a"), /cache entry .*a\.f32 has 20 bytes, not 108: delete \.cache\/activations and build again/);
});

test("withLock runs one holder at a time, takes over a dead process's lock, and sweeps its temp files", async () => {
  const dir = join(root, "locks");
  let inside = 0, most = 0;
  const work = async () => {
    most = Math.max(most, ++inside);
    await new Promise((r) => setTimeout(r, 50));
    --inside;
  };
  await Promise.all([withLock(dir, "x", work, {poll: 5}), withLock(dir, "x", work, {poll: 5}), withLock(dir, "x", work, {poll: 5})]);
  assert.equal(most, 1);
  assert.equal(existsSync(join(dir, "x.lock")), false);

  const dead = deadPid();
  writeFileSync(join(dir, "x.lock"), String(dead));
  mkdirSync(join(dir, "cells", `.tmp-${dead}-0123abcd`), {recursive: true});
  mkdirSync(join(dir, "cells", `.tmp-${process.pid}-0123abcd`), {recursive: true});
  assert.equal(await withLock(dir, "x", async () => "ran", {poll: 5, timeout: 2000}), "ran");
  assert.deepEqual(readdirSync(join(dir, "cells")), [`.tmp-${process.pid}-0123abcd`], "only a live process's temp folder stays");

  // A lock held by a live process (this one) is waited for, then the wait gives up with advice.
  writeFileSync(join(dir, "y.lock"), String(process.pid));
  await assert.rejects(withLock(dir, "y", async () => "ran", {poll: 5, timeout: 50}), /waited 0 minutes for .*y\.lock \(held by process \d+\): if no build is running, delete it and build again/);
});

// Loaders as Framework runs them: separate processes, here started together.
const datasets = join(root, "datasets");
mkdirSync(join(datasets, "pair"), {recursive: true});
copyFileSync("datasets/animals/libvips-owl.jpg", join(datasets, "pair", "owl.jpg"));
copyFileSync("datasets/animals/gnome-cat.jpg", join(datasets, "pair", "cat.jpg"));
writeFileSync(join(datasets, "pair", "dataset.json"), JSON.stringify({
  name: "pair", title: "pair", description: "test", model: "inception_v3", layers: ["mixed1", "mixed4"], sizePolicy: {kind: "square", size: 75},
  images: ["owl.jpg", "cat.jpg"].map((file) => ({file, credit: "test", licence: "CC0"}))
}));
const entry = "src/data/[dataset]/[layer].arrow.ts";
const env = (cache: string) => ({...process.env, DATASETS_DIR: datasets, ACTIVATION_CACHE_DIR: cache});

function runLoader(layerName: string, cache: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", entry, "--dataset=pair", `--layer=${layerName}`], {env: env(cache)});
    const out: Buffer[] = [], err: Buffer[] = [];
    child.stdout.on("data", (d) => out.push(d));
    child.stderr.on("data", (d) => err.push(d));
    child.on("close", (status) => (status === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`loader exited ${status}: ${Buffer.concat(err)}`))));
  });
}

test("loaders started together fill the cache once and agree with loaders run one by one", async () => {
  const together = join(root, "together");
  const [a, b] = await Promise.all([runLoader("mixed1", together), runLoader("mixed4", together)]);
  const cells = readdirSync(join(together, "cells"));
  assert.equal(cells.length, 2, "one entry per image, each with both layers");
  for (const key of cells) assert.deepEqual(readdirSync(join(together, "cells", key)).sort(), ["mixed1.f32", "mixed4.f32"]);
  assert.deepEqual(readdirSync(together).filter((n) => n.endsWith(".lock")), [], "no lock left");

  const alone = join(root, "alone");
  assert.ok(a.equals(await runLoader("mixed1", alone)));
  assert.ok(b.equals(await runLoader("mixed4", alone)));
});

test("a later loader reads the stored entry instead of running the model", async () => {
  const cache = join(root, "read");
  const before = readLayerTable(await runLoader("mixed4", cache));
  assert.ok(before.norms.some((n) => n > 0));
  // Overwrite every image's stored mixed1 with zeros: the mixed1 file, made later, shows them.
  for (const key of readdirSync(join(cache, "cells"))) {
    const file = join(cache, "cells", key, "mixed1.f32");
    const bytes = readFileSync(file);
    bytes.fill(0, 12);
    writeFileSync(file, bytes);
  }
  const after = readLayerTable(await runLoader("mixed1", cache));
  assert.ok(after.norms.every((n) => n === 0));
  // A changed image is a new key: its activations are computed, the other image's are still read.
  copyFileSync("datasets/animals/gnome-flower2.jpg", join(datasets, "pair", "cat.jpg"));
  try {
    const changed = readLayerTable(await runLoader("mixed1", cache));
    const owlCells = changed.cellStart[1];
    assert.ok(changed.norms.subarray(0, owlCells).every((n) => n === 0), "the owl's entry, unchanged, is read");
    assert.ok(changed.norms.subarray(owlCells).some((n) => n > 0), "the new picture is run through the model");
    assert.equal(readdirSync(join(cache, "cells")).length, 3);
  } finally {
    copyFileSync("datasets/animals/gnome-cat.jpg", join(datasets, "pair", "cat.jpg"));
  }
});
