// Every Arrow file of the built site (dist/), read by a decoder that is not ours: each compressed buffer's
// LZ4 frame goes through Debian's `lz4` command, the reference implementation, which refuses frames that break
// the block format's rules (as pyarrow's LZ4 does). Its output must have the length the buffer's prefix
// declares, the length other Arrow readers allocate.
import assert from "node:assert/strict";
import {readFileSync, readdirSync} from "node:fs";
import {join, relative} from "node:path";
import {test} from "node:test";
import lz4js from "lz4js";
import {lz4Command, storedBuffers} from "../fixtures/arrowBuffers.js";
import {distDir} from "./browser.js";

const arrowFiles = readdirSync(distDir, {recursive: true, encoding: "utf8"}).filter((f) => f.endsWith(".arrow")).sort();

test("the built site has each dataset's image table and layer tables", () => {
  assert.ok(arrowFiles.filter((f) => /images\.[0-9a-f]+\.arrow$/.test(f)).length >= 2, `image tables in ${arrowFiles.join(", ")}`);
  assert.ok(arrowFiles.filter((f) => /mixed\d\.[0-9a-f]+\.arrow$/.test(f)).length >= 2, "layer tables");
});

for (const file of arrowFiles) {
  test(`lz4 decodes every compressed buffer of ${file}`, () => {
    const bytes = readFileSync(join(distDir, file));
    const buffers = storedBuffers(bytes);
    const frames = buffers.filter((b) => b.frame);
    // Layer tables are written compressed (their codes shrink); image tables are not.
    if (/mixed\d/.test(file)) assert.ok(frames.length > 0, `${file} has compressed buffers`);
    for (const b of frames) {
      const where = `${relative(process.cwd(), join(distDir, file))} batch ${b.batch} buffer ${b.buffer}`;
      const r = lz4Command(b.frame!);
      assert.ok(r.ok, `${where}: lz4 says ${r.ok ? "" : r.message}`);
      assert.equal(r.bytes.length, b.length, `${where}: the prefix declares the uncompressed length`);
      assert.equal(Buffer.compare(r.bytes, Buffer.from(lz4js.decompress(b.frame!))), 0, `${where}: lz4 and the site's decoder agree`);
    }
  });
}
