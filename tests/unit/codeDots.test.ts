import assert from "node:assert/strict";
import {test} from "node:test";
import {WasmCodeDots, wasmSimdSupported} from "../../src/core/codeDots.js";
import {codeDotsWasm} from "../../src/core/codeDots.wasm.js";
import {codeDots, queryScratch, toSimilarity} from "../../src/core/similarity.js";
import {compileWat} from "../../scripts/buildWasm.js";
import {cosine} from "../../src/core/cosine.js";
import {quantizeCells} from "../../src/core/quantize.js";
import {signedVectors} from "../fixtures/signedVectors.js";

function randomCodes(cells: number, channels: number, seed: number): Uint8Array {
  let s = seed;
  const out = new Uint8Array(cells * channels);
  for (let i = 0; i < out.length; ++i) {
    s = (s * 16807) % 2147483647;
    out[i] = s % 3 === 0 ? s % 256 : 0; // mostly zeros, like post-ReLU codes
  }
  return out;
}

test("the committed kernel bytes match codeDots.wat (run `npm run build:wasm` after editing it)", async () => {
  const compiled = await compileWat("src/core/codeDots.wat");
  assert.equal(Buffer.from(compiled).toString("base64"), codeDotsWasm);
});

test("wasmSimdSupported in Node", () => {
  assert.equal(wasmSimdSupported(), true);
});

for (const channels of [16, 288, 768, 50]) {
  test(`WasmCodeDots equals the TypeScript dot products exactly (${channels} channels)`, () => {
    const cells = 301;
    const codes = randomCodes(cells, channels, channels + 1);
    const kernel = new WasmCodeDots(codes, channels);
    const index = {codes, norms: new Float32Array(cells), step: 1, channels};
    const ref = new Int32Array(cells);
    for (const query of [0, 150, 300]) {
      codeDots(index, query, ref, queryScratch(channels, cells));
      assert.deepEqual([...kernel.dotsWithCell(query)], [...ref]);
    }
  });
}

test("WasmCodeDots computes a range of cells alone, leaving the others as they were", () => {
  const channels = 288, cells = 120;
  const codes = randomCodes(cells, channels, 5);
  const kernel = new WasmCodeDots(codes, channels);
  const ref = new Int32Array(cells);
  codeDots({codes, norms: new Float32Array(cells), step: 1, channels}, 7, ref, queryScratch(channels, cells));
  kernel.dots.fill(-1);
  const dots = kernel.dotsWithCell(7, 30, 77);
  assert.deepEqual([...dots.subarray(30, 77)], [...ref.subarray(30, 77)]);
  assert.ok(dots.subarray(0, 30).every((d) => d === -1) && dots.subarray(77).every((d) => d === -1));
  assert.throws(() => kernel.dotsWithCell(7, 50, 40), /invalid cell range 50…40 of 120/);
});

test("WasmCodeDots: the largest possible codes do not overflow", () => {
  const channels = 1280;
  const codes = new Uint8Array(2 * channels).fill(255);
  assert.equal(new WasmCodeDots(codes, channels).dotsWithCell(1)[0], 255 * 255 * channels);
});

test("WasmCodeDots checks its arguments", () => {
  assert.throws(() => new WasmCodeDots(new Uint8Array(10), 3), /10 codes do not split into vectors of 3/);
  assert.throws(() => new WasmCodeDots(new Uint8Array(32), 16).dotsWithCell(2), /invalid query cell: 2/);
});

// Signed codes (signed layers): the kernel's dots_signed against the TypeScript loop and float64 cosines.
for (const channels of [24, 96, 384]) {
  test(`WasmCodeDots on signed codes equals the TypeScript dot products exactly, and gives float64 cosines within 0.01 (${channels} channels)`, () => {
    const cells = 120;
    const values = signedVectors(cells, channels, channels);
    const q = quantizeCells(values, channels);
    assert.ok(q.codes instanceof Int8Array);
    const kernel = new WasmCodeDots(q.codes, channels);
    const ref = new Int32Array(cells);
    const out = new Float32Array(cells);
    for (const query of [0, 61, 119]) {
      codeDots(q, query, ref, queryScratch(channels, cells));
      const dots = kernel.dotsWithCell(query);
      assert.deepEqual([...dots], [...ref]);
      assert.ok(dots.some((d) => d < 0), "some dot products are negative");
      toSimilarity(dots, q, query, "cosine", out);
      for (let j = 0; j < cells; ++j) {
        const exact = cosine(Float64Array.from(values.subarray(query * channels, (query + 1) * channels)), Float64Array.from(values.subarray(j * channels, (j + 1) * channels)));
        assert.ok(Math.abs(out[j] - exact) <= 0.01, `cell ${j}: ${out[j]} vs ${exact}`);
      }
    }
  });
}

test("WasmCodeDots: the most negative and largest signed codes do not overflow", () => {
  const channels = 1280;
  const codes = new Int8Array(2 * channels).fill(127);
  codes.fill(-127, channels);
  const kernel = new WasmCodeDots(codes, channels);
  assert.equal(kernel.dotsWithCell(0)[1], -127 * 127 * channels);
  assert.equal(kernel.dotsWithCell(1)[1], 127 * 127 * channels);
});
