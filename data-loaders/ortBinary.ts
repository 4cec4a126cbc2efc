// onnxruntime-web's WebAssembly binaries, read from the installed package for the site (src/w/*.wasm.ts):
// resolved through the package's exports map, so each is the file of the installed onnxruntime-web.
import {readFile} from "node:fs/promises";
import {createRequire} from "node:module";

/** The bytes of onnxruntime-web's `name` ("ort-wasm-simd-threaded.jsep.wasm", "ort-wasm-simd-threaded.wasm"). */
export async function ortBinary(name: string): Promise<Uint8Array> {
  const bytes = await readFile(createRequire(import.meta.url).resolve(`onnxruntime-web/${name}`));
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
