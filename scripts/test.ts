// npm test: type-check, unit tests, build the site, then end-to-end tests in Chromium against the build.
// Each step's output streams as it runs. The run ends with node:test's summary lines ("# pass N",
// "# fail N") counting the tests of both suites, plus one failure for each step that failed outright (the
// type check or the build); the exit code is non-zero if anything failed.
import {spawnSync} from "node:child_process";
import {existsSync, mkdtempSync, readFileSync, readdirSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {delimiter, join} from "node:path";

const root = join(import.meta.dirname, "..");
const bin = (name: string) => join(root, "node_modules", ".bin", name);
// Framework runs .ts loaders with the tsx on PATH; npm run puts node_modules/.bin there, plain node does not.
const env = {...process.env, PATH: `${join(root, "node_modules", ".bin")}${delimiter}${process.env.PATH ?? ""}`, OBSERVABLE_TELEMETRY_DISABLE: "true"};
const summaryDir = mkdtempSync(join(tmpdir(), "similarity-overlays-test-"));

/** Counts read from node:test's TAP summary. */
interface Counts {
  tests: number;
  pass: number;
  fail: number;
  cancelled: number;
  skipped: number;
  todo: number;
}
const total: Counts = {tests: 0, pass: 0, fail: 0, cancelled: 0, skipped: 0, todo: 0};
const failedSteps: string[] = [];

/** Runs a command in the project root with inherited output; returns whether it exited 0. */
function run(title: string, command: string, args: string[]): boolean {
  console.log(`\n=== ${title}: ${[command, ...args].map((a) => a.replace(root + "/", "")).join(" ")}`);
  const {status, error} = spawnSync(command, args, {cwd: root, env, stdio: "inherit"});
  if (error) console.error(error.message);
  return status === 0;
}

/** A step that is not a test suite: its failure counts as one failed test. */
function step(title: string, command: string, args: string[]): boolean {
  const ok = run(title, command, args);
  if (!ok) failedSteps.push(title);
  return ok;
}

/** Runs node:test on the *.test.ts files of `dir`, shown with the spec reporter, counted from a TAP copy. */
function suite(title: string, dir: string): void {
  const files = existsSync(join(root, dir)) ? readdirSync(join(root, dir)).filter((f) => f.endsWith(".test.ts")).sort().map((f) => join(dir, f)) : [];
  if (!files.length) return void console.log(`\n=== ${title}: no test files in ${dir}`);
  const tap = join(summaryDir, `${title.replace(/\W+/g, "-")}.tap`);
  const ok = run(title, process.execPath, ["--import", "tsx", "--test", "--test-reporter=spec", "--test-reporter-destination=stdout", "--test-reporter=tap", `--test-reporter-destination=${tap}`, ...files]);
  const counts = existsSync(tap) ? readCounts(readFileSync(tap, "utf8")) : undefined;
  if (!counts) return void failedSteps.push(`${title} (no summary)`);
  for (const key of Object.keys(total) as (keyof Counts)[]) total[key] += counts[key];
  if (!ok && counts.fail === 0) failedSteps.push(`${title} (exited non-zero)`);
}

/** The summary counts at the end of node:test's TAP output, if it finished. */
function readCounts(tap: string): Counts | undefined {
  const count = (key: string) => Number(new RegExp(`^# ${key} (\\d+)$`, "m").exec(tap)?.[1] ?? NaN);
  const counts = {tests: count("tests"), pass: count("pass"), fail: count("fail"), cancelled: count("cancelled"), skipped: count("skipped"), todo: count("todo")};
  return Object.values(counts).every(Number.isFinite) ? counts : undefined;
}

step("type check", bin("tsc"), ["--noEmit"]);
suite("unit tests", "tests/unit");
// Framework reruns a loader only when the loader file itself changed, so a worker bundle made before a
// change to workers/ would be reused; bundling is quick, so always redo it.
rmSync(join(root, "src", ".observablehq", "cache", "w"), {recursive: true, force: true});
if (step("build", process.execPath, ["--import", "tsx", join("scripts", "build.ts")])) suite("end-to-end tests", "tests/e2e");
else failedSteps.push("end-to-end tests (not run: the build failed)");
rmSync(summaryDir, {recursive: true, force: true});

console.log("\n=== summary");
for (const title of failedSteps) console.log(`not ok - ${title}`);
const fail = total.fail + failedSteps.length;
console.log(`# tests ${total.tests + failedSteps.length}`);
console.log(`# pass ${total.pass}`);
console.log(`# fail ${fail}`);
console.log(`# cancelled ${total.cancelled}`);
console.log(`# skipped ${total.skipped}`);
console.log(`# todo ${total.todo}`);
process.exitCode = fail || total.cancelled ? 1 : 0;
