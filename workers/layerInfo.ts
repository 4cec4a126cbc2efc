// Decodes a layer's Arrow file off the main thread and reports what it holds: the layer's description and
// each image's grid of cells. The page transfers the file's bytes in, so nothing is copied. Layer files
// are LZ4-compressed; readLayerTable brings the codec into the bundle.
import {expose} from "comlink";
import {readLayerTable, type LayerInfo} from "../src/core/layerTable.js";

/** What a layer file holds, without its vectors. */
export interface LayerSummary {
  /** The layer's "layer" metadata: name, channels, stride, receptive field, fine-tuning, grids per image. */
  info: LayerInfo;
  /** Number of cells over all images. */
  cells: number;
  /** Size of the file in bytes. */
  bytes: number;
}

const api = {
  /** Decodes an Arrow layer table (see src/core/layerTable.ts); pass the buffer with Comlink's transfer(). */
  summarize(buffer: ArrayBuffer): LayerSummary {
    const {info, norms} = readLayerTable(buffer);
    return {info, cells: norms.length, bytes: buffer.byteLength};
  }
};

/** The worker's interface, for Comlink's wrap<LayerInfoApi>(). */
export type LayerInfoApi = typeof api;

expose(api);
