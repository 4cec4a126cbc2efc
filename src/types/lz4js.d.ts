// Types for the parts of lz4js (ISC, pure JavaScript LZ4 frame format) that we use.
declare module "lz4js" {
  /** Compresses bytes into one LZ4 frame. */
  export function compress(src: Uint8Array, maxSize?: number): Uint8Array;
  /** Decompresses one LZ4 frame; maxSize defaults to a bound read from the frame. */
  export function decompress(src: Uint8Array, maxSize?: number): Uint8Array;
}
