// A throwaway copy of the project for tests that fork datasets (its files, its Framework cache and model cache
// copied, node_modules linked), so the real datasets/, dist/ and caches stay as they are; and the copy's
// `npm run build` and built files.
import {spawnSync} from "node:child_process";
import {cpSync, existsSync, mkdirSync, mkdtempSync, symlinkSync} from "node:fs";
import {tmpdir} from "node:os";
import {dirname, join} from "node:path";
import {readImageTable} from "../../src/core/imageTable.js";
import {builtFile} from "./overlayPage.js";

export const project = join(import.meta.dirname, "..", "..");

/** The files of the working tree that git would keep (tracked, or new and not ignored). */
function projectFiles(): string[] {
  const r = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {cwd: project, encoding: "utf8"});
  if (r.status !== 0) throw new Error(`git ls-files failed: ${r.stderr}`);
  return r.stdout.split("\0").filter((f) => f && existsSync(join(project, f)));
}

/** The environment of the copy's commands: no telemetry, no colours. */
export function plainEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {...process.env, OBSERVABLE_TELEMETRY_DISABLE: "true", NO_COLOR: "1"};
  delete env.FORCE_COLOR;
  return env;
}

/** Makes the copy in a new temporary folder named `prefix`…; returns its path. */
export function makeProjectCopy(prefix: string): string {
  const copy = mkdtempSync(join(tmpdir(), prefix));
  for (const file of projectFiles()) {
    mkdirSync(dirname(join(copy, file)), {recursive: true});
    cpSync(join(project, file), join(copy, file), {preserveTimestamps: true});
  }
  symlinkSync(join(project, "node_modules"), join(copy, "node_modules"));
  // The caches spare the copy the model conversion and the other datasets' activations (timestamps kept, so
  // Framework takes the outputs as fresh as they are here).
  for (const cache of [join("src", ".observablehq", "cache"), ".cache"]) {
    if (existsSync(join(project, cache))) cpSync(join(project, cache), join(copy, cache), {recursive: true, preserveTimestamps: true});
  }
  return copy;
}

/** Runs `npm run build`'s script in the copy; returns its exit code and everything it printed. */
export function buildCopy(copy: string): {status: number | null; output: string} {
  const r = spawnSync(process.execPath, ["--import", "tsx", join("scripts", "build.ts")], {cwd: copy, encoding: "utf8", env: plainEnv(), maxBuffer: 1 << 26});
  return {status: r.status, output: `${r.stdout}${r.stderr}`};
}

/** The copy's built image table of `dataset`. */
export function builtImages(copy: string, dataset: string) {
  return readImageTable(builtFile(dataset, "images", join(copy, "dist")));
}
