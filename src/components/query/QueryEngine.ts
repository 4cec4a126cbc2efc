// The query of a page's overlays, in one place: the cell under the pointer (or keyboard cursor, or finger),
// the pinned cells, and the cells the overlays compare with (the pins if any, else the hovered cell). The
// engine takes the input of every image attached to it (pointer, touch, keyboard), keeps the clear timer,
// numbers each new query (`seq`) so a reply to an older one can be dropped (isCurrent), and tags each with
// the version of the table it was made for. Views subscribe and paint; so can anything else that follows
// the hover (a chart, a legend). The view state's `query` and `pins` are written back on every change.
//
// A subscriber gets the engine's one Query object, updated in place (the hover path allocates nothing):
// read it during the call, and keep only numbers (seq) or copies.
import {cellAt, type Cell, type Size} from "../../core/cells.js";
import {moveCell, sameRef, togglePin, type CellRef} from "./queryState.js";

/** What changed: the cells to compare with ("query": compute), only the pointer ("pointer": read values), or the overlays' time to go ("clear"). */
export type QueryChange = "query" | "pointer" | "clear";

/** The current query. */
export interface Query {
  change: QueryChange;
  /** Grows by one with every new set of query cells (each hover, pin, or table). */
  seq: number;
  /** The version of the table the cells refer to (as given to setTable). */
  version: number;
  /** The cells the overlays compare with: the pins if any, else the hovered cell, else none. */
  refs: readonly CellRef[];
  pins: readonly CellRef[];
  /** The cell shown when nothing is pinned (the last hovered one, kept while pins are shown). */
  hover: CellRef | null;
  /** The cell under the pointer or keyboard cursor, null when it is off the images. */
  pointer: CellRef | null;
  /** The timeStamp of the event that made this change (performance.now() clock). */
  start: number;
  /** A pointer move (callers may write the URL less often). */
  soon: boolean;
}

/** An element showing one grid of cells: its size on screen and what its cells are called. */
export interface QueryPlace {
  grid: Size;
  width: number;
  height: number;
  ref(cell: Cell): CellRef;
}

/** Where the engine reads its first cells and writes them back (the page's view state). */
export interface QueryState {
  query: CellRef | null;
  pins: CellRef[];
}

export type QueryListener = (query: Readonly<Query>) => void;

