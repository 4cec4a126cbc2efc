// npm run bench [-- DATASET]: speed and size measurements, each against a baseline measured in the same
// process. `npm run bench -- uploads` runs only the live-upload tables (speed and memory);
// `npm run bench -- snapshot [DATASET]` only the whole-dataset snapshot table; `npm run bench -- nmf` only
// the matrix-factor table; `npm run bench -- hover` only the hover table; `npm run bench -- encoding` only
// the bytes and cosine errors of the stored codes (InceptionV3's unsigned layers, MobileNetV2's signed ones);
// `npm run bench -- first-upload` only the cold first upload by stage (also part of -- uploads).
import {benchEncoding} from "./encoding.js";
import {benchFirstUpload} from "./firstUpload.js";
import {benchHover} from "./hover.js";
import {benchLoader, benchSnapshot} from "./loader.js";
import {benchNmf} from "./nmf.js";
import {printTable} from "./table.js";
import {benchUploads, benchUploadsMemory} from "./uploads.js";

const only = ["uploads", "snapshot", "nmf", "hover", "encoding", "first-upload"].includes(process.argv[2] ?? "") ? process.argv[2] : null;
const dataset = (only ? process.argv[3] : process.argv[2]) ?? "animals";

async function snapshotTable() {
  const snapshot = await benchSnapshot(dataset);
  printTable(
    `Snapshot of ${dataset} at all its layers from a cold cache (loaders called in turn in one process; best of 3, as before and as processes: 1 run), against one bare onnxruntime-node pass over the same images to the deepest layer`,
    snapshot.rows,
    snapshot.notes
  );
}

async function nmfTable() {
  const {title, rows, notes} = await benchNmf(dataset, "mixed4", 4);
  printTable(title, rows, notes);
}

async function hoverTable() {
  printTable(
    "Hover → overlay painted at mixed4 in headless Chromium (objects set: 12 images, and ×9 = 108, on Across images; 12 on Matrix factors, the pointer on the factor pictures), 180 hovers after 20 untimed, against the bare cosine loop timed in a worker of the same page",
    await benchHover()
  );
}

async function encodingTable() {
  printTable(
    `Stored bytes per image-layer against float32, and cosine error of the codes (${dataset}, all pairs of 600 sampled cells): InceptionV3's layers (after ReLUs, unsigned codes), then MobileNetV2's residual sums (signed codes) and its last ReLU`,
    [
      ...(await benchEncoding(dataset, ["mixed0", "mixed2", "mixed4", "mixed5", "mixed8"])),
      ...(await benchEncoding(dataset, ["block_2_add", "block_5_add", "block_9_add", "block_15_add", "out_relu"], {modelId: "mobilenet_v2"}))
    ]
  );
}

if (only === "snapshot") await snapshotTable();
if (only === "encoding") await encodingTable();
if (only === "nmf") await nmfTable();
if (only === "hover") await hoverTable();
if (!only) {
  printTable(`Loader throughput, ${dataset}/mixed4 (best of 3), against a bare onnxruntime-node loop`, await benchLoader(dataset, "mixed4"));
  await snapshotTable();
  await encodingTable();
  await hoverTable();
  await nmfTable();
}
async function firstUploadTable(root?: string) {
  printTable(
    `Cold first upload through the page (fresh Chromium profile, ${root ?? "dist/"} on localhost, Across images, skimage-chelsea.png), by the stages the panel shows; median of 3`,
    await benchFirstUpload({root})
  );
}

if (only === "first-upload") await firstUploadTable(process.argv[3]);
if (!only || only === "uploads") {
  await firstUploadTable();
  const uploads = await benchUploads();
  printTable(
    "Live uploads: one image (skimage-chelsea.png) through InceptionV3 to mixed4 at 299×299, built worker in headless Chromium (median and best of 7 after 5 untimed runs; WebGPU on SwiftShader once, as a correctness check) against onnxruntime-node (× node) and TensorFlow.js's wasm backend on the original Keras model in the same Chromium (× TF.js: against its fastest row)",
    uploads.rows,
    uploads.notes
  );
  const memory = await benchUploadsMemory();
  printTable("Live uploads: memory over 100 uploads in a row (the animals set in turn), after a forced GC", memory.rows, memory.notes);
}
