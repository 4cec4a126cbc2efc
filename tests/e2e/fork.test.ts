// Forking a dataset as the README says, in a throwaway copy of the project (its files, its Framework cache
// and model cache copied, node_modules linked), so the real datasets/, dist/ and cache stay as they are. A
// small dataset "fork" (three animals photos, layer mixed0) is built, then edited: each `npm run build` and a
// running `npm run dev` must show the edit (title, images added, removed or replaced), and a broken edit must
// fail the build with our message naming datasets/fork/dataset.json while dist/ keeps the last good site.
// What the page shows is read in Chromium on the "Datasets and layers" page; what was built is read from
// the copy's dist/ in Node.
import assert from "node:assert/strict";
import {spawn, type ChildProcess} from "node:child_process";
import {copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync} from "node:fs";
import {createServer} from "node:net";
import {join} from "node:path";
import {after, before, test} from "node:test";
import {chromium, type Browser, type Page} from "playwright-core";
import sharp from "sharp";
import type {DatasetConfig} from "../../src/core/datasetConfig.js";
import {CHROMIUM_FLAGS, findChromium, openSite} from "./browser.js";
import {buildCopy, builtImages as builtImagesOf, makeProjectCopy, plainEnv, project} from "./projectCopy.js";

const animals = join(project, "datasets", "animals");
const animalsConfig = JSON.parse(readFileSync(join(animals, "dataset.json"), "utf8")) as DatasetConfig;

let copy: string;
let forkDir: string;

/** Writes datasets/fork/: `files` copied from the animals set under the same names (or `sources[name]`). */
function writeFork(title: string, files: string[], sources: Record<string, string> = {}, listed = files): void {
  rmSync(forkDir, {recursive: true, force: true});
  mkdirSync(forkDir, {recursive: true});
  for (const file of files) copyFileSync(join(animals, sources[file] ?? file), join(forkDir, file));
  const images = listed.map((file) => ({file, credit: animalsConfig.images.find((i) => i.file === (sources[file] ?? file))?.credit ?? "test image", licence: "CC0-1.0"}));
  const config = {name: "fork", title, description: `The ${title} set, made by the fork test.`, model: "inception_v3", layers: ["mixed0"], images};
  writeFileSync(join(forkDir, "dataset.json"), `${JSON.stringify(config, null, 2)}\n`);
}

/** Runs `npm run build`'s script in the copy. */
const build = () => buildCopy(copy);

/** The copy's built image table of the fork. */
const builtImages = () => builtImagesOf(copy, "fork");

/** On the "Datasets and layers" page: picks the dataset titled `title` and returns the image ids it shows. */
async function shownImages(page: Page, title: string, count: number): Promise<string[]> {
  const radio = page.getByRole("radio", {name: title, exact: true});
  await radio.waitFor({timeout: 60_000});
  await radio.check();
  await page.waitForFunction((n) => document.querySelectorAll(".image-grid canvas").length === n, count, {timeout: 60_000});
  return page.$$eval(".image-grid canvas", (canvases) => canvases.map((c) => (c as HTMLElement).dataset.image ?? ""));
}

/**
 * Ends `child` and every process it started (its process group, as it was spawned detached): TERM, then KILL
 * after 5 s, whether or not the child itself has exited already (preview could outlive it and keep this test's
 * pipes, and so the test run, open). The pipes are closed too.
 */
async function stopGroup(child: ChildProcess): Promise<void> {
  const signal = (name: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, name);
    } catch {
      // the group is gone already
    }
  };
  signal("SIGTERM");
  const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
  await new Promise((resolve) => setTimeout(resolve, 500)); // let the group's other members handle TERM
  signal("SIGKILL");
  child.stdout?.destroy();
  child.stderr?.destroy();
}

