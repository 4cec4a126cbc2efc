// npm run bench [-- DATASET]: speed and size measurements, each against a baseline measured in the same
// process. `npm run bench -- uploads` runs only the live-upload tables (speed and memory), `npm run bench --
// nmf` only the matrix-factor table.
import {benchEncoding} from "./encoding.js";
import {benchHover} from "./hover.js";
import {benchLoader} from "./loader.js";
import {benchNmf} from "./nmf.js";
import {printTable} from "./table.js";
import {benchUploads, benchUploadsMemory} from "./uploads.js";

const onlyUploads = process.argv[2] === "uploads";
const onlyNmf = process.argv[2] === "nmf";
const dataset = onlyUploads || onlyNmf ? "animals" : (process.argv[2] ?? "animals");
const nmfTable = async () => {
  const {title, rows, notes} = await benchNmf(dataset, "mixed4", 4);
  printTable(title, rows, notes);
};
if (onlyNmf) {
  await nmfTable();
  process.exit(0);
}
if (!onlyUploads) {
  printTable(`Loader throughput, ${dataset}/mixed4 (best of 3), against a bare onnxruntime-node loop`, await benchLoader(dataset, "mixed4"));
  printTable(
    `Stored bytes per image-layer against float32, and cosine error of the codes (${dataset}, all pairs of 600 sampled cells)`,
    await benchEncoding(dataset, ["mixed0", "mixed2", "mixed4", "mixed5", "mixed8"])
  );
  printTable(
    "Hover → overlay painted at mixed4 in headless Chromium (objects set: 12 images, and ×9 = 108), 180 hovers after 20 untimed, against the bare cosine loop timed in a worker of the same page",
    await benchHover()
  );
  await nmfTable();
}
const uploads = await benchUploads();
printTable(
  "Live uploads: one image (skimage-chelsea.png) through InceptionV3 to mixed4 at 299×299, built worker in headless Chromium (median and best of 7 after 5 untimed runs; WebGPU on SwiftShader once, as a correctness check) against onnxruntime-node (× node) and TensorFlow.js's wasm backend on the original Keras model in the same Chromium (× TF.js: against its fastest row)",
  uploads.rows,
  uploads.notes
);
const memory = await benchUploadsMemory();
printTable("Live uploads: memory over 100 uploads in a row (the animals set in turn), after a forced GC", memory.rows, memory.notes);
