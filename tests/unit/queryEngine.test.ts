// QueryEngine without a page: what subscribers are told as the pointer moves, pins are toggled, the table
// changes and the pointer leaves; input from elements (attach) is exercised by the e2e tests.
import assert from "node:assert/strict";
import {test} from "node:test";
import {QueryEngine, type Query} from "../../src/components/query/QueryEngine.js";
import type {CellRef} from "../../src/components/query/queryState.js";

function record(engine: QueryEngine): Array<Pick<Query, "change" | "seq" | "version"> & {refs: CellRef[]; pointer: CellRef | null}> {
  const seen: ReturnType<typeof record> = [];
  engine.subscribe((q) => seen.push({change: q.change, seq: q.seq, version: q.version, refs: [...q.refs], pointer: q.pointer}));
  return seen;
}

const a = {image: 0, col: 1, row: 2}, b = {image: 1, col: 3, row: 4};
const frame = {} as HTMLElement, other = {} as HTMLElement;

test("hovers publish new queries with growing numbers; with pins the pointer only reads; the state follows", () => {
  const state = {query: null as CellRef | null, pins: [] as CellRef[]};
  const engine = new QueryEngine(state, 10_000);
  const seen = record(engine);
  engine.setTable(7, (ref) => ref);
  engine.point(frame, a, 1);
  const hovered = engine.query.seq;
  assert.deepEqual(seen.at(-1), {change: "query", seq: hovered, version: 7, refs: [a], pointer: a});
  assert.deepEqual(state.query, a);
  engine.toggle(a, 2);
  assert.deepEqual(state.pins, [a]);
  assert.ok(!engine.isCurrent(hovered), "a reply to the hover is stale once the pin is made");
  const pinned = engine.query.seq;
  engine.point(frame, b, 3);
  assert.deepEqual(seen.at(-1), {change: "pointer", seq: pinned, version: 7, refs: [a], pointer: b});
  assert.ok(engine.isCurrent(pinned), "reading values is not a new query");
  engine.setPins([], 4);
  assert.deepEqual(seen.at(-1)?.refs, [b], "without pins the pointer's cell is the query");
  engine.dispose();
});

test("a new table moves or drops the cells and makes earlier queries stale", () => {
  const engine = new QueryEngine({query: a, pins: [a, b]}, 10_000);
  const seen = record(engine);
  const before = engine.query.seq;
  engine.setTable(3, (ref) => (ref.image === 0 ? {...ref, col: 0} : null));
  assert.deepEqual(seen.at(-1), {change: "query", seq: before + 1, version: 3, refs: [{image: 0, col: 0, row: 2}], pointer: null});
  assert.ok(!engine.isCurrent(before));
  engine.dispose();
});

test("leaving the images clears after the delay, unless a new query comes first; leaving an image the pointer already left changes nothing", async () => {
  const engine = new QueryEngine({query: null, pins: []}, 20);
  const seen = record(engine);
  engine.point(frame, a, 1);
  engine.point(other, b, 2);
  const count = seen.length;
  engine.point(frame, null, 3); // the old frame's pointerleave after the new frame's move
  assert.equal(seen.length, count);
  engine.point(other, null, 4);
  assert.deepEqual(seen.at(-1)?.refs, []);
  engine.point(other, a, 5);
  await new Promise((resolve) => setTimeout(resolve, 40));
  assert.ok(!seen.some((q) => q.change === "clear"), "no clear once a new query came");
  engine.point(other, null, 6);
  await new Promise((resolve) => setTimeout(resolve, 40));
  assert.equal(seen.at(-1)?.change, "clear");
  engine.dispose();
});
