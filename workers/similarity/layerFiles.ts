// The layer files a worker has read, each fetched and decoded once for the worker's life (a page starts one
// similarity worker), whatever kinds of compute use it: similarity overlays (api.ts) today, others (NMF,
// say) by calling layerFile() with the same URL. Decoding gives the codes and norms the kernels read.
import {readLayerTable, type LayerData} from "../../src/core/layerTable.js";

/** A decoded layer file and its size in bytes. */
export interface LayerFile {
  data: LayerData;
  bytes: number;
}

const files = new Map<string, Promise<LayerFile>>();

/** The decoded file at `url`: fetched on the first call only; a failed fetch is tried again next time. */
export function layerFile(url: string): Promise<LayerFile> {
  let file = files.get(url);
  if (!file) {
    file = fetch(url).then(async (response) => {
      if (!response.ok) throw new Error(`could not load ${url}: HTTP ${response.status}`);
      const buffer = await response.arrayBuffer();
      return {data: readLayerTable(buffer), bytes: buffer.byteLength};
    });
    file.catch(() => files.delete(url));
    files.set(url, file);
  }
  return file;
}

/** How many different files have been fetched (for tests: a second consumer must not fetch again). */
export function layerFilesFetched(): number {
  return files.size;
}
