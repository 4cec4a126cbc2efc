// The TIFF reader uploads use (browsers decode no TIFF): against sharp (libvips) on the same files, with
// compression and EXIF orientation; a broken file gets a message naming it.
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {test} from "node:test";
import sharp from "sharp";
import {decodeTiff, tiffSize} from "../../src/core/tiff.js";

const photo = readFileSync(join(import.meta.dirname, "..", "..", "datasets", "animals", "skimage-chelsea.png"));

/** What sharp makes of `tiff`, upright (rotate() applies the orientation), as RGBA. */
async function bySharp(tiff: Buffer) {
  const {data, info} = await sharp(tiff).rotate().ensureAlpha().raw().toBuffer({resolveWithObject: true});
  return {data: new Uint8Array(data), width: info.width, height: info.height};
}

for (const compression of ["none", "lzw", "deflate"] as const) {
  for (const orientation of [1, 3, 6, 8]) {
    test(`a ${compression} TIFF with orientation ${orientation} decodes to sharp's pixels, upright`, async () => {
      const small = sharp(photo).resize(37, 23, {fit: "fill"});
      const tiff = await small.withMetadata({orientation}).tiff({compression}).toBuffer();
      const expected = await bySharp(tiff);
      const ours = decodeTiff(new Uint8Array(tiff));
      assert.deepEqual([ours.width, ours.height], [expected.width, expected.height]);
      assert.deepEqual([ours.width, ours.height], orientation >= 5 ? [23, 37] : [37, 23], "the orientation tag was written and applied");
      assert.deepEqual(tiffSize(new Uint8Array(tiff)), {width: 37, height: 23}, "the stored size, before orientation");
      assert.ok(Buffer.from(ours.data).equals(Buffer.from(expected.data)), "pixels differ from sharp's");
    });
  }
}

test("a TIFF cut short is refused with a message naming it and what to do", async () => {
  const tiff = await sharp(photo).resize(16, 16).tiff({compression: "none"}).toBuffer();
  assert.throws(() => decodeTiff(new Uint8Array(tiff.subarray(0, 200)), '"scan.tif"'), /^Error: could not decode "scan\.tif" as a TIFF image: .+\. Save it as PNG or JPEG and try again$/);
});
