// Reads the TensorFlow.js Keras models shipped inside the npm package nsfwjs: dist/models/<id>/model.min.js
// (a UMD/CommonJS module exporting the model.json object) and group1-shardNofM.min.js (each exporting
// that shard's weight bytes as one base64 string).
import {readFileSync} from "node:fs";
import {createRequire} from "node:module";
import {dirname, join} from "node:path";
import {parseKerasModel, type KerasModel} from "./kerasJson.js";

const require = createRequire(import.meta.url);

/** The nsfwjs models that are Keras layers models (mobilenet_v2_mid is a graph model). */
export type NsfwjsModelId = "inception_v3" | "mobilenet_v2";

function packageRoot(): string {
  // nsfwjs's exports map hides package.json; its CommonJS entry is dist/cjs/index.js.
  return join(dirname(require.resolve("nsfwjs")), "..", "..");
}

/** The installed nsfwjs version, e.g. "4.3.0". */
export function nsfwjsVersion(): string {
  const pkg: unknown = JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8"));
  if (typeof pkg !== "object" || pkg === null || !("version" in pkg) || typeof pkg.version !== "string") {
    throw new Error("nsfwjs/package.json has no version");
  }
  return pkg.version;
}

/** Directory holding model.min.js and the weight shards of one model. */
export function nsfwjsModelDir(id: NsfwjsModelId): string {
  return join(packageRoot(), "dist", "models", id);
}

function loadModule(path: string): unknown {
  const value: unknown = require(path);
  delete require.cache[require.resolve(path)]; // the shards are megabytes of base64: do not keep them
  return value;
}

export interface NsfwjsModelFiles {
  model: KerasModel;
  /** All weight shards concatenated, in manifest order. */
  weightData: Uint8Array;
}

/** Reads and decodes one nsfwjs Keras model: topology, weight manifest and weight bytes. */
export function readNsfwjsModel(id: NsfwjsModelId): NsfwjsModelFiles {
  const dir = nsfwjsModelDir(id);
  const json = loadModule(join(dir, "model.min.js"));
  const model = parseKerasModel(json);
  const shards = model.weightPaths.map((path) => {
    const base64 = loadModule(join(dir, `${path}.min.js`));
    if (typeof base64 !== "string") throw new Error(`nsfwjs shard ${id}/${path}.min.js does not export a string`);
    return Buffer.from(base64, "base64");
  });
  const weightData = new Uint8Array(shards.reduce((n, s) => n + s.length, 0));
  let offset = 0;
  for (const s of shards) {
    weightData.set(s, offset);
    offset += s.length;
  }
  return {model, weightData};
}
