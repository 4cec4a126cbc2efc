// npm run dev [-- preview options]: Framework's preview server, plus two things it cannot do by itself. It
// reruns a loader only when the loader's own file changes, so a worker bundle (src/w/[worker].js.ts) would
// not notice edits to workers/ or to the src/core/ modules the workers import. This touches the loader
// whenever those change; preview then rebundles and reloads the page.
//
// Likewise preview reads observablehq.config.ts again only when that file changes, and the config is what
// notices edited dataset folders (it deletes a changed dataset's cached outputs and rewrites the list of
// datasets). So an edit under datasets/ touches the config: preview reloads open pages, rereads the config,
// and reruns the changed dataset's loaders as the page asks for its files.
import {spawn} from "node:child_process";
import {utimesSync, watch} from "node:fs";
import {delimiter, join} from "node:path";

const root = join(import.meta.dirname, "..");
const workerLoader = join(root, "src", "w", "[worker].js.ts");
const config = join(root, "observablehq.config.ts");

/** Sets a file's modification time to now, the change Framework's preview watches for. */
function touch(path: string): void {
  const now = new Date();
  utimesSync(path, now, now);
}

for (const dir of ["workers", join("src", "core")]) {
  watch(join(root, dir), {recursive: true}, (_event, file) => {
    if (file?.endsWith(".ts")) touch(workerLoader);
  }).on("error", (error) => console.error(`npm run dev: no longer watching ${dir}/ (${error.message}); restart it after editing there`));
}

// An edit often writes several files (images, then dataset.json): touch the config once they settle.
let datasetsTimer: NodeJS.Timeout | undefined;
watch(join(root, "datasets"), {recursive: true}, () => {
  clearTimeout(datasetsTimer);
  datasetsTimer = setTimeout(() => touch(config), 300);
}).on("error", (error) => console.error(`npm run dev: no longer watching datasets/ (${error.message}); restart it after editing a dataset`));

// Framework runs .ts loaders with the tsx on PATH; npm run puts node_modules/.bin there, plain node does not.
const env = {...process.env, PATH: `${join(root, "node_modules", ".bin")}${delimiter}${process.env.PATH ?? ""}`};
const preview = spawn(join(root, "node_modules", ".bin", "observable"), ["preview", ...process.argv.slice(2)], {cwd: root, env, stdio: "inherit"});
preview.on("exit", (code) => process.exit(code ?? 1));
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => preview.kill(signal));
// Never leave preview running without this script (it would keep the port and the terminal's output).
process.on("exit", () => preview.exitCode === null && preview.kill("SIGTERM"));
