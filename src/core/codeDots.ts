// The WebAssembly SIMD kernel of codeDots.wat: integer dot products of one cell's 8-bit codes with every
// cell's, 16 channels per instruction. It does the same sums as codeDots() in similarity.ts (exactly, in
// int32), about 5× faster, for the hover path. Rows are padded to a multiple of 16 channels with zeros.
// Unsigned codes (Uint8Array) run its "dots" function, signed codes (Int8Array, signed layers) "dots_signed".

import {codeDotsWasm} from "./codeDots.wasm.js";

/** The kernel's bytes, decoded once. */
function kernelBytes(): Uint8Array<ArrayBuffer> {
  const text = atob(codeDotsWasm);
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** Whether this runtime has WebAssembly with SIMD. */
export function wasmSimdSupported(): boolean {
  try {
    return typeof WebAssembly === "object" && WebAssembly.validate(kernelBytes());
  } catch {
    return false;
  }
}

/** A layer's codes copied into WebAssembly memory, ready for dot products with any of its cells. */
export class WasmCodeDots {
  readonly cells: number;
  readonly channels: number;
  private readonly padded: number;
  private readonly memory: WebAssembly.Memory;
  private readonly dotsFn: (codes: number, query: number, out: number, cells: number, channels: number) => void;
  private readonly queryPtr: number;
  private readonly outPtr: number;
  /** dots[j] after each call; a view into WebAssembly memory (valid until the next instance is made). */
  readonly dots: Int32Array;

  constructor(codes: Uint8Array | Int8Array, channels: number) {
    if (!(channels > 0) || codes.length % channels !== 0) throw new RangeError(`${codes.length} codes do not split into vectors of ${channels}`);
    this.cells = codes.length / channels;
    this.channels = channels;
    this.padded = Math.ceil(channels / 16) * 16;
    const instance = new WebAssembly.Instance(new WebAssembly.Module(kernelBytes()));
    this.memory = instance.exports.memory as WebAssembly.Memory;
    this.dotsFn = instance.exports[codes instanceof Int8Array ? "dots_signed" : "dots"] as WasmCodeDots["dotsFn"];
    // Layout: [codes: cells × padded][query: padded][out: cells × 4]
    this.queryPtr = this.cells * this.padded;
    this.outPtr = this.queryPtr + this.padded;
    const bytes = this.outPtr + this.cells * 4;
    const pages = Math.ceil(bytes / 65536) - this.memory.buffer.byteLength / 65536;
    if (pages > 0) this.memory.grow(pages);
    const heap = new Uint8Array(this.memory.buffer);
    // Signed codes are copied as their bytes (two's complement), which dots_signed reads as i8.
    if (codes instanceof Int8Array) codes = new Uint8Array(codes.buffer, codes.byteOffset, codes.length);
    if (this.padded === channels) heap.set(codes);
    else for (let j = 0; j < this.cells; ++j) heap.set(codes.subarray(j * channels, (j + 1) * channels), j * this.padded);
    this.dots = new Int32Array(this.memory.buffer, this.outPtr, this.cells);
  }

  /** Dot products of cell `query`'s codes with every cell's (or cells from … to−1 only); returns `this.dots`. */
  dotsWithCell(query: number, from = 0, to = this.cells): Int32Array {
    if (!(query >= 0 && query < this.cells)) throw new RangeError(`invalid query cell: ${query} (table has ${this.cells})`);
    if (!(from >= 0 && from <= to && to <= this.cells)) throw new RangeError(`invalid cell range ${from}…${to} of ${this.cells}`);
    const heap = new Uint8Array(this.memory.buffer);
    heap.copyWithin(this.queryPtr, query * this.padded, (query + 1) * this.padded);
    this.dotsFn(from * this.padded, this.queryPtr, this.outPtr + from * 4, to - from, this.padded);
    return this.dots;
  }
}
