// Turns a dataset's image table (src/core/imageTable.ts) into images ready to draw: the PNG of each image,
// exactly the 8-bit pixels the model saw, decoded to an ImageBitmap.
import {readImageTable, type ImageRecord, type ImageSet} from "../../core/imageTable.js";

/** An image of the dataset, decoded; `width` × `height` is the model input size. */
export interface DecodedImage extends Omit<ImageRecord, "png"> {
  bitmap: ImageBitmap;
  /** An object URL of the PNG, for <img> elements (the page's figures show photos as images, not canvases). */
  url: string;
}

/** A dataset's configuration, its model and its decoded images. */
export interface DecodedImageSet extends Omit<ImageSet, "images"> {
  images: DecodedImage[];
  /** Size of the image table in bytes. */
  bytes: number;
}

/** Decodes the bytes of an images.arrow file. */
export async function decodeImages(buffer: ArrayBuffer): Promise<DecodedImageSet> {
  const {dataset, model, images} = readImageTable(buffer);
  const decoded = await Promise.all(
    images.map(async ({png, ...image}) => {
      // Arrow hands out views of a plain ArrayBuffer, never of a SharedArrayBuffer.
      const blob = new Blob([png as Uint8Array<ArrayBuffer>], {type: "image/png"});
      const bitmap = await createImageBitmap(blob);
      if (bitmap.width !== image.width || bitmap.height !== image.height) {
        throw new Error(`image ${image.id}: the PNG is ${bitmap.width}×${bitmap.height}, the table says ${image.width}×${image.height}`);
      }
      // Kept for the page's lifetime: the set is decoded once per page view (imageSetLoader).
      return {...image, bitmap, url: URL.createObjectURL(blob)};
    })
  );
  return {dataset, model, images: decoded, bytes: buffer.byteLength};
}