export class QueryEngine {
  /** How long a touch is held still on a cell to pin it, in milliseconds. */
  static holdMs = 500;
  /** The current query; subscribers read it, only the engine writes it. */
  readonly query: Query;
  private readonly listeners = new Set<QueryListener>();
  private readonly one: CellRef[] = [];
  private pointerOwner: HTMLElement | null = null;
  private clearTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly state: QueryState, private readonly clearDelay = 100) {
    this.query = {change: "query", seq: 0, version: 0, refs: [], pins: state.pins, hover: state.query, pointer: null, start: 0, soon: false};
    this.setRefs();
  }

  /** Calls `listener` with every change; returns the function that stops it. */
  subscribe(listener: QueryListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Whether a reply computed for query `seq` still belongs to the query on show. */
  isCurrent(seq: number): boolean {
    return seq === this.query.seq;
  }

  /**
   * A new table (another layer, uploads added or removed): the hovered and pinned cells are passed through
   * `adopt` (moved to the new grid, or dropped with null), and the query is published under `version`.
   */
  setTable(version: number, adopt: (ref: CellRef) => CellRef | null, start = performance.now()): void {
    const q = this.query;
    q.version = version;
    q.hover = q.hover && adopt(q.hover);
    q.pointer = null;
    this.pointerOwner = null;
    const pins: CellRef[] = [];
    for (const pin of q.pins) {
      const moved = adopt(pin);
      if (moved && !pins.some((p) => sameRef(p, moved))) pins.push(moved);
    }
    q.pins = pins;
    this.publishQuery(start, false);
  }

  /** Publishes the same cells again as a new query (e.g. the similarity function changed). */
  refresh(start = performance.now()): void {
    this.publishQuery(start, false);
  }

  /** The pointer is on `ref` in `element`, or has left it (null). */
  point(element: HTMLElement | null, ref: CellRef | null, start: number): void {
    // An image left after the pointer reached another (pointerrawupdate comes before pointerleave) changes nothing.
    if (!ref && this.query.pointer && element !== this.pointerOwner) return;
    const q = this.query;
    q.pointer = ref;
    this.pointerOwner = ref ? element : null;
    if (q.pins.length) return this.publish("pointer", start, true);
    q.hover = ref;
    this.publishQuery(start, true);
  }

  /** Pins `ref`, or unpins it if it was pinned; the pointer is there. */
  toggle(ref: CellRef, start: number): void {
    const q = this.query;
    q.pins = togglePin(q.pins, ref);
    q.pointer = ref;
    if (!q.pins.length) q.hover = ref;
    this.publishQuery(start, false);
  }

  /** Replaces the pins (Clear pins: []; a closest cell picked: [ref]); without pins the pointer's cell is the query. */
  setPins(pins: readonly CellRef[], start: number): void {
    const q = this.query;
    q.pins = [...pins];
    if (!q.pins.length) q.hover = q.pointer;
    this.publishQuery(start, false);
  }

  /**
   * Takes the pointer, touch and keyboard input of `element`, which shows `place`: moving over a cell
   * hovers it (a tap or a drag moves the query there), a click, Enter or Space toggles its pin, and so does
   * a touch held still on a cell for `holdMs` (a deliberate gesture: taps never pin); the arrow keys move a
   * keyboard cursor, which starts at the page's query when it is on this image. Returns the function that
   * stops listening.
   */
  attach(element: HTMLElement, place: QueryPlace): () => void {
    const {grid} = place;
    const controller = new AbortController();
    const options = {signal: controller.signal};
    let last: Cell | null = null;
    let cursor: Cell | null = null;
    // What is new is judged against the engine's own pointer, not a copy kept here: that copy went stale
    // when the pointer left without a pointerleave (the page scrolled under it) or the table changed
    // (setTable forgets the pointer), and a move back onto that cell was then never reported.
    const report = (cell: Cell | null, timeStamp: number) => {
      last = cell;
      const owner = this.pointerOwner === element;
      const at = this.query.pointer;
      if (cell ? owner && at !== null && at.col === cell.col && at.row === cell.row : !owner) return;
      this.point(element, cell && place.ref(cell), timeStamp);
    };
    // Children ignore the pointer (CSS), so offsetX/Y are always relative to the element.
    const cellOf = (event: MouseEvent) => cellAt(event.offsetX, event.offsetY, place, grid);
    // A touch held still pins its cell; any move off the cell, or a lift before the time, cancels it.
    let hold: {timer: ReturnType<typeof setTimeout>; cell: Cell} | null = null;
    const cancelHold = () => void (hold && clearTimeout(hold.timer), (hold = null));
    controller.signal.addEventListener("abort", cancelHold);
    element.addEventListener("pointerdown", (event) => {
      // A touch captures the pointer to where it started; release it, so a drag reaches other images.
      if (event.pointerType === "touch" && element.hasPointerCapture(event.pointerId)) element.releasePointerCapture(event.pointerId);
      const cell = cellOf(event);
      report(cell, event.timeStamp);
      cancelHold();
      if (event.pointerType === "touch") {
        hold = {cell, timer: setTimeout(() => {
          hold = null;
          this.toggle(place.ref(cell), performance.now());
        }, QueryEngine.holdMs)};
      }
    }, options);
    element.addEventListener("pointermove", (event) => {
      if (hold && event.pointerType === "touch") {
        const cell = cellOf(event);
        if (cell.col !== hold.cell.col || cell.row !== hold.cell.row) cancelHold();
      }
    }, options);
    element.addEventListener("pointerup", cancelHold, options);
    element.addEventListener("pointercancel", cancelHold, options);
    // A long press would open the browser's menu over the image.
    element.addEventListener("contextmenu", (event) => (event as PointerEvent).pointerType === "touch" && event.preventDefault(), options);
    // Chrome holds pointermove back until the next animation frame (up to 16 ms); pointerrawupdate comes as
    // soon as the pointer moves, so the worker can compute while that frame is being drawn.
    const move = "onpointerrawupdate" in element ? "pointerrawupdate" : "pointermove";
    element.addEventListener(move, (event) => report(cellOf(event as PointerEvent), event.timeStamp), options);
    // A lifted finger leaves too; keep its cell (a touch overlay should stay where it was put).
    element.addEventListener("pointerleave", (event) => event.pointerType !== "touch" && report(null, event.timeStamp), options);
    element.addEventListener("click", (event) => {
      // A tap moved the query already (pointerdown); a held touch pinned. Only a mouse or pen click pins.
      if ((event as PointerEvent).pointerType === "touch") return;
      this.toggle(place.ref(cellOf(event)), event.timeStamp);
    }, options);
    element.addEventListener("focus", (event) => {
      // Start where the page's query is when it is on this image (Home's first query), else the centre.
      const h = this.query.pins[0] ?? this.query.hover;
      const here = h && sameRef(place.ref({col: h.col, row: h.row}), h) ? {col: h.col, row: h.row} : null;
      cursor ??= last ?? here ?? {col: grid.width >> 1, row: grid.height >> 1};
      report(cursor, event.timeStamp);
    }, options);
    element.addEventListener("blur", (event) => {
      cursor = null;
      report(null, event.timeStamp);
    }, options);
    element.addEventListener("keydown", (event) => {
      if (!cursor) return;
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        this.toggle(place.ref(cursor), event.timeStamp);
        return;
      }
      const moved = moveCell(cursor, event.key, grid);
      if (!moved) return;
      event.preventDefault(); // no scrolling
      cursor = moved;
      report(moved, event.timeStamp);
    }, options);
    return () => {
      controller.abort();
      if (this.pointerOwner === element) (this.pointerOwner = null), (this.query.pointer = null);
    };
  }

  /** Stops the clear timer and forgets every subscriber. */
  dispose(): void {
    clearTimeout(this.clearTimer);
    this.listeners.clear();
  }

  private setRefs(): void {
    const q = this.query;
    if (q.pins.length) q.refs = q.pins;
    else if (q.hover) (this.one[0] = q.hover), (q.refs = this.one);
    else q.refs = [];
  }

  /** New query cells: a new seq, the state written back, and (without cells) the clear after a moment. */
  private publishQuery(start: number, soon: boolean): void {
    const q = this.query;
    ++q.seq;
    this.setRefs();
    this.state.query = q.hover;
    this.state.pins = q.pins as CellRef[];
    clearTimeout(this.clearTimer);
    // No query: the overlays go after a moment, so that crossing the gap between two images does not flash.
    if (!q.refs.length) this.clearTimer = setTimeout(() => this.publish("clear", performance.now(), false), this.clearDelay);
    this.publish("query", start, soon);
  }

  private publish(change: QueryChange, start: number, soon: boolean): void {
    const q = this.query;
    q.change = change;
    q.start = start;
    q.soon = soon;
    for (const listener of this.listeners) listener(q);
  }
}
