// The model description file: the ModelSpec plus each layer's grid at the default input size, measured
// by running the model once (shapes are not typed by hand anywhere).

import * as ort from "onnxruntime-node";
import type {ModelSpec} from "../../src/core/modelSpec.js";
import {planInput} from "../../src/core/sizePolicy.js";
import {loadModel} from "./catalogue.js";

/** ModelSpec of model `id` with `grid` filled in for every layer. */
export async function describeModel(id: string): Promise<ModelSpec> {
  const {bytes, spec} = await loadModel(id);
  const {width, height} = planInput(spec.sizePolicy, 1000, 1000);
  const session = await ort.InferenceSession.create(bytes);
  try {
    const input = new ort.Tensor("float32", new Float32Array(3 * width * height), [1, 3, height, width]);
    const out = await session.run({[spec.input.name]: input}, spec.layers.map((l) => l.output));
    return {
      ...spec,
      layers: spec.layers.map((layer) => {
        const dims = out[layer.output].dims;
        const [h, w] = layer.layout === "NCHW" ? [dims[2], dims[3]] : [dims[1], dims[2]];
        return {...layer, grid: {width: w, height: h}};
      })
    };
  } finally {
    await session.release();
  }
}
