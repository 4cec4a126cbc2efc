// npm run dev [-- preview options]: Framework's preview server, plus one thing it cannot do by itself. It
// reruns a loader only when the loader's own file changes, so a worker bundle (src/w/[worker].js.ts) would
// not notice edits to workers/ or to the src/core/ modules the workers import. This touches the loader
// whenever those change; preview then rebundles and reloads the page.
import {spawn} from "node:child_process";
import {utimesSync, watch} from "node:fs";
import {delimiter, join} from "node:path";

const root = join(import.meta.dirname, "..");
const workerLoader = join(root, "src", "w", "[worker].js.ts");

for (const dir of ["workers", join("src", "core")]) {
  watch(join(root, dir), {recursive: true}, (_event, file) => {
    if (!file?.endsWith(".ts")) return;
    const now = new Date();
    utimesSync(workerLoader, now, now);
  });
}

// Framework runs .ts loaders with the tsx on PATH; npm run puts node_modules/.bin there, plain node does not.
const env = {...process.env, PATH: `${join(root, "node_modules", ".bin")}${delimiter}${process.env.PATH ?? ""}`};
const preview = spawn(join(root, "node_modules", ".bin", "observable"), ["preview", ...process.argv.slice(2)], {cwd: root, env, stdio: "inherit"});
preview.on("exit", (code) => process.exit(code ?? 1));
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => preview.kill(signal));
