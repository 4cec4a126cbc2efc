// The k cells of the whole set most similar to the current query, best first: each a small crop of its
// image around the cell (the cell and one cell of context on every side, the cell outlined) with its
// value. Clicking one makes it the query.
import {cellRect, type Size} from "../../core/cells.js";
import type {SimilarityKind} from "../../core/similarity.js";
import {formatValue, kindLabel} from "../overlay/overlayScale.js";
import type {CellRef} from "../query/queryState.js";

/** An image the matches can come from. */
export interface MatchImage {
  id: string;
  bitmap: ImageBitmap;
  width: number;
  height: number;
}

/** Options of TopMatches. */
export interface TopMatchesOptions {
  /** Images of the set, by index (counting copies), and each one's grid. */
  images: readonly MatchImage[];
  grids: readonly Size[];
  /** Side of each crop in CSS pixels. */
  size?: number;
  /** Called with the match that was clicked. */
  onPick(ref: CellRef, timeStamp: number): void;
  /** Called when "Leave out the query's own image" is switched. */
  onOwnImage?(leaveOut: boolean): void;
}

export class TopMatches {
  readonly node: HTMLElement;
  private readonly list: HTMLOListElement;
  private readonly note: HTMLElement;
  private readonly options: TopMatchesOptions;
  private readonly ownImage: HTMLInputElement;
  /** The matches on show, best first (for Export CSV). */
  shown: readonly {ref: CellRef; value: number}[] = [];

  constructor(options: TopMatchesOptions) {
    this.options = options;
    this.node = Object.assign(document.createElement("div"), {className: "top-matches"});
    this.note = Object.assign(document.createElement("p"), {className: "top-matches-note", textContent: "Point at or pin a cell to list its closest matches."});
    this.list = document.createElement("ol");
    this.ownImage = Object.assign(document.createElement("input"), {type: "checkbox"});
    this.ownImage.dataset.testid = "leave-out-own-image";
    this.ownImage.addEventListener("change", () => this.options.onOwnImage?.(this.ownImage.checked));
    const label = Object.assign(document.createElement("label"), {className: "top-matches-option"});
    label.append(this.ownImage, " Leave out the query's own image");
    this.node.append(label, this.note, this.list);
  }

  /** Whether cells of the query's own image are to be left out. */
  get leaveOutOwnImage(): boolean {
    return this.ownImage.checked;
  }

  /** Shows `matches` (best first) for the given similarity to the query named `query`. */
  show(matches: readonly {ref: CellRef; value: number}[], kind: SimilarityKind, query: string): void {
    const {images, grids, size = 84} = this.options;
    this.shown = matches;
    this.note.textContent = `The ${matches.length} cells of the set closest to ${query} by ${kindLabel(kind)}, best first (${this.leaveOutOwnImage ? "the query's own image" : "the query itself"} left out). Choose one to make it the query.`;
    this.list.replaceChildren(
      ...matches.map(({ref, value}, rank) => {
        const image = images[ref.image];
        const button = document.createElement("button");
        button.type = "button";
        button.className = "top-match";
        button.dataset.image = String(ref.image); // not data-image-index, which names the figure's images
        button.dataset.cell = `${ref.col},${ref.row}`;
        button.title = `${image.id}, cell (${ref.col}, ${ref.row})`;
        button.append(crop(image, grids[ref.image], ref, size));
        const caption = Object.assign(document.createElement("span"), {textContent: `${rank + 1}. ${formatValue(kind, value)}`});
        button.append(caption);
        button.addEventListener("click", (event) => this.options.onPick(ref, event.timeStamp));
        const item = document.createElement("li");
        item.append(button);
        return item;
      })
    );
  }
}

/** A canvas with the cell and one cell of context around it, the cell outlined in yellow. */
export function crop(image: MatchImage, grid: Size, ref: CellRef, size: number): HTMLCanvasElement {
  const cell = cellRect(ref, image, grid);
  const x0 = Math.max(0, cell.x - cell.width), y0 = Math.max(0, cell.y - cell.height);
  const x1 = Math.min(image.width, cell.x + 2 * cell.width), y1 = Math.min(image.height, cell.y + 2 * cell.height);
  const dpr = window.devicePixelRatio || 1;
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(size * dpr);
  canvas.height = Math.round(size * dpr);
  canvas.style.width = canvas.style.height = `${size}px`;
  const context = canvas.getContext("2d")!;
  const sx = canvas.width / (x1 - x0), sy = canvas.height / (y1 - y0);
  context.drawImage(image.bitmap, x0, y0, x1 - x0, y1 - y0, 0, 0, canvas.width, canvas.height);
  context.strokeStyle = "#ffd400";
  context.lineWidth = 2 * dpr;
  context.strokeRect((cell.x - x0) * sx, (cell.y - y0) * sy, cell.width * sx, cell.height * sy);
  return canvas;
}
