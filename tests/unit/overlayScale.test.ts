import assert from "node:assert/strict";
import {test} from "node:test";
import {describeScale, formatRange, formatValue, kindLabel, scaleDomains} from "../../src/components/overlay/overlayScale.js";

const values = Float32Array.of(0.2, 0.9, 0.5, /* image 1 */ 0.1, 0.3, /* image 2 */ 1);
const cellStart = Int32Array.of(0, 3, 5, 6);

test("scaleDomains fixed gives every image the fixed domain", () => {
  assert.deepEqual([...scaleDomains(values, cellStart, "fixed", [0, 1], new Float64Array(6))], [0, 1, 0, 1, 0, 1]);
});

test("scaleDomains set stretches every image to the set's min–max", () => {
  const out = scaleDomains(values, cellStart, "set", [0, 1], new Float64Array(6));
  assert.deepEqual([...out].map((v) => Math.round(v * 100) / 100), [0.1, 1, 0.1, 1, 0.1, 1]);
});

test("scaleDomains image stretches each image to its own min–max", () => {
  const out = scaleDomains(values, cellStart, "image", [0, 1], new Float64Array(6));
  assert.deepEqual([...out].map((v) => Math.round(v * 100) / 100), [0.2, 0.9, 0.1, 0.3, 1, 1]);
});

test("scaleDomains checks the output size and the mode", () => {
  assert.throws(() => scaleDomains(values, cellStart, "set", [0, 1], new Float64Array(4)), /domains hold 2 images, need 3/);
  assert.throws(() => scaleDomains(values, cellStart, "log" as never, [0, 1], new Float64Array(6)), /invalid scale mode: log/);
});

test("describeScale says what the colour bar's numbers are", () => {
  assert.equal(describeScale("cosine", "fixed", [0, 1]), "cosine similarity, fixed scale 0–1");
  assert.equal(describeScale("cosine", "set", [0.2134, 0.97]), "cosine similarity, stretched to this set's min–max: 0.21–0.97");
  assert.equal(describeScale("cosine", "image", [0.05, 1], "chelsea"), "cosine similarity, stretched to each image's own min–max (chelsea: 0.05–1.00)");
  assert.equal(describeScale("dot", "fixed", [0, 1234.5]), "dot product, fixed scale 0 to the largest ‖v‖², 0–1235");
  assert.equal(describeScale("euclidean", "fixed", [-48.2, 0]), "negative Euclidean distance, fixed scale −√2·max ‖v‖ to 0, −48.2 to 0");
  // A signed layer says so, with its own fixed bounds.
  assert.equal(describeScale("cosine", "fixed", [-1, 1], "x", true), "cosine similarity, fixed scale −1 to 1 (signed layer: below 0 points away)");
  assert.equal(describeScale("dot", "fixed", [-9, 9], "x", true), "dot product, fixed scale ± the largest ‖v‖², −9.00 to 9.00 (signed layer: below 0 points away)");
  assert.equal(describeScale("cosine", "set", [-0.5, 1], "x", true), "cosine similarity, stretched to this set's min–max: −0.50 to 1.00 (signed layer: below 0 points away)");
});

test("formatValue and formatRange", () => {
  assert.equal(formatValue("cosine", 0.4567), "0.46");
  assert.equal(formatValue("dot", 3.14159), "3.14");
  assert.equal(formatValue("euclidean", -12.345), "−12.3");
  assert.equal(formatValue("cosine", NaN), "–");
  assert.equal(formatRange("cosine", [0.1, 0.9]), "0.10–0.90");
  assert.equal(formatRange("euclidean", [-30, -2]), "−30.0 to −2.00");
  assert.equal(kindLabel("euclidean"), "negative Euclidean distance");
});
