// A row of thumbnails to choose from (datasets on the home page, images on the across-layers page). It is
// an input: its value is the chosen item's value and it dispatches "input" when that changes, so a page
// can wrap it in view(). Thumbnails may arrive later than the picker (they are drawn when they do).

/** One choice: its value, its name, and the pictures of its thumbnail (one, or a 2 × 2 mosaic of four). */
export interface ThumbnailItem<T> {
  value: T;
  label: string;
  pictures: Promise<readonly ImageBitmap[]> | readonly ImageBitmap[];
}

/** Options of ThumbnailPicker. */
export interface ThumbnailPickerOptions<T> {
  /** The initial choice (the first item's value when missing or unknown). */
  value?: T;
  /** Accessible name of the group, e.g. "Dataset". */
  label: string;
  /** Thumbnail side in CSS pixels. */
  size?: number;
}

/** Returns the picker: a radio group of buttons, each with its thumbnail and name. */
export function ThumbnailPicker<T>(items: readonly ThumbnailItem<T>[], {value, label, size = 72}: ThumbnailPickerOptions<T>): HTMLElement & {value: T} {
  if (!items.length) throw new RangeError(`invalid ${label}: no choices`);
  let current = items.some((item) => item.value === value) ? (value as T) : items[0].value;
  const root = document.createElement("div") as unknown as HTMLElement & {value: T};
  root.className = "thumbnail-picker";
  root.setAttribute("role", "radiogroup");
  root.setAttribute("aria-label", label);
  const buttons = items.map((item) => {
    const button = document.createElement("button");
    button.type = "button";
    button.setAttribute("role", "radio");
    button.className = "thumbnail";
    const canvas = document.createElement("canvas");
    const dpr = window.devicePixelRatio || 1;
    canvas.width = canvas.height = Math.round(size * dpr);
    canvas.style.width = canvas.style.height = `${size}px`;
    void Promise.resolve(item.pictures).then((pictures) => drawThumbnail(canvas, pictures));
    const name = Object.assign(document.createElement("span"), {textContent: item.label});
    button.append(canvas, name);
    button.addEventListener("click", () => {
      if (current === item.value) return;
      current = item.value;
      mark();
      root.dispatchEvent(new Event("input", {bubbles: true}));
    });
    return button;
  });
  const mark = () => items.forEach((item, i) => buttons[i].setAttribute("aria-checked", String(item.value === current)));
  mark();
  root.append(...buttons);
  Object.defineProperty(root, "value", {get: () => current});
  return root;
}

/** One picture fills the square (centre crop); four make a 2 × 2 mosaic. */
function drawThumbnail(canvas: HTMLCanvasElement, pictures: readonly ImageBitmap[]): void {
  const context = canvas.getContext("2d")!;
  const n = pictures.length >= 4 ? 2 : 1;
  const side = canvas.width / n;
  pictures.slice(0, n * n).forEach((picture, i) => {
    const s = Math.min(picture.width, picture.height);
    context.drawImage(picture, (picture.width - s) / 2, (picture.height - s) / 2, s, s, (i % n) * side, Math.floor(i / n) * side, side, side);
  });
}

/** The dataset picker: one mosaic of each dataset's first four images, drawn once its images arrive. */
export function DatasetPicker(
  datasets: readonly {name: string; title: string}[],
  loadImages: (name: string) => Promise<{images: readonly {bitmap: ImageBitmap}[]}>,
  {value}: {value?: string} = {}
): HTMLElement & {value: string} {
  const items = datasets.map(({name, title}) => ({value: name, label: title, pictures: loadImages(name).then((set) => set.images.slice(0, 4).map((image) => image.bitmap))}));
  return ThumbnailPicker(items, {value, label: "Dataset"});
}

/** The image picker: one thumbnail per image of a set. */
export function ImagePicker(images: readonly {id: string; bitmap: ImageBitmap}[], {value}: {value?: number} = {}): HTMLElement & {value: number} {
  return ThumbnailPicker(images.map((image, i) => ({value: i, label: image.id, pictures: [image.bitmap]})), {value, label: "Image", size: 56});
}
