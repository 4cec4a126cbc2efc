// npm run build: Framework's build, made safe to run over a working site. Framework empties its output folder
// before it builds, so a failed build would leave dist/ without pages; this builds into a staging folder
// beside dist/ and puts it in dist/'s place only when the build succeeds. A failed build ends with our own
// message (the first loader error, paths relative to the project) instead of Framework's bug-report line.
// Framework's progress lines pass through as they come.
import {spawn} from "node:child_process";
import {existsSync, renameSync, rmSync} from "node:fs";
import {delimiter, join, relative} from "node:path";
import {createInterface} from "node:readline";

const root = join(import.meta.dirname, "..");
const dist = join(root, "dist");
const staging = join(root, `dist.staging-${process.pid}`);

/** Lines of Framework's own closing block after a failure: replaced by our message. */
const frameworkClosing = [/^Unexpected error: /, /^Tip: To see the full stack trace/, /^If you think this is a bug/, /^↳ https:\/\/github\.com\/observablehq\//];

// eslint-disable-next-line no-control-regex
const plain = (line: string) => line.replace(/\x1b\[[0-9;]*m/g, "");
/** A line with the project's absolute path taken out, so it names files as datasets/…, src/…. */
const relativePaths = (line: string) => line.split(`${root}/`).join("");

let loaderError: string | undefined;
let frameworkError: string | undefined;

/** Copies a stream of the build's output to ours line by line, noting errors and dropping Framework's closing block. */
function relay(stream: NodeJS.ReadableStream, out: NodeJS.WriteStream): Promise<void> {
  const lines = createInterface({input: stream, crlfDelay: Infinity});
  let blanks = 0; // blank lines held back, so that those around Framework's closing block go with it
  lines.on("line", (raw) => {
    const line = relativePaths(raw);
    const text = plain(line);
    const loader = /^error: (.+)$/.exec(text);
    if (loader && !loaderError) loaderError = loader[1];
    const framework = /^Unexpected error: (.+)$/.exec(text);
    if (framework && !frameworkError) frameworkError = framework[1];
    if (frameworkClosing.some((pattern) => pattern.test(text))) return void (blanks = 0);
    if (!text.trim()) return void ++blanks;
    out.write(`${"\n".repeat(blanks)}${line}\n`);
    blanks = 0;
  });
  return new Promise((resolve) => lines.on("close", () => resolve()));
}

// Framework runs .ts loaders with the tsx on PATH; npm run puts node_modules/.bin there, plain node does not.
const env = {
  ...process.env,
  PATH: `${join(root, "node_modules", ".bin")}${delimiter}${process.env.PATH ?? ""}`,
  SIMILARITY_OVERLAYS_OUTPUT: staging,
  ...(process.stdout.isTTY && !process.env.NO_COLOR ? {FORCE_COLOR: "1"} : {})
};
const child = spawn(join(root, "node_modules", ".bin", "observable"), ["build"], {cwd: root, env, stdio: ["ignore", "pipe", "pipe"]});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
const relayed = Promise.all([relay(child.stdout, process.stdout), relay(child.stderr, process.stderr)]);
const code = await new Promise<number>((resolve) => child.on("close", (status) => resolve(status ?? 1)));
await relayed;

if (code === 0 && existsSync(join(staging, "index.html"))) {
  const old = join(root, `dist.old-${process.pid}`);
  if (existsSync(dist)) renameSync(dist, old);
  renameSync(staging, dist);
  rmSync(old, {recursive: true, force: true});
  console.log(`\nBuilt the site into ${relative(process.cwd(), dist) || "."}/.`);
} else {
  rmSync(staging, {recursive: true, force: true});
  const reason = loaderError ?? frameworkError ?? (code === 0 ? "the build wrote no index.html" : `observable build exited with code ${code}`);
  const kept = existsSync(join(dist, "index.html")) ? "dist/ still holds the last good site." : "dist/ holds no site yet.";
  console.error(`\nBuild failed: ${reason}\n${kept} Fix what the message names, then run npm run build again.`);
  process.exitCode = 1;
}
