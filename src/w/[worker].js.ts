// Bundles workers/<worker>.ts, with everything it imports, into one browser ES module. Framework serves only
// files under src/, so each worker reaches the site through this loader: a page asks for
// FileAttachment("w/layerInfo.js") and gets the bundle of workers/layerInfo.ts.
import {build} from "esbuild";
import {existsSync} from "node:fs";
import {fileURLToPath} from "node:url";
import {param, runLoader} from "../../data-loaders/runLoader.js";

await runLoader(async () => {
  // Find the worker's source; the name comes from the URL, so accept plain names only.
  const name = param("worker");
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(name)) throw new Error(`invalid worker: ${name}`);
  const entry = fileURLToPath(new URL(`../../workers/${name}.ts`, import.meta.url));
  if (!existsSync(entry)) throw new Error(`invalid worker: ${name} (no file workers/${name}.ts)`);

  // Bundle it for the browser, in memory.
  const result = await build({entryPoints: [entry], bundle: true, format: "esm", platform: "browser", target: "es2022", minify: true, write: false, logLevel: "silent"});
  return result.outputFiles[0].contents;
});
