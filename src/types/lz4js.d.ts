// Types for the parts of lz4js (ISC, pure JavaScript LZ4 frame format) that we use. It is a CommonJS
// module, so it is imported by its default export (named exports are not available in every bundler).
declare module "lz4js" {
  const lz4: {
    /** Compresses bytes into one LZ4 frame. */
    compress(src: Uint8Array, maxSize?: number): Uint8Array;
    /** Decompresses one LZ4 frame; maxSize defaults to a bound read from the frame. */
    decompress(src: Uint8Array, maxSize?: number): Uint8Array;
  };
  export default lz4;
}
