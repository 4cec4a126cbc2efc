// Types for the parts of utif (MIT, pure JavaScript TIFF decoder) that we use. CommonJS, imported by its
// default export.
declare module "utif" {
  /** One image file directory: tags by "t" + number (t256 width, t257 height, t274 orientation), and after decodeImage its size and data. */
  interface Ifd {
    [tag: `t${number}`]: number[] | undefined;
    width: number;
    height: number;
  }
  const UTIF: {
    decode(buffer: ArrayBuffer | Uint8Array): Ifd[];
    decodeImage(buffer: ArrayBuffer | Uint8Array, ifd: Ifd, ifds?: Ifd[]): void;
    toRGBA8(ifd: Ifd): Uint8Array;
  };
  export default UTIF;
}
