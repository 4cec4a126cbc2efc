import assert from "node:assert/strict";
import {test} from "node:test";
import {WasmCodeDots, wasmSimdSupported} from "../../src/core/codeDots.js";
import {codeDotsWasm} from "../../src/core/codeDots.wasm.js";
import {codeDots, queryScratch} from "../../src/core/similarity.js";
import {compileWat} from "../../scripts/buildWasm.js";

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
