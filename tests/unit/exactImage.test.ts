// images.arrow's `png` column is the exact image the model saw: decoded by sharp (not our code), normalised
// here by hand and run through onnxruntime-node on the converted model, it gives back the codes the layer
// file stores, within the 8-bit codes' own error.
import assert from "node:assert/strict";
import {spawnSync} from "node:child_process";
import {copyFileSync, mkdirSync, mkdtempSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {test} from "node:test";
import * as ort from "onnxruntime-node";
import sharp from "sharp";
import {loadModel} from "../../data-loaders/models/catalogue.js";
import {readImageTable} from "../../src/core/imageTable.js";
import {readLayerTable} from "../../src/core/layerTable.js";

const root = mkdtempSync(join(tmpdir(), "exact-image-"));
const files = ["skimage-chelsea.png", "darknet-dog.jpg", "gnome-hummingbird.jpg"];
mkdirSync(join(root, "three"));
for (const f of files) copyFileSync(join("datasets", "animals", f), join(root, "three", f));
writeFileSync(join(root, "three", "dataset.json"), JSON.stringify({
  name: "three", title: "three", description: "test", model: "inception_v3", layers: ["mixed4"], sizePolicy: {kind: "square", size: 299},
  images: files.map((file) => ({file, credit: "test", licence: "CC0"}))
}));

function loader(entry: string, args: string[]): Buffer {
  const r = spawnSync(process.execPath, ["--import", "tsx", entry, ...args], {env: {...process.env, DATASETS_DIR: root, ACTIVATION_CACHE_DIR: join(root, "cache")}, maxBuffer: 1 << 28});
  assert.equal(r.status, 0, r.stderr.toString());
  return r.stdout;
}

const cosine = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; ++i) (ab += a[i] * b[i]), (aa += a[i] * a[i]), (bb += b[i] * b[i]);
  return aa && bb ? ab / Math.sqrt(aa * bb) : 0;
};

test("activations recomputed from the stored PNG match the stored mixed4 codes (cosines within 0.01)", async () => {
  const images = readImageTable(loader("src/data/[dataset]/images.arrow.ts", ["--dataset=three"])).images;
  const stored = readLayerTable(loader("src/data/[dataset]/[layer].arrow.ts", ["--dataset=three", "--layer=mixed4"]));
  const C = stored.info.channels;
  const {bytes} = await loadModel("inception_v3");
  const session = await ort.InferenceSession.create(bytes, {intraOpNumThreads: 2});
  let worstSelf = 0, worstPair = 0;
  try {
    for (let i = 0; i < images.length; ++i) {
      // sharp decodes; the model's documented preprocessing ([0, 255] → [−1, 1], RGB, NCHW) is written out here.
      const {data, info} = await sharp(images[i].png).raw().toBuffer({resolveWithObject: true});
      assert.deepEqual([info.width, info.height, info.channels], [images[i].width, images[i].height, 3]);
      const plane = info.width * info.height;
      const input = new Float32Array(3 * plane);
      for (let p = 0; p < plane; ++p) for (let c = 0; c < 3; ++c) input[c * plane + p] = data[p * 3 + c] / 127.5 - 1;
      const out = (await session.run({input: new ort.Tensor("float32", input, [1, 3, info.height, info.width])}, ["mixed4"])).mixed4;
      const [, channels, h, w] = out.dims as number[];
      assert.deepEqual([channels, {width: w, height: h}], [C, stored.info.grids[i]]);
      const t = out.data as Float32Array;
      const cell = (k: number) => Float32Array.from({length: C}, (_, c) => t[c * h * w + k]);
      const code = (k: number) => stored.codes.subarray((stored.cellStart[i] + k) * C, (stored.cellStart[i] + k + 1) * C);
      for (let k = 0; k < w * h; ++k) {
        const recomputed = cell(k);
        if (stored.norms[stored.cellStart[i] + k] === 0) continue;
        worstSelf = Math.max(worstSelf, 1 - cosine(code(k), recomputed));
        // Norms agree too (float32 against float32).
        const norm = Math.hypot(...recomputed);
        assert.ok(Math.abs(norm - stored.norms[stored.cellStart[i] + k]) <= 1e-4 * norm, `image ${i} cell ${k}: norm ${norm} against ${stored.norms[stored.cellStart[i] + k]}`);
      }
      // Cosines between cells, as the app shows them: stored codes against the recomputed vectors.
      for (let a = 0; a < w * h; a += 7) for (let b = 0; b < w * h; b += 11) {
        const fromCodes = cosine(code(a), code(b));
        worstPair = Math.max(worstPair, Math.abs(fromCodes - cosine(cell(a), cell(b))));
      }
    }
  } finally {
    await session.release();
  }
  assert.ok(worstSelf <= 0.01, `largest 1 − cos(stored code, recomputed vector): ${worstSelf}`);
  assert.ok(worstPair <= 0.01, `largest |Δ cosine| between cells: ${worstPair}`);
  console.log(`# 1 − cos(code, recomputed) ≤ ${worstSelf.toExponential(2)}; |Δ cosine| between cells ≤ ${worstPair.toExponential(2)}`);
});
