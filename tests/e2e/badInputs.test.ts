// Bad input gets a clear message, and the page keeps working: every fixture of tests/fixtures/badInputs.ts
// through the real built uploads worker in headless Chromium, driven by the real page-side client
// (src/components/clients/uploadsWorkerClient.ts, bundled here with esbuild since it is not on any page yet).
// Images go through embed(), models through inspectModel(). Checked: each refusal's message, the decoded
// size and colours of each odd image that is accepted, that no error reaches the page, that a name full
// of HTML stays text, that the worker still embeds a good image afterwards, and that a worker that dies
// (terminated under a running call, or while idle) is replaced and the next call works.
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, test} from "node:test";
import {build} from "esbuild";
import type {Page} from "playwright-core";
import {writeBadInputs, type BadInput, type Sample} from "../fixtures/badInputs.js";
import {openSite, outputDir, type Site} from "./browser.js";
import {buildUploadsSite, UPLOAD_PATHS} from "./uploadsHarness.js";

const root = join(import.meta.dirname, "..", "..");
const LAYER = "mixed4";
const CLIENT_PATH = "/_test/uploadsWorkerClient.js";
const GOOD_IMAGE = join(root, "datasets", "animals", "skimage-chelsea.png");

let site: Site;
let page: Page;
let cases: BadInput[];
const dialogs: string[] = [];
const report: string[] = [];

/** What one call gives back to the test. */
type Outcome =
  | {ok: true; name: string | null; originalWidth: number; originalHeight: number; width: number; height: number; samples: number[][]; layer: {grid: {width: number; height: number}; channels: number; finite: boolean}}
  | {ok: true; model: {layout: string; channels: number; layers: string[]}; name: string | null; bytes: number}
  | {ok: false; message: string; name: string};

/** Runs `kind` ("embed" or "inspect") in the page on a file of `bytes` (or a virtual file of `virtualSize` zeros). */
async function run(kind: "embed" | "inspect", file: {name: string; type: string; bytes?: Uint8Array; virtualSize?: number; samples?: Sample[]; options?: object}): Promise<Outcome> {
  return page.evaluate(
    async ({kind, name, type, base64, virtualSize, samples, options, layer}) => {
      type Client = {
        embed(file: Blob, options?: object): Promise<{name: string | null; originalWidth: number; originalHeight: number; width: number; height: number; input: Uint8Array; layers: Record<string, {values: Float32Array; grid: {width: number; height: number}; channels: number}>}>;
        inspectModel(file: Blob, options?: object): Promise<{name: string | null; bytes: number; input: {layout: string; channels: number}; layers: Array<{output: string; opType: string; channels: number; height: number; width: number}>}>;
      };
      const client = (window as unknown as {client: Client}).client;
      let file: File;
      if (virtualSize) {
        // One 1 MB Blob repeated: the parts are shared by reference, so this costs no memory.
        const chunk = new Blob([new Uint8Array(1_000_000)]);
        file = new File(Array.from({length: Math.ceil(virtualSize / 1_000_000)}, () => chunk), name, {type});
      } else {
        file = new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], name, {type});
      }
      try {
        if (kind === "inspect") {
          const m = await client.inspectModel(file, options);
          return {ok: true, name: m.name, bytes: m.bytes, model: {layout: m.input.layout, channels: m.input.channels, layers: m.layers.map((l) => `${l.output} ${l.opType} ${l.channels}×${l.height}×${l.width}`)}};
        }
        const e = await client.embed(file, {keepInput: true});
        const l = e.layers[layer]!;
        const at = ([fx, fy]: [number, number]) => {
          const i = (Math.floor(fy * e.height) * e.width + Math.floor(fx * e.width)) * 3;
          return [e.input[i]!, e.input[i + 1]!, e.input[i + 2]!];
        };
        return {
          ok: true, name: e.name, originalWidth: e.originalWidth, originalHeight: e.originalHeight, width: e.width, height: e.height,
          samples: samples.map((s) => at(s.at)),
          layer: {grid: l.grid, channels: l.channels, finite: l.values.every((v) => Number.isFinite(v))}
        };
      } catch (error) {
        // Shown as the upload page will show it: as text.
        const div = document.createElement("div");
        div.className = "upload-error";
        div.textContent = (error as Error).message;
        document.body.append(div);
        return {ok: false, message: (error as Error).message, name};
      }
    },
    {kind, name: file.name, type: file.type, base64: file.bytes ? Buffer.from(file.bytes).toString("base64") : "", virtualSize: file.virtualSize ?? 0, samples: file.samples ?? [], options: file.options ?? {}, layer: LAYER}
  ) as Promise<Outcome>;
}

