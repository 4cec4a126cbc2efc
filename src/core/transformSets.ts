// Transformed sets of a dataset: dataset.json's "transforms" list, e.g.
//   {"kind": "rotate", "image": "skimage-chelsea.png", "angles": [0, 45, 90]}
//   {"kind": "scale", "image": "skimage-chelsea.png", "centre": [0.5, 0.4], "zooms": [1, 2, 4]}
// Each entry makes one set: the listed image (its model input) transformed by each angle or zoom. The
// dataset's image table holds the listed images first, then every set's images in order (expandTransforms),
// so the loaders, the pages and the worker agree on which row is which without another column.
import {imageId, type DatasetConfig, type DatasetImage} from "./datasetConfig.js";
import {checkTransform, describeTransform, type Interpolation, type Transform} from "./transforms.js";

/** One entry of dataset.json's "transforms". */
export type TransformSetConfig =
  | {kind: "rotate"; image: string; angles: number[]; interpolation?: Interpolation}
  | {kind: "scale"; image: string; centre: [number, number]; zooms: number[]; interpolation?: Interpolation};

/** One image of a transformed set, as the image table lists it. */
export interface TransformedImage extends DatasetImage {
  /** Its id in the table: the source's id and the transform, e.g. "skimage-chelsea-rot45", "skimage-chelsea-zoom2". */
  id: string;
  /** Which entry of "transforms" made it. */
  set: number;
  transform: Transform;
  interpolation: Interpolation;
}

/** Checks dataset.json's "transforms" (each names one of `images`); `where` names the file in messages. */
export function parseTransformSets(raw: unknown, where: string, images: readonly DatasetImage[]): TransformSetConfig[] {
  if (!Array.isArray(raw)) throw new Error(`${where}: "transforms" must be an array of {"kind": "rotate", "image", "angles"} or {"kind": "scale", "image", "centre", "zooms"}`);
  return raw.map((entry: unknown, i: number) => {
    const at = `${where}: transforms[${i}]`;
    const o = (entry ?? {}) as Record<string, unknown>;
    if (typeof o.image !== "string" || !images.some((d) => d.file === o.image)) {
      throw new Error(`${at}.image must be the file of one of the dataset's "images" (${images.map((d) => d.file).join(", ")}), got ${JSON.stringify(o.image)}`);
    }
    const interpolation = o.interpolation ?? "bilinear";
    if (interpolation !== "bilinear" && interpolation !== "nearest") throw new Error(`${at}.interpolation must be "bilinear" or "nearest", got ${JSON.stringify(o.interpolation)}`);
    const list = (key: string, value: unknown) => {
      if (!Array.isArray(value) || value.length === 0) throw new Error(`${at}.${key} must be a non-empty array of numbers`);
      if (new Set(value).size !== value.length) throw new Error(`${at}.${key} lists a value twice`);
      return value as number[];
    };
    if (o.kind === "rotate") {
      const angles = list("angles", o.angles);
      angles.forEach((angle, k) => checkTransform({kind: "rotate", angle}, `${at}.angles[${k}]`));
      if (!angles.some((a) => a % 360 === 0)) throw new Error(`${at}.angles must include 0 (the picture itself), got ${JSON.stringify(angles)}`);
      return {kind: "rotate", image: o.image, angles, ...(o.interpolation ? {interpolation} : {})};
    }
    if (o.kind === "scale") {
      const zooms = list("zooms", o.zooms);
      const centre = o.centre as [number, number];
      zooms.forEach((zoom, k) => checkTransform({kind: "scale", zoom, centre}, `${at}.zooms[${k}]`));
      if (!zooms.includes(1)) throw new Error(`${at}.zooms must include 1 (the picture itself), got ${JSON.stringify(zooms)}`);
      return {kind: "scale", image: o.image, centre: [centre[0], centre[1]], zooms, ...(o.interpolation ? {interpolation} : {})};
    }
    throw new Error(`${at}.kind must be "rotate" or "scale", got ${JSON.stringify(o.kind)}`);
  });
}

/** The transforms of one set, in its order. */
export function setTransforms(set: TransformSetConfig): Transform[] {
  return set.kind === "rotate" ? set.angles.map((angle) => ({kind: "rotate", angle})) : set.zooms.map((zoom) => ({kind: "scale", zoom, centre: set.centre}));
}

/** Every transformed image of `sets` (made from `images`), in table order: set by set, transform by transform. */
export function expandTransforms(sets: readonly TransformSetConfig[], images: readonly DatasetImage[]): TransformedImage[] {
  return sets.flatMap((set, s) => {
    const source = images.find((d) => d.file === set.image)!;
    return setTransforms(set).map((transform) => ({
      file: source.file,
      credit: `${source.credit}; ${describeTransform(transform)} by this project`,
      licence: source.licence,
      id: `${imageId(source.file)}-${transform.kind === "rotate" ? `rot${transform.angle}` : `zoom${transform.zoom}`}`,
      set: s,
      transform,
      interpolation: set.interpolation ?? "bilinear"
    }));
  });
}

/** The rows of set `s` in a dataset's image table (its listed images come first). */
export function setRows(config: Pick<DatasetConfig, "images" | "transforms">, s: number): number[] {
  const all = expandTransforms(config.transforms ?? [], config.images);
  return all.flatMap((t, k) => (t.set === s ? [config.images.length + k] : []));
}
