// Bundles workers/<worker>.ts, with everything it imports, into one browser ES module. Framework serves only
// files under src/, so each worker reaches the site through this loader: a page asks for
// FileAttachment("w/layerInfo.js") and gets the bundle of workers/layerInfo.ts. A variant bundles a worker
// with another build of a package: w/uploadsWasm.js is workers/uploads.ts on onnxruntime-web/wasm (CPU
// only, with the 14 MB binary), for browsers without a WebGPU adapter.
import {build, type Plugin} from "esbuild";
import {existsSync} from "node:fs";
import {fileURLToPath} from "node:url";
import {param, runLoader} from "../../data-loaders/runLoader.js";

/** Bundles made from another worker's source, with some packages replaced by others. */
const variants: Record<string, {worker: string; packages: Record<string, string>}> = {
  uploadsWasm: {worker: "uploads", packages: {"onnxruntime-web": "onnxruntime-web/wasm"}}
};

await runLoader(async () => {
  // Find the worker's source; the name comes from the URL, so accept plain names only.
  const name = param("worker");
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(name)) throw new Error(`invalid worker: ${name}`);
  const variant = variants[name];
  const source = variant?.worker ?? name;
  const entry = fileURLToPath(new URL(`../../workers/${source}.ts`, import.meta.url));
  if (!existsSync(entry)) throw new Error(`invalid worker: ${name} (no file workers/${source}.ts)`);
  // An import of exactly a replaced package resolves to its replacement.
  const replacements = variant?.packages ?? {};
  const swap: Plugin = {
    name: "variant",
    setup(b) {
      b.onResolve({filter: /^[^./]/}, (args) => {
        const to = replacements[args.path];
        return to && args.pluginData !== "variant" ? b.resolve(to, {kind: args.kind, resolveDir: args.resolveDir, pluginData: "variant"}) : undefined;
      });
    }
  };

  // Bundle it for the browser, in memory.
  const result = await build({entryPoints: [entry], plugins: [swap], bundle: true, format: "esm", platform: "browser", target: "es2022", minify: true, write: false, logLevel: "silent"});
  return result.outputFiles[0].contents;
});
