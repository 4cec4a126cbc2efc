// Fetches and decodes each dataset's image table once per page view (see decodeImages.ts), so a picker's
// thumbnails and the figure share one download.
import type {FileAttachment} from "observablehq:stdlib";
import {decodeImages, type DecodedImageSet} from "./decodeImages.js";

/** Returns a function giving dataset `name`'s decoded images, fetching its images.arrow on the first call only. */
export function imageSetLoader(files: Readonly<Record<string, {images: FileAttachment}>>): (name: string) => Promise<DecodedImageSet> {
  const cache = new Map<string, Promise<DecodedImageSet>>();
  return (name) => {
    const file = files[name]?.images;
    if (!file) return Promise.reject(new Error(`invalid dataset: ${name}`));
    let set = cache.get(name);
    if (!set) {
      set = file.arrayBuffer().then(decodeImages);
      set.catch(() => cache.delete(name)); // a failed fetch is retried next time
      cache.set(name, set);
    }
    return set;
  };
}
