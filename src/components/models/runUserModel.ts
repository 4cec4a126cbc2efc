// Runs a user's own model (picked in ModelPicker) over the page's images in the browser and installs each
// chosen layer in the similarity worker. Images: the bundled set's pictures (their PNGs, at the set's model
// input size) and the user's uploads (the PNG each was stored with). Each goes through the uploads worker's
// embed() (the build's path: planInput → cropResize → 8-bit RGB → toInputTensor → tap session → toCellMajor), one at a
// time, with a progress bar; the picture shown is the one the model saw. Then every layer's values, all
// images together, become one 8-bit table in the similarity worker (loadValues): signed codes for a layer
// with values below zero, unsigned otherwise (quantize.ts). A layer that fails is named with its message;
// the others are shown.
import type {LayerSummary, SimilarityApi} from "../../../workers/similarity.js";
import type {Backend} from "../../../workers/uploads.js";
import {oneChannelNote, userLayerInfo} from "../../core/userModel.js";
import type {DecodedImage} from "../images/decodeImages.js";
import type {PickedModel} from "./ModelPicker.js";
import {SimilarityClient} from "../clients/similarityClient.js";
import type {WorkerHandle} from "../clients/startWorker.js";
import {releaseImage, uploadedImageInfo} from "../uploads/uploadsJoin.js";
import {describeBackend, type UploadsClient} from "../clients/uploadsWorkerClient.js";
import type {UploadRecord} from "../uploads/uploadStore.js";
import {isolateName} from "../../core/imageFile.js";

/** One layer of a run: installed (key, summary, client), or refused with a message. */
export type RunLayer =
  | {name: string; opType: string; key: string; summary: LayerSummary; client: SimilarityClient; error?: undefined}
  | {name: string; opType: string; error: string; key?: undefined};

/** What a run produced. */
export interface UserModelRun {
  /** The pictures as the model saw them, bundled images first, then uploads. */
  images: DecodedImage[];
  layers: RunLayer[];
  backend: Backend;
  numThreads: number;
  /** Mean milliseconds per image: the whole embed() and its model run alone. */
  msPerImage: number;
  inferencePerImage: number;
}

/** The progress view: a bar, a status line and messages. */
export type RunProgressNode = HTMLElement & {bar: HTMLProgressElement; status: HTMLElement; errors: HTMLElement};

export function RunProgress(): RunProgressNode {
  const root = document.createElement("div") as unknown as RunProgressNode;
  root.className = "model-run";
  root.dataset.testid = "model-run-progress";
  root.bar = Object.assign(document.createElement("progress"), {max: 1, value: 0});
  root.bar.hidden = true;
  root.status = Object.assign(document.createElement("p"), {className: "model-status"});
  root.status.dataset.testid = "model-run-status";
  root.status.setAttribute("aria-live", "polite");
  root.status.textContent = "Pick a model and press Run.";
  root.errors = Object.assign(document.createElement("ul"), {className: "model-errors"});
  root.errors.dataset.testid = "model-run-errors";
  root.append(root.bar, root.status, root.errors);
  return root;
}

let runCount = 0;
/** The layer keys and pictures of recent runs, oldest first. A run's are freed two runs later, when no figure
 * can still ask for them (the previous run's figure stays on screen while the next run computes). */
const recent: Array<{keys: string[]; images: DecodedImage[]}> = [];

/** Options of runUserModel. */
export interface RunOptions {
  picked: PickedModel;
  /** The set's images (their `url` is an object URL of the PNG) and its name. */
  images: readonly DecodedImage[];
  dataset: string;
  uploads: readonly UploadRecord[];
  models: UploadsClient;
  similarity: WorkerHandle<SimilarityApi>;
  progress: RunProgressNode;
  /** Stops the run between images (the cell's invalidation). */
  invalidation?: Promise<unknown>;
}

function say(progress: RunProgressNode, message: string) {
  const item = document.createElement("li");
  item.textContent = message;
  progress.errors.append(item);
}

