// How users' uploads (uploadStore.ts) join a bundled set on a page: watch the store, decode the uploads'
// JPEGs for drawing, and add their activations at a layer to the similarity worker's copy of that layer
// (they are appended after the set's images, coded with the layer file's step). Reading the store fetches
// nothing: it is this browser's IndexedDB.
import type {DecodedImage} from "./decodeImages.js";
import type {LoadedLayer} from "./layerLoader.js";
import {uploadStore, type UploadRecord} from "./uploadStore.js";

/** An upload ready to draw beside the set's images. */
export interface UploadedImage extends DecodedImage {
  upload: UploadRecord;
}

/**
 * Calls `notify` with the uploads made with `model` now and after every change; returns the function that
 * stops watching (for Observable's Generators.observe). A browser without storage gives no uploads.
 */
export function watchUploads(model: string, notify: (records: UploadRecord[]) => void): () => void {
  let stop = () => {};
  let stopped = false;
  uploadStore().then(
    (store) => {
      if (stopped) return;
      const send = () => void store.list(model).then(notify, () => notify([]));
      stop = store.subscribe(send);
      send();
    },
    () => notify([])
  );
  return () => {
    stopped = true;
    stop();
  };
}

/** Decodes the uploads' JPEGs; their object URLs are revoked when `invalidation` resolves. */
export async function decodeUploads(records: readonly UploadRecord[], invalidation?: Promise<unknown>): Promise<UploadedImage[]> {
  const images = await Promise.all(
    records.map(async (upload): Promise<UploadedImage> => ({
      id: upload.name.length > 40 ? `${upload.name.slice(0, 39)}…` : upload.name,
      file: upload.name,
      width: upload.width,
      height: upload.height,
      originalWidth: upload.originalWidth,
      originalHeight: upload.originalHeight,
      credit: `Your image: ${upload.name}`,
      licence: "yours; it stays in this browser",
      bitmap: await createImageBitmap(upload.jpeg),
      url: URL.createObjectURL(upload.jpeg),
      upload
    }))
  );
  invalidation?.then(() => {
    for (const image of images) URL.revokeObjectURL(image.url), image.bitmap.close();
  });
  return images;
}

/** A layer with uploads added: `uploads` are those included, in the order of the added images. */
export interface JoinedLayer extends LoadedLayer {
  uploads: UploadRecord[];
}

/**
 * Adds the uploads' activations at `layer` to the worker's copy of `loaded` (replacing earlier additions)
 * and returns the layer with its new summary. An upload stored without that layer is left out.
 */
export async function joinUploads(loaded: LoadedLayer, records: readonly UploadRecord[], layer: string): Promise<JoinedLayer> {
  if (!records.length && loaded.summary.added === 0) return {...loaded, uploads: []};
  const store = await uploadStore();
  const found = await Promise.all(records.map((r) => store.layer(r.id, layer)));
  const uploads = records.filter((_, i) => found[i]);
  const images = found.flatMap((f) => (f ? [{grid: f.grid, values: f.values}] : []));
  const summary = await loaded.client.setAdded(loaded.key, images);
  return {...loaded, summary, uploads};
}