const embedGood = () => run("embed", {name: "skimage-chelsea.png", type: "image/png", bytes: readFileSync(GOOD_IMAGE)});

function checkGood(outcome: Outcome, label: string): void {
  assert.ok(outcome.ok, `${label}: ${"message" in outcome ? outcome.message : ""}`);
  assert.ok("layer" in outcome);
  assert.deepEqual([outcome.originalWidth, outcome.originalHeight, outcome.width, outcome.height], [451, 300, 299, 299], label);
  assert.deepEqual(outcome.layer.grid, {width: 17, height: 17}, label);
  assert.equal(outcome.layer.finite, true, label);
}

describe("bad inputs: refused with clear messages, and the worker keeps working", {timeout: 900_000}, () => {
  before(async () => {
    const siteDir = buildUploadsSite();
    // The page-side client, bundled for the browser (Comlink included) into the built site.
    await build({entryPoints: [join(root, "src", "components", "clients", "uploadsWorkerClient.ts")], bundle: true, format: "esm", platform: "browser", target: "es2022", outfile: join(siteDir, CLIENT_PATH), logLevel: "warning"});
    cases = await writeBadInputs(join(outputDir, "bad-inputs"));
    site = await openSite({root: siteDir});
    page = await site.open("");
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.evaluate(
      async ({clientPath, paths, layer}) => {
        const {createUploadsClient} = await import(clientPath);
        const spec = await (await fetch(paths.spec)).json();
        const client = createUploadsClient({
          workerUrl: async () => paths.worker,
          runtimeUrl: async () => paths.wasm,
          model: async () => ({modelUrl: paths.model, spec})
        });
        (window as unknown as {client: unknown}).client = client;
        await client.init({outputs: [layer]});
      },
      {clientPath: CLIENT_PATH, paths: UPLOAD_PATHS, layer: LAYER}
    );
  });

  after(async () => {
    if (report.length) console.log(`# ${report.join("\n# ")}`);
    await site?.close();
  });

  test("a good image embeds before the bad ones", async () => {
    checkGood(await embedGood(), "before");
  });

  test("every image fixture: refused with its message, or accepted with its size and colours", async () => {
    let refused = 0, accepted = 0;
    for (const c of cases.filter((c) => c.kind === "image")) {
      const samples = "accepted" in c.expect ? c.expect.accepted.samples : [];
      const outcome = await run("embed", {name: c.name, type: c.type, bytes: readFileSync(c.path!), samples});
      if ("refused" in c.expect) {
        assert.ok(!outcome.ok, `${c.id} must be refused`);
        report.push(`${c.id}: ${outcome.message}`);
        assert.match(outcome.message, c.expect.refused, c.id);
        if (c.expect.message) assert.equal(outcome.message, c.expect.message, c.id);
        ++refused;
      } else if ("accepted" in c.expect) {
        assert.ok(outcome.ok && "samples" in outcome, `${c.id} must be accepted: ${"message" in outcome ? outcome.message : ""}`);
        const {originalWidth, originalHeight} = c.expect.accepted;
        assert.deepEqual([outcome.originalWidth, outcome.originalHeight], [originalWidth, originalHeight], `${c.id}: decoded size`);
        assert.equal(outcome.name, c.name, `${c.id}: the name comes back verbatim`);
        assert.ok(outcome.layer.finite, `${c.id}: finite activations`);
        c.expect.accepted.samples.forEach((s, i) => {
          const got = outcome.samples[i]!;
          const off = Math.max(...got.map((v, k) => Math.abs(v - s.rgb[k]!)));
          assert.ok(off <= s.tolerance, `${c.id}: at ${s.at} the model saw (${got}), expected (${s.rgb}) ± ${s.tolerance}`);
        });
        report.push(`${c.id}: accepted, ${outcome.originalWidth}×${outcome.originalHeight}, model saw ${outcome.samples.map((rgb) => `(${rgb.join(", ")})`).join(" ")}`);
        ++accepted;
      } else {
        assert.fail(`${c.id}: an image fixture expects neither a refusal nor acceptance`);
      }
    }
    assert.deepEqual({refused, accepted}, {refused: 8, accepted: 6});
  });

  test("every model fixture through inspectModel()", async () => {
    let refused = 0, described = 0;
    for (const c of cases.filter((c) => c.kind === "model")) {
      const outcome = await run("inspect", {name: c.name, type: c.type, bytes: c.path ? readFileSync(c.path) : undefined, virtualSize: c.virtualSize, options: c.options});
      if ("refused" in c.expect) {
        assert.ok(!outcome.ok, `${c.id} must be refused`);
        report.push(`${c.id}: ${outcome.message}`);
        assert.match(outcome.message, c.expect.refused, c.id);
        if (c.expect.message) assert.equal(outcome.message, c.expect.message, c.id);
        ++refused;
      } else if ("model" in c.expect) {
        assert.ok(outcome.ok && "model" in outcome, `${c.id} must be described: ${"message" in outcome ? outcome.message : ""}`);
        assert.deepEqual(outcome.model, c.expect.model, c.id);
        report.push(`${c.id}: accepted, ${outcome.model.layout} ${outcome.model.channels} channels, layers ${outcome.model.layers.join("; ")}`);
        ++described;
      } else {
        assert.fail(`${c.id}: a model fixture expects neither a refusal nor a description`);
      }
    }
    assert.deepEqual({refused, described}, {refused: 7, described: 1});
  });

  test("a name made of HTML stays text: no element made, no script run", async () => {
    const shown = await page.evaluate(() => [...document.querySelectorAll(".upload-error")].map((d) => ({text: d.textContent, children: d.children.length})));
    const html = shown.filter((s) => s.text?.includes("<img src=x onerror=alert(1)>"));
    assert.equal(html.length, 1, "the message for the HTML-named text file");
    assert.equal(html[0]!.children, 0);
    assert.equal(await page.evaluate(() => document.querySelectorAll("img[src='x']").length), 0);
    assert.deepEqual(dialogs, [], "no alert() ran (from the name or from the SVG's script)");
  });

  test("the worker still embeds a good image after all the bad ones", async () => {
    checkGood(await embedGood(), "after the bad inputs");
    assert.equal(await page.evaluate(() => (window as unknown as {client: {generation: number}}).client.generation), 1, "the same worker throughout");
  });

  test("a worker terminated under a running call: the call says it stopped and was restarted; the next call works", async () => {
    const message = await page.evaluate(async (base64) => {
      const client = (window as unknown as {client: {embed(file: Blob): Promise<unknown>; worker: Worker}}).client;
      const file = new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], "cat.png", {type: "image/png"});
      const pending = client.embed(file);
      await new Promise((resolve) => setTimeout(resolve, 50));
      client.worker.terminate();
      try {
        await pending;
        return "no error";
      } catch (error) {
        return (error as Error).message;
      }
    }, readFileSync(GOOD_IMAGE).toString("base64"));
    report.push(`worker terminated mid-call: ${message}`);
    assert.equal(message, "the uploads worker stopped (it was terminated or crashed) and was restarted: try again");
    checkGood(await embedGood(), "after the restart (init repeated on the new worker)");
    assert.equal(await page.evaluate(() => (window as unknown as {client: {generation: number}}).client.generation), 2);
  });

  test("a worker that dies while idle is replaced before the next call", async () => {
    await page.evaluate(() => (window as unknown as {client: {worker: Worker}}).client.worker.terminate());
    await page.waitForFunction(() => (window as unknown as {client: {generation: number}}).client.generation === 3);
    checkGood(await embedGood(), "after an idle restart");
    const outcome = await run("embed", {name: "empty.jpg", type: "image/jpeg", bytes: new Uint8Array(0)});
    assert.ok(!outcome.ok && /zero-byte/.test(outcome.message), "and bad input still gets its message");
  });

  test("no error reached the page", () => {
    assert.deepEqual(site.errors, []);
  });
});
