// Where a photo comes from, as every figure captions it: the credit and the licence, in full (captions
// wrap; nothing is left to a tooltip, which touch screens cannot show). The one caption of the figures.
import {el} from "../dom/el.js";

/** "Chelsea the cat, by Stefan van der Walt (CC0-1.0)". */
export function creditText(image: {credit: string; licence: string}): string {
  return image.licence ? `${image.credit} (${image.licence})` : image.credit;
}

/** A <figcaption> of `text`, `width` CSS pixels wide (the image's width), or as wide as its figure. */
export function caption(text: string, width?: number, className = ""): HTMLElement {
  const node = el("figcaption", className, text);
  if (width !== undefined) node.style.width = `${width}px`;
  return node;
}
