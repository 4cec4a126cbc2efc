// The LZ4 codec of our Arrow files (src/core/arrowLz4.ts), checked with a decoder that is not ours: Debian's
// `lz4` command, the reference implementation. Its decoder enforces the block format's end rules (the last
// 5 bytes of a block are literals, no match starts in the last 12), which lz4js's encoder broke at 4 MiB
// block ends and lz4js's own decoder let pass.
import assert from "node:assert/strict";
import {test} from "node:test";
import {tableFromArrays} from "apache-arrow";
import {tableFromBytes, tableToCompressedIPC} from "../../src/core/arrowLz4.js";
import {lz4Command, storedBuffers} from "../fixtures/arrowBuffers.js";

const MiB = 1 << 20;

/**
 * 9 MiB + 5 bytes (more than two 4 MiB blocks) mixing pseudo-random stretches with repeats, and at the end of
 * each 4 MiB block (and 64 KiB block) a copy of earlier bytes that runs up to 0–20 bytes before the boundary,
 * so an encoder is tempted to start a match inside the last 12 bytes of a block.
 */
function craftedBytes(): Uint8Array {
  const n = 9 * MiB + 5;
  const out = new Uint8Array(n);
  let seed = 12345;
  for (let i = 0; i < n; ++i) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    // Runs of zeros (as after a ReLU), a periodic pattern, and noise.
    const region = (i >> 14) % 3;
    out[i] = region === 0 ? (seed >>> 24) & (seed >>> 16) & 0x0f : region === 1 ? (i % 13) * 11 : seed >>> 24;
  }
  for (let end = 64 * 1024; end < n; end += 64 * 1024) {
    const gap = (end >> 16) % 21;
    out.copyWithin(end - gap - 200, 1000, 1200);
  }
  return out;
}

test("every compressed buffer of a crafted multi-block table decodes with the lz4 command to the original bytes", () => {
  const data = craftedBytes();
  const bytes = tableToCompressedIPC(tableFromArrays({data}));
  const buffers = storedBuffers(bytes);
  const framed = buffers.filter((b) => b.frame);
  assert.ok(framed.length >= 1, "the data buffer is compressed");
  const big = framed.find((b) => b.length === data.length);
  assert.ok(big, "the 9 MiB buffer is compressed and its prefix holds its uncompressed length");
  for (const b of framed) {
    const r = lz4Command(b.frame!);
    assert.ok(r.ok, `buffer ${b.buffer}: lz4 says ${r.ok ? "" : r.message}`);
    assert.equal(r.bytes.length, b.length, `buffer ${b.buffer}: length prefix is the uncompressed length`);
  }
  const decoded = lz4Command(big.frame!);
  assert.ok(decoded.ok && Buffer.compare(decoded.bytes, Buffer.from(data.buffer, data.byteOffset, data.byteLength)) === 0, "lz4 gives back the bytes");
  // And our own reader (lz4js's decoder) reads the same file.
  const back = tableFromBytes(bytes).getChild("data")!.toArray() as Uint8Array;
  assert.equal(Buffer.compare(Buffer.from(back), Buffer.from(data)), 0);
});

test("small buffers that LZ4 cannot shrink are stored as is, with prefix -1", () => {
  const data = Uint8Array.from({length: 64}, (_, i) => (i * 151 + 7) & 0xff);
  const bytes = tableToCompressedIPC(tableFromArrays({data}));
  const stored = storedBuffers(bytes);
  assert.ok(stored.every((b) => b.frame === null), "nothing to gain, nothing compressed");
  assert.deepEqual([...(tableFromBytes(bytes).getChild("data")!.toArray() as Uint8Array)], [...data]);
});
