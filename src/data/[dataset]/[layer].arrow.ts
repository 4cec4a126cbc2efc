// One layer's activations for every cell of every image of a dataset (see src/core/layerTable.ts).
import {param, runLoader} from "../../../data-loaders/runLoader.js";
import {layerArrow} from "../../../data-loaders/snapshot.js";

await runLoader(() => layerArrow(param("dataset"), param("layer")));
