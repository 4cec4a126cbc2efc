// An upload from "Your images" as the source of a transformed set, made and run in the browser: the
// upload's stored model input goes to the uploads worker once per transform (embed() with `transformed`,
// the same transformImage the build uses), and each layer's values are installed in the similarity worker
// with loadValues(), like Your model's runs. Progress goes to a RunProgress node.
import type {ModelSpec} from "../../core/modelSpec.js";
import type {Transform} from "../../core/transforms.js";
import type {SimilarityApi} from "../../../workers/similarity.js";
import {SimilarityClient} from "../clients/similarityClient.js";
import type {WorkerHandle} from "../clients/startWorker.js";
import type {UploadsClient} from "../clients/uploadsClient.js";
import {describeBackend} from "../clients/uploadsWorkerClient.js";
import type {DecodedImage} from "../images/decodeImages.js";
import type {RunProgressNode} from "../models/runUserModel.js";
import {transformLabel} from "../figures/TransformCharts.js";
import type {UploadRecord} from "./uploadStore.js";
import {releaseImage, uploadedImageInfo} from "./uploadsJoin.js";

/** A transformed set made from an upload: its pictures and, per layer, where it is installed. */
export interface TransformedUpload {
  name: string;
  transforms: Transform[];
  images: DecodedImage[];
  layers: Record<string, {key: string; summary: Awaited<ReturnType<SimilarityClient["loadValues"]>>; client: SimilarityClient}>;
}

let runs = 0;

/** Makes the set of `upload` under `transforms` at `layers` of `spec`; null when it failed (the message is shown in `progress`). */
export async function transformUpload({upload, transforms, layers, spec, uploads, similarity, progress}: {
  upload: UploadRecord;
  transforms: Transform[];
  layers: string[];
  spec: ModelSpec;
  uploads: UploadsClient;
  similarity: WorkerHandle<SimilarityApi>;
  progress: RunProgressNode;
}): Promise<TransformedUpload | null> {
  const made: DecodedImage[] = [];
  const info = uploadedImageInfo(upload);
  progress.errors.replaceChildren();
  progress.bar.hidden = false;
  progress.bar.max = transforms.length;
  progress.bar.value = 0;
  try {
    progress.status.textContent = "Loading the model (downloaded once: 10.8 MB, and the 28 MB runtime)…";
    const ready = await uploads.init({outputs: layers, onProgress: (p) => (progress.status.textContent = `Downloading the ${p.file}: ${Math.round((100 * p.loaded) / Math.max(1, p.total ?? p.loaded))} %…`)});
    const where = describeBackend(ready.backend, ready.numThreads);
    const values = new Map(layers.map((l) => [l, [] as Array<{grid: {width: number; height: number}; values: Float32Array}>]));
    for (let i = 0; i < transforms.length; ++i) {
      progress.status.textContent = `${info.id} ${transformLabel(transforms[i])} on ${where}: picture ${i + 1} of ${transforms.length}…`;
      const embedding = await uploads.embed(upload.png, {name: upload.name, sizePolicy: {kind: "fixed", width: upload.width, height: upload.height}, transformed: {transform: transforms[i]}});
      for (const l of layers) values.get(l)!.push({grid: embedding.layers[l]!.grid, values: embedding.layers[l]!.values});
      made.push({...info, id: `${info.id} ${transformLabel(transforms[i])}`, credit: `${info.credit}, ${transformLabel(transforms[i])}`, bitmap: await createImageBitmap(embedding.png), url: URL.createObjectURL(embedding.png)});
      progress.bar.value = i + 1;
    }
    const id = ++runs;
    const installed: TransformedUpload["layers"] = {};
    for (const l of layers) {
      const layer = spec.layers.find((s) => s.name === l)!;
      const client = new SimilarityClient(similarity);
      const key = `transformed-upload/${id}/${l}`;
      installed[l] = {key, client, summary: await client.loadValues(key, {...layer, model: spec.id}, values.get(l)!)};
    }
    progress.status.textContent = `Done: ${transforms.length} pictures of ${info.id} made and run on ${where}, in this browser.`;
    progress.status.dataset.done = "true";
    return {name: info.id, transforms, images: made, layers: installed};
  } catch (error) {
    progress.status.textContent = "Making the set failed.";
    const item = document.createElement("li");
    item.textContent = (error as Error).message;
    progress.errors.append(item);
    made.forEach(releaseImage);
    return null;
  }
}
