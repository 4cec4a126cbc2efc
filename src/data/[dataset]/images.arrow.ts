// The images of one dataset, as the model saw them (see src/core/imageTable.ts).
import {param, runLoader} from "../../../data-loaders/runLoader.js";
import {imagesArrow} from "../../../data-loaders/snapshot.js";

await runLoader(() => imagesArrow(param("dataset")));
