// Where to crop an image and how big to make it before it enters the model. Both the build (sharp
// decodes, this decides) and the browser (createImageBitmap decodes, this decides) use this one rule, so
// an upload and a bundled image of the same photo give the model the same pixels.

import type {SizePolicy} from "./modelSpec.js";

/** A rectangle in source-image pixels. */
export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** The crop taken from the source and the size it is resized to. */
export interface InputPlan {
  crop: Rect;
  width: number;
  height: number;
}

/** Centre crop of the source with the given aspect ratio (width / height), in whole pixels. */
function centreCrop(srcWidth: number, srcHeight: number, aspect: number): Rect {
  let width = srcWidth;
  let height = Math.round(srcWidth / aspect);
  if (height > srcHeight) {
    height = srcHeight;
    width = Math.round(srcHeight * aspect);
  }
  width = Math.min(srcWidth, Math.max(1, width));
  height = Math.min(srcHeight, Math.max(1, height));
  return {left: Math.floor((srcWidth - width) / 2), top: Math.floor((srcHeight - height) / 2), width, height};
}

/** Decides the crop and the model input size for a source image of srcWidth × srcHeight pixels. */
export function planInput(policy: SizePolicy, srcWidth: number, srcHeight: number): InputPlan {
  if (!(srcWidth >= 1 && srcHeight >= 1)) throw new RangeError(`invalid image size: ${srcWidth}×${srcHeight}`);
  switch (policy.kind) {
    case "square":
      return {crop: centreCrop(srcWidth, srcHeight, 1), width: policy.size, height: policy.size};
    case "fixed":
      return {crop: {left: 0, top: 0, width: srcWidth, height: srcHeight}, width: policy.width, height: policy.height};
    case "shorterSide": {
      // Scale so the shorter side is `size`; if the longer side then exceeds `max`, crop it to `max`.
      const landscape = srcWidth >= srcHeight;
      const short = landscape ? srcHeight : srcWidth;
      const long = landscape ? srcWidth : srcHeight;
      const outLong = Math.min(policy.max, Math.round((long * policy.size) / short));
      const width = landscape ? outLong : policy.size;
      const height = landscape ? policy.size : outLong;
      return {crop: centreCrop(srcWidth, srcHeight, width / height), width, height};
    }
  }
}

/** Checks a size policy read from a config file, naming the bad field. */
export function checkSizePolicy(value: unknown, where: string): SizePolicy {
  const p = value as Partial<Record<string, unknown>> | null;
  const positive = (k: string) => {
    const v = p?.[k];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw new Error(`${where}: sizePolicy.${k} must be a positive whole number, got ${JSON.stringify(v)}`);
    return v;
  };
  switch (p?.kind) {
    case "square":
      return {kind: "square", size: positive("size")};
    case "fixed":
      return {kind: "fixed", width: positive("width"), height: positive("height")};
    case "shorterSide": {
      const size = positive("size");
      const max = positive("max");
      if (max < size) throw new Error(`${where}: sizePolicy.max (${max}) must be at least sizePolicy.size (${size})`);
      return {kind: "shorterSide", size, max};
    }
    default:
      throw new Error(`${where}: sizePolicy.kind must be "square", "shorterSide" or "fixed", got ${JSON.stringify(p?.kind)}`);
  }
}

/** Least share of a picture's area the crop may keep before an upload is warned about it: a half. */
export const MIN_CROP_SHARE = 0.5;

/**
 * The warning for a picture whose crop keeps less than MIN_CROP_SHARE of it (a panorama, a 1×5000 strip):
 * what the model sees of it, or null when the crop keeps enough. `what` names the picture (quoted).
 */
export function cropWarning(what: string, srcWidth: number, srcHeight: number, plan: InputPlan): string | null {
  const share = (plan.crop.width * plan.crop.height) / (srcWidth * srcHeight);
  if (share >= MIN_CROP_SHARE) return null;
  const percent = share * 100;
  const shown = percent >= 1 ? `${Math.round(percent)}%` : `${Number(percent.toPrecision(2))}%`;
  return `${what} is ${srcWidth}×${srcHeight}: the model sees only its centre ${plan.crop.width}×${plan.crop.height} (${shown} of the picture), resized to ${plan.width}×${plan.height}. It was added; crop it nearer to a square to compare all of it.`;
}