/** Runs the picked model on every image; null when the run failed or was superseded (the message is shown). */
export async function runUserModel({picked, images, dataset, uploads, models, similarity, progress, invalidation}: RunOptions): Promise<UserModelRun | null> {
  let stopped = false;
  const made: DecodedImage[] = [];
  invalidation?.then(() => {
    stopped = true;
  });
  const {spec, file} = picked;
  progress.errors.replaceChildren();
  progress.bar.hidden = false;
  const sources: Array<{blob: () => Promise<Blob>; image: Omit<DecodedImage, "bitmap" | "url" | "width" | "height">}> = [
    ...images.map(({bitmap: _b, url, ...image}) => ({blob: () => fetch(url).then((r) => r.blob()), image})),
    ...uploads.map((u) => ({
      blob: async () => u.png,
      image: uploadedImageInfo(u)
    }))
  ];
  const total = sources.length;
  // One step per image, then one per layer (coding it and installing it in the similarity worker).
  progress.bar.max = total + spec.layers.length;
  progress.bar.value = 0;
  try {
    progress.status.textContent = `Loading ${isolateName(file.name)}…`;
    const ready = await models.initModel(file, {spec, outputs: spec.layers.map((l) => l.output), name: file.name});
    const where = describeBackend(ready.backend, ready.numThreads);
    const values = new Map(spec.layers.map((l) => [l.name, [] as Array<{grid: {width: number; height: number}; values: Float32Array}>]));
    let ms = 0;
    let inference = 0;
    for (let i = 0; i < total; ++i) {
      if (stopped) return release(made);
      progress.status.textContent = `Running ${isolateName(file.name)} on ${where}: image ${i + 1} of ${total}…`;
      const {blob, image} = sources[i]!;
      const embedding = await models.embed(await blob(), {name: image.file});
      ms += embedding.ms.total;
      inference += embedding.ms.inference;
      for (const layer of spec.layers) values.get(layer.name)!.push({grid: embedding.layers[layer.name]!.grid, values: embedding.layers[layer.name]!.values});
      const bitmap = await createImageBitmap(embedding.png);
      made.push({...image, width: embedding.width, height: embedding.height, bitmap, url: URL.createObjectURL(embedding.png)});
      progress.bar.value = i + 1;
    }
    if (stopped) return release(made);
    const id = ++runCount;
    const layers: RunLayer[] = [];
    for (const [k, layer] of spec.layers.entries()) {
      if (stopped) return release(made);
      progress.status.textContent = `Coding layer ${k + 1} of ${spec.layers.length}: ${layer.name}…`;
      progress.bar.value = total + k;
      const opType = picked.opTypes[layer.output] ?? "";
      const key = `user/${id}/${dataset}/${layer.name}`;
      const client = new SimilarityClient(similarity);
      try {
        const summary = await client.loadValues(key, userLayerInfo(spec, layer), values.get(layer.name)!, opType);
        layers.push({name: layer.name, opType, key, summary, client});
        if (layer.channels === 1) say(progress, oneChannelNote(layer.name, opType));
      } catch (e) {
        const message = (e as Error).message;
        layers.push({name: layer.name, opType, error: message});
        say(progress, message);
      }
    }
    const per = (x: number) => x / Math.max(1, total);
    progress.status.textContent = `Done: ${total} image${total === 1 ? "" : "s"} through ${isolateName(file.name)} on ${where}, ${per(ms).toFixed(1)} ms per image (${per(inference).toFixed(1)} ms of it the model run).`;
    progress.status.dataset.backend = ready.backend;
    progress.status.dataset.msPerImage = per(ms).toFixed(2);
    recent.push({keys: layers.flatMap((l) => (l.key ? [l.key] : [])), images: made});
    while (recent.length > 2) {
      const old = recent.shift()!;
      for (const key of old.keys) void similarity.remote.unload(key);
      release(old.images);
    }
    return {images: made, layers, backend: ready.backend, numThreads: ready.numThreads, msPerImage: per(ms), inferencePerImage: per(inference)};
  } catch (e) {
    if (!stopped) {
      progress.status.textContent = "The run failed.";
      say(progress, (e as Error).message);
    }
    return release(made);
  } finally {
    // Ready for the next run: the bar is empty and hidden until it starts.
    progress.bar.hidden = true;
    progress.bar.value = 0;
  }
}

/** Frees the pictures of a run that did not finish. */
function release(images: readonly DecodedImage[]): null {
  images.forEach(releaseImage);
  return null;
}