/** A TCP port nobody listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const {port} = server.address() as {port: number};
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

before(() => {
  copy = makeProjectCopy("similarity-overlays-fork-");
  forkDir = join(copy, "datasets", "fork");
});

after(() => {
  if (copy) rmSync(copy, {recursive: true, force: true});
});

test("npm run build follows edits to a forked dataset, and a broken edit keeps the last good site", async () => {
  writeFork("Fork one", ["gnome-cat.jpg", "darknet-dog.jpg", "libvips-owl.jpg"]);
  const first = build();
  assert.equal(first.status, 0, `first build:\n${first.output.slice(-3000)}`);
  assert.deepEqual(builtImages().images.map((i) => i.file), ["gnome-cat.jpg", "darknet-dog.jpg", "libvips-owl.jpg"]);
  assert.equal(builtImages().dataset.title, "Fork one");

  // A fifth… here a fourth image, a new title, and new bytes under an old name (the horses photo as gnome-cat.jpg).
  writeFork("Fork two", ["gnome-cat.jpg", "darknet-dog.jpg", "libvips-owl.jpg", "darknet-eagle.jpg"], {"gnome-cat.jpg": "darknet-horses.jpg"});
  const second = build();
  assert.equal(second.status, 0, `second build:\n${second.output.slice(-3000)}`);
  assert.match(second.output, /load \/data\/fork\/images\.arrow → \[missing\]/, "the edited dataset's loaders ran again");
  assert.match(second.output, /load \/data\/animals\/mixed0\.arrow → \[(fresh|using stale)\]/, "the untouched datasets' outputs were reused (stale: older than an edited loader, still not rerun)");
  const built = builtImages();
  assert.equal(built.dataset.title, "Fork two");
  assert.deepEqual(built.images.map((i) => i.file), ["gnome-cat.jpg", "darknet-dog.jpg", "libvips-owl.jpg", "darknet-eagle.jpg"]);
  const horses = await sharp(join(animals, "darknet-horses.jpg")).metadata();
  assert.deepEqual([built.images[0].originalWidth, built.images[0].originalHeight], [horses.width, horses.height], "gnome-cat.jpg's new bytes were read");

  const site = await openSite({root: join(copy, "dist")});
  try {
    const page = await site.open("data");
    assert.deepEqual(await shownImages(page, "Fork two", 4), ["gnome-cat", "darknet-dog", "libvips-owl", "darknet-eagle"]);
    assert.equal(await page.getByRole("radio", {name: "Fork one", exact: true}).count(), 0, "the old title is gone");
    assert.deepEqual(site.errors, []);
  } finally {
    await site.close();
  }

  // An image listed but missing: the build fails, says so in our words, and the site built before stays.
  writeFork("Fork three", ["gnome-cat.jpg", "darknet-dog.jpg"], {}, ["gnome-cat.jpg", "darknet-dog.jpg", "ghost.jpg"]);
  const broken = build();
  assert.notEqual(broken.status, 0, "a missing image fails the build");
  const lastLines = broken.output.trimEnd().split("\n").slice(-2).join("\n");
  assert.match(lastLines, /^Build failed: datasets\/fork\/dataset\.json: image ghost\.jpg is listed but datasets\/fork\/ghost\.jpg does not exist\ndist\/ still holds the last good site\./);
  assert.doesNotMatch(broken.output, /If you think this is a bug|github\.com\/observablehq/, "Framework's bug-report line is not shown");
  assert.ok(!broken.output.includes(copy), "paths are relative to the project");
  assert.ok(existsSync(join(copy, "dist", "index.html")), "dist/ keeps its pages");
  assert.equal(builtImages().dataset.title, "Fork two", "dist/ is the last good build");
  assert.deepEqual(readdirSync(copy).filter((f) => f.startsWith("dist.")), [], "no staging folder is left behind");
});

test("npm run dev shows an edit to a forked dataset in the open page", async () => {
  writeFork("Fork four", ["gnome-cat.jpg", "darknet-dog.jpg", "libvips-owl.jpg"]);
  const port = await freePort();
  const dev = spawn(process.execPath, ["--import", "tsx", join("scripts", "dev.ts"), "--port", String(port), "--no-open"], {cwd: copy, env: plainEnv(), stdio: ["ignore", "pipe", "pipe"], detached: true});
  let log = "";
  dev.stdout.on("data", (chunk) => (log += chunk));
  dev.stderr.on("data", (chunk) => (log += chunk));
  let browser: Browser | undefined;
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm run dev did not start:\n${log}`)), 60_000);
      dev.stdout.on("data", () => {
        const found = /↳ (http:\/\/127\.0\.0\.1:\d+\/)/.exec(log);
        if (found) (clearTimeout(timer), resolve(found[1]));
      });
      dev.on("exit", (code) => reject(new Error(`npm run dev exited with ${code}:\n${log}`)));
    });
    browser = await chromium.launch({executablePath: findChromium(), args: CHROMIUM_FLAGS, headless: true});
    const page = await browser.newPage({viewport: {width: 1200, height: 900}});
    await page.goto(`${url}data`);
    assert.deepEqual(await shownImages(page, "Fork four", 3), ["gnome-cat", "darknet-dog", "libvips-owl"]);

    // Edit the folder while the page is open: a new title, one image dropped and one added.
    writeFork("Fork five", ["gnome-cat.jpg", "libvips-owl.jpg", "darknet-eagle.jpg"]);
    assert.deepEqual(await shownImages(page, "Fork five", 3), ["gnome-cat", "libvips-owl", "darknet-eagle"], `page after the edit; dev log:\n${log.slice(-2000)}`);
  } catch (error) {
    throw new Error(`${(error as Error).message}\ndev log:\n${log.slice(-3000)}`);
  } finally {
    await browser?.close();
    await stopGroup(dev);
  }
});
