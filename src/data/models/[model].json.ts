// The description of one model: input needs and the layers on offer (see src/core/modelSpec.ts).
import {describeModel} from "../../../data-loaders/models/describe.js";
import {param, runLoader} from "../../../data-loaders/runLoader.js";

await runLoader(async () => JSON.stringify(await describeModel(param("model")), null, 2));
