// The model's ONNX file (converted at build time, see data-loaders/models/), for running it in the browser
// on users' own images (workers/uploads.ts). Downloaded only when a page asks for it: the first upload.
import {loadModelById} from "../../../data-loaders/ownModel.js";
import {param, runLoader} from "../../../data-loaders/runLoader.js";

await runLoader(async () => (await loadModelById(param("model"))).bytes);
