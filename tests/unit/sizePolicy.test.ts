import assert from "node:assert/strict";
import {test} from "node:test";
import {checkSizePolicy, planInput} from "../../src/core/sizePolicy.js";

test("planInput square centre-crops the longer side", () => {
  assert.deepEqual(planInput({kind: "square", size: 299}, 768, 576), {crop: {left: 96, top: 0, width: 576, height: 576}, width: 299, height: 299});
  assert.deepEqual(planInput({kind: "square", size: 299}, 300, 451), {crop: {left: 0, top: 75, width: 300, height: 300}, width: 299, height: 299});
});

test("planInput shorterSide keeps the aspect ratio up to max", () => {
  // 600×400 → 448.5 ≈ 449 > 448: crop the width a little.
  const p = planInput({kind: "shorterSide", size: 299, max: 448}, 600, 400);
  assert.equal(p.height, 299);
  assert.equal(p.width, 448);
  assert.equal(p.crop.height, 400);
  assert.ok(Math.abs(p.crop.width / p.crop.height - 448 / 299) < 0.01);
  // 512×512 → 299×299, no crop.
  assert.deepEqual(planInput({kind: "shorterSide", size: 299, max: 448}, 512, 512), {crop: {left: 0, top: 0, width: 512, height: 512}, width: 299, height: 299});
  // Portrait 400×1200 → 299 wide, 448 tall, the middle kept.
  const q = planInput({kind: "shorterSide", size: 299, max: 448}, 400, 1200);
  assert.equal(q.width, 299);
  assert.equal(q.height, 448);
  assert.equal(q.crop.top, Math.floor((1200 - q.crop.height) / 2));
});

test("planInput fixed resizes without cropping", () => {
  assert.deepEqual(planInput({kind: "fixed", width: 224, height: 224}, 640, 427), {crop: {left: 0, top: 0, width: 640, height: 427}, width: 224, height: 224});
});

test("planInput rejects empty images", () => {
  assert.throws(() => planInput({kind: "square", size: 299}, 0, 10), /invalid image size: 0×10/);
});

test("checkSizePolicy names the bad field", () => {
  assert.deepEqual(checkSizePolicy({kind: "square", size: 299}, "x.json"), {kind: "square", size: 299});
  assert.throws(() => checkSizePolicy({kind: "round"}, "x.json"), /x.json: sizePolicy.kind must be/);
  assert.throws(() => checkSizePolicy({kind: "square", size: -3}, "x.json"), /sizePolicy.size must be a positive whole number, got -3/);
  assert.throws(() => checkSizePolicy({kind: "shorterSide", size: 299, max: 100}, "x.json"), /sizePolicy.max \(100\) must be at least/);
});
