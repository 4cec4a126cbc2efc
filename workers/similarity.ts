// The similarity worker: computes similarity overlays off the main thread. Its production API is
// similarity/api.ts (layers loaded once, compute, top, uploads added); the layer files it has read are
// decoded once and shared by every kind of compute (similarity/layerFiles.ts); similarity/bench.ts adds the
// benchmark's timing of the bare loop.
import {expose} from "comlink";
import {similarityApi} from "./similarity/api.js";
import {benchApi} from "./similarity/bench.js";
import {transformsApi} from "./similarity/transforms.js";

export type {TransformSummary} from "../src/core/transformSummary.js";
export type {AddedImage, AddedRef, ComputedImage, ComputeReply, LayerSummary} from "./similarity/api.js";

const api = {...similarityApi, ...benchApi, ...transformsApi};

/** The worker's interface, for Comlink's wrap<SimilarityApi>(). */
export type SimilarityApi = typeof api;

expose(api);
