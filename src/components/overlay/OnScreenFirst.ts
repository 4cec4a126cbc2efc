// Which images of a figure to compute and paint first. With many images, a hover computes and paints the
// images on screen (or within a tenth of a screen of it) first: the worker's time grows with the cells it covers,
// and a canvas changed off screen still costs the browser time in the next frame, delaying the next hover.
// The other images are marked stale; once the query rests (or as they come into view) their values are
// computed and they are painted.
//
// Per image: `visible` (near the viewport, from an IntersectionObserver), `fresh` (its values belong to the
// query on show) and `stale` (its canvas shows something else). `pending` counts stale images; the figure
// writes it to data-pending, which tests wait on before reading every overlay.

/** What OnScreenFirst needs from its figure. */
export interface OnScreenFirstOptions {
  /** Index of each image's first cell, with the total at the end. */
  cellStart: Int32Array;
  /** The images' elements, in order, to watch for visibility. */
  elements: readonly Element[];
  /** More elements showing the same images (a second picture of each, in the same order): an image is on screen when any of its elements is. */
  moreElements?: readonly Element[];
  /** Paints image i from the figure's current values. */
  paint(image: number): void;
  /**
   * Asks the worker for the cells in `ranges` ([from, to, …]) of the query on show; `done` gets the values
   * (only those ranges are meaningful), or null if a newer query came first.
   */
  fetch(ranges: number[], done: (values: Float32Array | null) => void): void;
  /** Called when `pending` changes. */
  onPending(pending: number): void;
}

export class OnScreenFirst {
  private readonly count: number;
  private readonly visible: Uint8Array;
  /** Per watched element (elements, then moreElements): whether it is near the viewport. */
  private readonly seen: Uint8Array;
  private readonly fresh: Uint8Array;
  private readonly stale: Uint8Array;
  private pendingCount = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private rest: Promise<void> | null = null;
  private readonly observer: IntersectionObserver;

  constructor(private readonly options: OnScreenFirstOptions) {
    this.count = options.elements.length;
    this.visible = new Uint8Array(this.count).fill(1); // until the observer has reported
    this.fresh = new Uint8Array(this.count);
    this.stale = new Uint8Array(this.count);
    this.observer = new IntersectionObserver((entries) => this.onIntersect(entries), {rootMargin: "10% 0px"});
    const watched = [...options.elements, ...(options.moreElements ?? [])];
    this.seen = new Uint8Array(watched.length).fill(1);
    watched.forEach((element, i) => {
      (element as HTMLElement).dataset.screenIndex = String(i);
      this.observer.observe(element);
    });
  }

  get pending(): number {
    return this.pendingCount;
  }

  /** Cell ranges of the images near the viewport, or undefined when that is every image. */
  visibleRanges(): number[] | undefined {
    const {cellStart} = this.options;
    if (this.visible.every((v) => v === 1)) return undefined;
    const ranges: number[] = [];
    for (let i = 0; i < this.count; ++i) {
      if (!this.visible[i]) continue;
      if (ranges.length && ranges[ranges.length - 1] === cellStart[i]) ranges[ranges.length - 1] = cellStart[i + 1];
      else ranges.push(cellStart[i], cellStart[i + 1]);
    }
    return ranges;
  }

  /** New values arrived for a new query, for the cells in `ranges` (every cell when undefined). */
  received(ranges: readonly number[] | undefined): void {
    this.fresh.fill(ranges ? 0 : 1);
    if (ranges) this.forRanges(ranges, (i) => (this.fresh[i] = 1));
  }

  /** Paints the visible images that have values; marks the rest stale, to be done once the query rests. */
  paint(): void {
    for (let i = 0; i < this.count; ++i) {
      if (this.visible[i] && this.fresh[i]) this.paintImage(i);
      else if (!this.stale[i]) (this.stale[i] = 1), ++this.pendingCount;
    }
    this.report();
    if (this.pendingCount) this.schedule(80);
  }

  /** Computes what the stale images lack and paints them all; resolves when done or superseded. */
  finish(): Promise<void> {
    clearTimeout(this.timer);
    if (!this.pendingCount) return Promise.resolve();
    const {cellStart} = this.options;
    const missing: number[] = [];
    for (let i = 0; i < this.count; ++i) if (this.stale[i] && !this.fresh[i]) missing.push(cellStart[i], cellStart[i + 1]);
    if (!missing.length) return Promise.resolve(this.paintStale());
    if (this.rest) return this.rest;
    // fetch may answer at once (a newer query is on its way): then nothing is left waiting here, or every
    // later rest would find this one still "in progress" and never ask again.
    let answered = false;
    let rest: Promise<void> | null = null;
    rest = new Promise<void>((resolve) => {
      this.options.fetch(missing, (values) => {
        if (values) {
          this.forRanges(missing, (i) => (this.fresh[i] = 1));
          this.paintStale();
        }
        answered = true;
        if (rest && this.rest === rest) this.rest = null;
        resolve();
      });
    });
    if (!answered) this.rest = rest;
    return rest;
  }

  /** No query: nothing is stale any more (the figure clears its canvases). */
  clear(): void {
    clearTimeout(this.timer);
    this.fresh.fill(0);
    this.stale.fill(0);
    this.pendingCount = 0;
    this.report();
  }

  /** Stops watching the images and forgets the timer (the figure is gone). */
  dispose(): void {
    clearTimeout(this.timer);
    this.observer.disconnect();
  }

  private onIntersect(entries: IntersectionObserverEntry[]): void {
    for (const entry of entries) {
      const e = Number((entry.target as HTMLElement).dataset.screenIndex), i = e % this.count;
      this.seen[e] = entry.isIntersecting ? 1 : 0;
      this.visible[i] = this.seen[i] || (this.seen.length > this.count && this.seen[i + this.count]) ? 1 : 0;
      if (this.visible[i] && this.stale[i]) {
        if (this.fresh[i]) this.paintImage(i);
        else this.schedule(0);
      }
    }
    this.report();
  }

  private paintImage(i: number): void {
    this.options.paint(i);
    if (this.stale[i]) (this.stale[i] = 0), --this.pendingCount;
  }

  private paintStale(): void {
    for (let i = 0; i < this.count && this.pendingCount > 0; ++i) if (this.stale[i]) this.paintImage(i);
    this.report();
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.finish(), ms);
  }

  private report(): void {
    this.options.onPending(this.pendingCount);
  }

  /** Calls `f` with each image whose cells lie in `ranges` (image boundaries, as from visibleRanges()). */
  private forRanges(ranges: readonly number[], f: (image: number) => void): void {
    const {cellStart} = this.options;
    for (let r = 0, i = 0; r + 1 < ranges.length; r += 2) {
      while (i < this.count && cellStart[i] < ranges[r]) ++i;
      for (; i < this.count && cellStart[i + 1] <= ranges[r + 1]; ++i) f(i);
    }
  }
}
