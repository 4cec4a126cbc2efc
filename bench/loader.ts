// Loader throughput. benchLoader: one layer loader on its own (decode, resize, preprocess, inference, 8-bit
// codes, LZ4 Arrow) against a bare onnxruntime-node loop over the same images, prepared inputs and output, in
// one process. benchSnapshot: a whole dataset, every layer file from a cold cache, with the shared activation
// cache (each image through the model once) and without it (each layer file on its own, as before), in one
// process and as the loader entries' own processes (the way Framework runs them), against one bare
// onnxruntime-node pass over the same images to the deepest layer; with the sessions' creation left out on
// both sides, and counted on both sides.

import {spawnSync} from "node:child_process";
import {mkdtemp, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {pathToFileURL} from "node:url";
import * as ort from "onnxruntime-node";
import {TS_INTERPRETER} from "../data-loaders/interpreter.js";
import {imagesArrow, layerArrow, openDataset, prepareImages} from "../data-loaders/snapshot.js";
import {createTapSession, tapModel} from "../src/core/layerTap.js";
import {findLayer} from "../src/core/modelSpec.js";
import {toInputTensor} from "../src/core/preprocess.js";

/** Wall-clock and CPU milliseconds (CPU: every thread of this process, onnxruntime's pool included). */
interface Timing {
  wall: number;
  cpu: number;
}

/** Best wall time and best CPU time of `repeats` runs of `work`, each after `setup`. */
async function best(repeats: number, work: () => Promise<unknown>, setup: () => Promise<unknown> = async () => {}): Promise<Timing> {
  const out = {wall: Infinity, cpu: Infinity};
  for (let r = 0; r < repeats; ++r) {
    await setup();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await work();
    const wall = performance.now() - t0;
    const c = process.cpuUsage(c0);
    out.wall = Math.min(out.wall, wall);
    out.cpu = Math.min(out.cpu, (c.user + c.system) / 1000);
  }
  return out;
}

/** A bare onnxruntime-node session on the model pruned to `output`, and `pass()`, which times one run over the
 * dataset's prepared inputs (not timed: preparing them, creating the session and one warm-up run). */
async function bareSession(dataset: string, output: string) {
  const {dataset: ds, model} = await openDataset(dataset);
  const prepared = await prepareImages(ds, model.spec, {cacheDir: null});
  const inputs = prepared.map(({input}) => toInputTensor(input, model.spec.input));
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(tapModel(model.bytes, [output]), {intraOpNumThreads: 2});
  const sessionMs = performance.now() - t0;
  const feed = (i: number) => ({[model.spec.input.name]: new ort.Tensor("float32", inputs[i].data, inputs[i].dims)});
  await session.run(feed(0), [output]); // warm-up
  const pass = () => best(1, async () => {
    for (let i = 0; i < inputs.length; ++i) await session.run(feed(i), [output]);
  });
  return {pass, sessionMs, images: inputs.length, release: () => session.release()};
}

export async function benchLoader(dataset: string, layerName: string, repeats = 3) {
  const {model} = await openDataset(dataset);
  const layer = findLayer(model.spec, layerName);
  const bare = await bareSession(dataset, layer.output);
  let bareMs = Infinity;
  let bytes = 0;
  // Each loader run right after a baseline pass (the machine is shared); the best of each.
  const full = await best(repeats, async () => (bytes = (await layerArrow(dataset, layerName, {cacheDir: null})).length), async () => {
    bareMs = Math.min(bareMs, (await bare.pass()).wall);
  });
  await bare.release();
  return [
    {run: `bare onnxruntime-node (baseline)`, images: bare.images, "ms total": bareMs, "images/s": (1000 * bare.images) / bareMs, ratio: 1, "file bytes": "-"},
    {run: `layer loader ${dataset}/${layerName} on its own`, images: bare.images, "ms total": full.wall, "images/s": (1000 * bare.images) / full.wall, ratio: full.wall / bareMs, "file bytes": bytes}
  ];
}

/**
 * Every layer file of `dataset` from a cold cache (a fresh cache folder each time), the loaders called one
 * after another as the build calls them, with the shared activation cache and without it (each file on its
 * own); in this process and as the loader entries' own processes; and images.arrow. Baseline: session.run
 * alone over the images, to the deepest layer. The machine is shared, so each measurement is taken right
 * after a baseline pass, ratios use the best of each, and in-process rows give CPU time too.
 */
export async function benchSnapshot(dataset: string, repeats = 3) {
  const {dataset: ds, model} = await openDataset(dataset);
  const all = ds.config.layers.map((name) => findLayer(model.spec, name));
  const deepest = [...all].sort((a, b) => model.spec.layers.indexOf(b) - model.spec.layers.indexOf(a))[0];
  const bare = await bareSession(dataset, deepest.output);
  const layers = ds.config.layers;
  // The session a cold snapshot creates (tapped at all the dataset's layers, as embedImages makes it): its
  // creation is left out of the cold rows' "no sessions" ratio, as the baseline's is.
  let tapSessionMs = Infinity;
  for (let r = 0; r < repeats; ++r) {
    const t0 = performance.now();
    const session = await createTapSession(ort, model.bytes, all.map((l) => l.output), {intraOpNumThreads: 2}, `${model.spec.id}.onnx`);
    tapSessionMs = Math.min(tapSessionMs, performance.now() - t0);
    await session.dispose();
  }
  const base = {wall: Infinity, cpu: Infinity};
  let cacheDir = "";
  const fresh = async () => {
    if (cacheDir) await rm(cacheDir, {recursive: true, force: true});
    cacheDir = await mkdtemp(join(tmpdir(), "activation-cache-"));
  };
  /** Best of `times` runs of `work`, each after `setup` and a baseline pass. */
  const measure = (times: number, work: () => Promise<unknown>, setup?: () => Promise<unknown>) =>
    best(times, work, async () => {
      const pass = await bare.pass();
      base.wall = Math.min(base.wall, pass.wall);
      base.cpu = Math.min(base.cpu, pass.cpu);
      await setup?.();
    });
  const inProcess = (dir: () => string | null) => async () => {
    for (const layer of layers) await layerArrow(dataset, layer, {cacheDir: dir()});
  };
  // The loader entries as Framework runs them: one process per file, one after another, started with the
  // interpreter observablehq.config.ts gives Framework (or `tsx`, Framework's default).
  const run = (command: readonly string[], args: string[], env: NodeJS.ProcessEnv = process.env) => {
    const r = spawnSync(command[0], [...command.slice(1), ...args], {env, maxBuffer: 1 << 28});
    if (r.status !== 0) throw new Error(`${args.join(" ")} failed: ${r.stderr}`);
  };
  const TSX_COMMAND = ["node_modules/.bin/tsx"];
  const entries = (cache: () => string, command = TS_INTERPRETER) => async () => {
    for (const layer of layers) run(command, ["src/data/[dataset]/[layer].arrow.ts", `--dataset=${dataset}`, `--layer=${layer}`], {...process.env, ACTIVATION_CACHE_DIR: cache()});
  };
  // What every such process pays before its loader does anything: Node with tsx, and the layer loader's imports.
  const started = await best(repeats, async () => run(TS_INTERPRETER, ["-e", ""]));
  const imported = await best(repeats, async () => run(TS_INTERPRETER, ["--input-type=module", "-e", `await import(${JSON.stringify(pathToFileURL("data-loaders/snapshot.ts").href)})`]));
  const shared = await measure(repeats, inProcess(() => cacheDir), fresh);
  const warm = await measure(repeats, inProcess(() => cacheDir));
  const alone = await measure(1, inProcess(() => null));
  const sharedProcesses = await measure(1, entries(() => cacheDir), fresh);
  const warmProcesses = await measure(1, entries(() => cacheDir));
  const tsxProcesses = await measure(1, entries(() => cacheDir, TSX_COMMAND), fresh);
  const aloneProcesses = await measure(1, entries(() => "none"));
  const images = await measure(repeats, () => imagesArrow(dataset, {cacheDir}), fresh);
  await rm(cacheDir, {recursive: true, force: true});
  await bare.release();
  const n = bare.images;
  // sessions: how many tap sessions the run creates (cold shared: one; as before: one per layer file).
  const row = (run: string, t: Timing, {processes = false, sessions = 0} = {}) => ({
    run, "ms total": t.wall, "ms per image": t.wall / n,
    "× bare, no sessions": (t.wall - sessions * tapSessionMs) / base.wall, "× bare, sessions both sides": t.wall / (base.wall + bare.sessionMs),
    "CPU ms": processes ? "-" : t.cpu, "CPU × bare": processes ? "-" : t.cpu / base.cpu
  });
  const L = layers.length;
  const ratio = (t: Timing, sessions: number) => `${((t.wall - sessions * tapSessionMs) / base.wall).toFixed(2)}× without sessions, ${(t.wall / (base.wall + bare.sessionMs)).toFixed(2)}× with`;
  return {
    rows: [
      row(`bare onnxruntime-node to ${deepest.name}, ${n} images (baseline; its session, ${Math.round(bare.sessionMs)} ms, only in "sessions both sides")`, base),
      row(`${L} layer files, shared activation cache, cold (in one process; its one session, ${Math.round(tapSessionMs)} ms, taken out of "no sessions")`, shared, {sessions: 1}),
      row(`${L} layer files, shared activation cache, warm: model not run (in one process)`, warm),
      row(`${L} layer files, each on its own, as before (in one process; ${L} sessions)`, alone, {sessions: L}),
      row(`${L} loader entries as processes (as Framework runs them), shared cache, cold`, sharedProcesses, {processes: true, sessions: 1}),
      row(`${L} loader entries as processes, shared cache, warm`, warmProcesses, {processes: true}),
      row(`${L} loader entries as processes started by \`tsx\` (Framework's default), shared cache, cold`, tsxProcesses, {processes: true, sessions: 1}),
      row(`${L} loader entries as processes, each on its own, as before`, aloneProcesses, {processes: true, sessions: L}),
      row(`one process start: Node with tsx, empty (× ${L}: ${Math.round(L * started.wall)} ms)`, started, {processes: true}),
      row(`one process start plus the layer loader's imports (× ${L}: ${Math.round(L * imported.wall)} ms)`, imported, {processes: true}),
      row("images.arrow (PNG), cold cache (in one process)", images)
    ],
    notes: [
      `goal: ${L} layer files from a cold cache ≤ 1.5× the bare pass: ${shared.wall / base.wall <= 1.5 ? "met" : "not met"} (in one process ${ratio(shared, 1)}; as processes ${ratio(sharedProcesses, 1)}, of which ${Math.round((100 * L * imported.wall) / sharedProcesses.wall)} % is the processes' start and imports)`
    ]
  };
}
