// Arrow IPC body compression with LZ4 frames, the codec the Arrow format names (LZ4_FRAME), so our
// activation files stay readable by any Arrow library. Post-ReLU codes are 55–70 % zeros, so LZ4 shrinks the
// 8-bit codes a further 1.3–1.6×.
//
// Two libraries, one per direction. Files are written only at build time, in Node, by lz4-napi (the Rust
// lz4_flex encoder, prebuilt per platform): lz4js's encoder breaks the LZ4 block rule that no match may
// start in the last 12 bytes of a block, which the reference decoder (Debian's `lz4`, hence pyarrow) enforces.
// Reading happens in Node and in the browser, so it uses lz4js's decoder, pure JavaScript.
//
// apache-arrow 21.2.0 also writes the compressed length in the 8-byte prefix of each compressed buffer,
// where the format wants the uncompressed length (its own reader ignores the prefix, other readers size
// their output by it); tableToCompressedIPC corrects the prefixes after writing.

import {CompressionType, compressionRegistry, MessageReader, tableFromIPC, tableToIPC, type Table} from "apache-arrow";
import lz4 from "lz4js";

type Encode = (data: Uint8Array) => Uint8Array;

/**
 * lz4-napi's frame encoder in Node, undefined elsewhere. It is native code, loaded with Node's require at
 * run time rather than imported, which keeps it out of the browser bundles (they only decode).
 */
function nodeFrameEncoder(): Encode | undefined {
  const nodeModule = globalThis.process?.getBuiltinModule?.("node:module");
  if (!nodeModule) return undefined;
  const {compressFrameSync} = nodeModule.createRequire(import.meta.url)("lz4-napi") as typeof import("lz4-napi");
  return (data) => compressFrameSync(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
}

/** The uncompressed length of every buffer handed to the encoder, in order, while a file is being written. */
let encodedLengths: number[] | undefined;

let registered = false;
let canEncode = false;

/** Registers the LZ4 frame codec with apache-arrow (once): decoding everywhere, encoding in Node. */
export function registerLz4(): void {
  if (registered) return;
  const decode = (data: Uint8Array) => lz4.decompress(data);
  const encodeFrame = nodeFrameEncoder();
  // apache-arrow tries an encoder when it is registered, so the browser registers none.
  const encode = encodeFrame && ((data: Uint8Array) => (encodedLengths?.push(data.byteLength), encodeFrame(data)));
  compressionRegistry.set(CompressionType.LZ4_FRAME, encode ? {encode, decode} : {decode});
  registered = true;
  canEncode = encode !== undefined;
}

/** Writes a table as an Arrow IPC file with LZ4-compressed buffers (in Node). */
export function tableToCompressedIPC(table: Table): Uint8Array {
  registerLz4();
  if (!canEncode) throw new Error("writing LZ4-compressed Arrow files needs Node 20.16 or later (the encoder, lz4-napi, is native code, loaded through process.getBuiltinModule)");
  encodedLengths = [];
  try {
    const bytes = tableToIPC(table, "file", CompressionType.LZ4_FRAME);
    setUncompressedLengths(bytes, encodedLengths);
    return bytes;
  } finally {
    encodedLengths = undefined;
  }
}

/**
 * Rewrites, in place, the length prefix of each compressed body buffer of an Arrow IPC file to its
 * uncompressed length. `lengths` holds the length of every non-empty buffer in the order apache-arrow wrote
 * them; a prefix of -1 (stored uncompressed) stays.
 */
function setUncompressedLengths(bytes: Uint8Array, lengths: number[]): void {
  const reader = new MessageReader(bytes.subarray(8)); // after the "ARROW1\0\0" magic
  let next = 0;
  for (let message = reader.readMessage(); message; message = reader.readMessage()) {
    const body = reader.readMessageBody(message.bodyLength);
    if (!message.isRecordBatch()) continue;
    if (body.buffer !== bytes.buffer) throw new Error("Arrow body is not a view of the file bytes");
    const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
    for (const {offset, length} of message.header().buffers) {
      if (length === 0) continue;
      const uncompressed = lengths[next++];
      if (uncompressed === undefined) throw new Error("Arrow writer compressed fewer buffers than the file holds");
      if (view.getBigInt64(offset, true) !== -1n) view.setBigInt64(offset, BigInt(uncompressed), true);
    }
  }
  if (next !== lengths.length) throw new Error("Arrow writer compressed more buffers than the file holds");
}

/** Reads Arrow IPC bytes, compressed or not. */
export function tableFromBytes(bytes: Uint8Array | ArrayBuffer): Table {
  registerLz4();
  return tableFromIPC(bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes);
}
