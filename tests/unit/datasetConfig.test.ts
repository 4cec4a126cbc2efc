import assert from "node:assert/strict";
import {test} from "node:test";
import {imageId, parseDatasetConfig} from "../../src/core/datasetConfig.js";

const good = {
  name: "pets", title: "Pets", description: "Cats and dogs", model: "inception_v3", layers: ["mixed4"],
  images: [{file: "cat.jpg", credit: "me", licence: "CC0-1.0"}]
};
const parse = (o: unknown) => parseDatasetConfig(JSON.stringify(o), "datasets/pets/dataset.json");

test("parseDatasetConfig accepts a minimal config", () => {
  assert.deepEqual(parse(good), good);
  assert.deepEqual(parse({...good, sizePolicy: {kind: "square", size: 224}}).sizePolicy, {kind: "square", size: 224});
});

test("parseDatasetConfig names the file and the bad field", () => {
  assert.throws(() => parseDatasetConfig("{oops", "datasets/pets/dataset.json"), /datasets\/pets\/dataset.json: not valid JSON/);
  assert.throws(() => parse([]), /expected a JSON object/);
  assert.throws(() => parse({...good, title: ""}), /"title" must be a non-empty string/);
  assert.throws(() => parse({...good, name: "My Pets"}), /"name" must use lowercase letters/);
  assert.throws(() => parse({...good, layers: []}), /"layers" must be a non-empty array/);
  assert.throws(() => parse({...good, images: [{file: "cat.txt", credit: "x", licence: "y"}]}), /images\[0\].file "cat.txt" must be a file name/);
  assert.throws(() => parse({...good, images: [{file: "../cat.jpg", credit: "x", licence: "y"}]}), /images\[0\].file/);
  assert.throws(() => parse({...good, images: [good.images[0], good.images[0]]}), /listed twice/);
  assert.throws(() => parse({...good, images: [{file: "cat.jpg", licence: "y"}]}), /"images\[0\].credit" must be a non-empty string/);
  assert.throws(() => parse({...good, sizePolicy: {kind: "huge"}}), /sizePolicy.kind/);
});

test("imageId drops the extension", () => {
  assert.equal(imageId("darknet-dog.jpg"), "darknet-dog");
  assert.equal(imageId("a.b.png"), "a.b");
});
