// The model description file: the ModelSpec plus each layer's grid at the default input size, measured
// by running the model once (shapes are not typed by hand anywhere). A bundled model's layers are its graph
// outputs; a dataset's own model is tapped at them (src/core/tapSession.ts).

import {createHash} from "node:crypto";
import * as ort from "onnxruntime-node";
import type {ModelSpec} from "../../src/core/modelSpec.js";
import {planInput} from "../../src/core/sizePolicy.js";
import {createTapSession} from "../../src/core/tapSession.js";
import {loadModelById} from "../ownModel.js";

/** ModelSpec of model `id` with `grid` filled in for every layer. */
export async function describeModel(id: string): Promise<ModelSpec> {
  const {bytes, spec} = await loadModelById(id);
  const {width, height} = planInput(spec.sizePolicy, 1000, 1000);
  const session = await createTapSession(ort, bytes, spec.layers.map((l) => l.output), undefined, `${id}.onnx`);
  try {
    const dims = spec.input.layout === "NCHW" ? [1, 3, height, width] : [1, height, width, 3];
    const out = await session.run(new Float32Array(3 * width * height), dims);
    return {
      ...spec,
      sha256: createHash("sha256").update(bytes).digest("hex"),
      layers: spec.layers.map((layer) => {
        const d = out.get(layer.output)!.dims;
        const [h, w] = layer.layout === "NCHW" ? [d[2], d[3]] : [d[1], d[2]];
        return {...layer, grid: {width: w, height: h}};
      })
    };
  } finally {
    await session.dispose();
  }
}
