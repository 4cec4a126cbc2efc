// A set's matrix factors at one layer with k factors, the snapshot the factors page shows on load (see
// src/core/factors.ts for the schema, data-loaders/factors.ts for which ones are built).
import {param, runLoader} from "../../../../data-loaders/runLoader.js";
import {factorsArrow} from "../../../../data-loaders/factors.js";

await runLoader(() => factorsArrow(param("dataset"), param("layer"), Number(param("k"))));
