// The loaders build the transforms dataset's sets from dataset.json: the image table holds the listed
// photos, then every set's pictures in order. Quarter turns are checked against sharp's own rotation of
// the untransformed picture (an independent implementation), zoom 1 and 0° against the photo itself.
import assert from "node:assert/strict";
import {test} from "node:test";
import sharp from "sharp";
import {imagesArrow} from "../../data-loaders/snapshot.js";
import {readImageTable} from "../../src/core/imageTable.js";
import {expandTransforms} from "../../src/core/transformSets.js";

const raw = (png: Uint8Array) => sharp(Buffer.from(png)).removeAlpha().raw().toBuffer();

test("the transforms dataset's image table: listed photos, then each set; quarter turns as sharp rotates", async () => {
  const {dataset, images} = readImageTable(await imagesArrow("transforms"));
  const expected = [...dataset.images.map((d) => d.file.replace(/\.[^.]+$/, "")), ...expandTransforms(dataset.transforms!, dataset.images).map((d) => d.id)];
  assert.deepEqual(images.map((d) => d.id), expected);
  assert.equal(images.length, 2 + 16 + 8 + 16 + 8);
  const png = (id: string) => images.find((d) => d.id === id)!.png;
  for (const photo of ["skimage-chelsea", "cowplot-cow-grass"]) {
    const base = await raw(png(photo));
    assert.ok(base.equals(await raw(png(`${photo}-rot0`))), `${photo}: 0° is the photo`);
    assert.ok(base.equals(await raw(png(`${photo}-zoom1`))), `${photo}: zoom 1 is the photo`);
    // sharp rotates clockwise: our counter-clockwise 90° is its 270°.
    for (const [angle, clockwise] of [[90, 270], [180, 180], [270, 90]]) {
      const theirs = await sharp(Buffer.from(png(photo))).rotate(clockwise).removeAlpha().raw().toBuffer();
      assert.ok(theirs.equals(await raw(png(`${photo}-rot${angle}`))), `${photo}: ${angle}° as sharp rotates it`);
    }
    const r45 = await raw(png(`${photo}-rot45`));
    assert.deepEqual([...r45.subarray(0, 3)], [0, 0, 0], "the corners of 45° are black");
    assert.ok(!base.equals(await raw(png(`${photo}-zoom2`))));
  }
  assert.match(images.find((d) => d.id === "skimage-chelsea-rot22.5")!.credit, /^Chelsea the cat.*; rotated 22\.5° by this project$/);
});
