// How users' uploads (uploadStore.ts) join a bundled set on a page: watch the store, decode the uploads'
// PNGs for drawing, and add their activations at a layer to the similarity worker's copy of that layer
// (they are appended after the set's images, coded with the layer file's step). Reading the store fetches
// nothing: it is this browser's IndexedDB.
import type {DecodedImage} from "../images/decodeImages.js";
import type {AddedImage, AddedRef} from "../../../workers/similarity.js";
import type {LoadedLayer} from "../clients/layerLoader.js";
import {uploadStore, type UploadRecord} from "./uploadStore.js";
import {cutName, isolateName} from "../../core/imageFile.js";

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

/**
 * The uploads decoded for drawing, each once per page view: decode() returns the images of a list of
 * uploads, reusing those decoded before, and releases (object URL revoked, bitmap closed) those no longer
 * listed; dispose() releases all.
 */
export class UploadImages {
  private readonly decoded = new Map<string, Promise<UploadedImage>>();

  async decode(records: readonly UploadRecord[]): Promise<UploadedImage[]> {
    const keep = new Set(records.map((r) => r.id));
    for (const [id, image] of this.decoded) if (!keep.has(id)) this.decoded.delete(id), void image.then(releaseImage, () => {});
    return Promise.all(
      records.map((upload) => {
        let image = this.decoded.get(upload.id);
        if (!image) this.decoded.set(upload.id, (image = decodeUpload(upload)));
        return image;
      })
    );
  }

  dispose(): void {
    for (const image of this.decoded.values()) void image.then(releaseImage, () => {});
    this.decoded.clear();
  }
}

/** How an upload is named and credited wherever it is drawn beside the set's images. */
export function uploadedImageInfo(upload: UploadRecord): Omit<DecodedImage, "bitmap" | "url"> {
  return {
    // Names are the user's: isolated (no override can mirror the text around them), cut on whole characters.
    id: isolateName(cutName(upload.name, 40)),
    file: upload.name,
    width: upload.width,
    height: upload.height,
    originalWidth: upload.originalWidth,
    originalHeight: upload.originalHeight,
    credit: `Your image: ${isolateName(upload.name)}`,
    licence: "yours; it stays in this browser"
  };
}

async function decodeUpload(upload: UploadRecord): Promise<UploadedImage> {
  return {...uploadedImageInfo(upload), bitmap: await createImageBitmap(upload.png), url: URL.createObjectURL(upload.png), upload};
}

/** Frees a picture decoded for drawing: its object URL and its bitmap. */
export function releaseImage(image: Pick<DecodedImage, "url" | "bitmap">): void {
  URL.revokeObjectURL(image.url);
  image.bitmap.close();
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
  // The worker keeps what it was sent; only new uploads' activations are read from the store and sent.
  const sent = new Set(loaded.summary.addedIds);
  const store = await uploadStore();
  const found = await Promise.all(
    records.map(async (r): Promise<AddedImage | AddedRef | null> => {
      if (sent.has(r.id)) return {id: r.id};
      const stored = await store.layer(r.id, layer);
      return stored ? {id: r.id, grid: stored.grid, values: stored.values} : null;
    })
  );
  const uploads = records.filter((_, i) => found[i]);
  const images = found.filter((f): f is AddedImage | AddedRef => f !== null);
  const summary = await loaded.client.setAdded(loaded.key, images);
  loaded.summary = summary; // later joins of this layer start from what the worker now holds
  return {...loaded, summary, uploads};
}
