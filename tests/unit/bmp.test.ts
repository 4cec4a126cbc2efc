// The BMP reader the build uses (sharp reads no BMP): each kind decodes to the pixels its fields say, a
// run-length BMP and a file cut short are refused with a message naming the file; the same files decode
// alike in Chromium (tests/e2e/firstVisit.test.ts).
import assert from "node:assert/strict";
import {mkdtempSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {test} from "node:test";
import {decodeImage} from "../../data-loaders/decodeImage.js";
import {decodeBmp, isBmp} from "../../src/core/bmp.js";
import {bmpCases} from "../fixtures/bmpFiles.js";

for (const c of bmpCases()) {
  test(`BMP ${c.name} decodes to its pixels`, () => {
    assert.ok(isBmp(c.bytes));
    const pixels = decodeBmp(c.bytes);
    assert.deepEqual([pixels.width, pixels.height, pixels.channels], [c.width, c.height, 4]);
    assert.deepEqual([...pixels.data], c.rgba);
  });
}

test("the build's decodeImage reads a BMP dataset image through the same reader", async () => {
  const dir = mkdtempSync(join(tmpdir(), "bmp-"));
  const c = bmpCases()[0];
  const file = join(dir, "photo.bmp");
  writeFileSync(file, c.bytes);
  const pixels = await decodeImage(file);
  assert.deepEqual([...pixels.data], c.rgba);
});

test("run-length BMPs and files cut short are refused, naming the file and what to do", () => {
  const rle = bmpCases()[1].bytes.slice();
  rle[30] = 1; // BI_RLE8
  assert.throws(() => decodeBmp(rle, "pets/rex.bmp"), /^Error: pets\/rex\.bmp: run-length compressed BMPs are not supported: save it as PNG$/);
  const short = bmpCases()[0].bytes.subarray(0, 60);
  assert.throws(() => decodeBmp(short, "pets/rex.bmp"), /^Error: pets\/rex\.bmp: the file is cut short: 60 bytes, its pixels need 78$/);
  assert.equal(isBmp(new TextEncoder().encode("BM but not a bitmap, just text")), false);
});
