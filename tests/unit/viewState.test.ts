import assert from "node:assert/strict";
import {test} from "node:test";
import {formatCellRef, formatViewState, overlayDefaults, parseCellRef, parseViewState, type ViewState} from "../../src/components/url/viewState.js";

const defaults = overlayDefaults("animals");
const datasets = ["animals", "objects"];

test("parseViewState of an empty query string gives the defaults", () => {
  assert.deepEqual(parseViewState("", defaults, datasets), {...defaults, layer: undefined, layers: undefined, query: null, pins: []});
  assert.equal(formatViewState(parseViewState("", defaults, datasets), defaults), "");
});

test("formatViewState and parseViewState round-trip a full view", () => {
  const state: ViewState = {
    dataset: "objects", layer: "mixed3", kind: "dot", colormap: "viridis", scale: "set", opacity: 0.55, field: false,
    query: {image: 2, col: 5, row: 7}, pins: [{image: 2, col: 5, row: 7}, {image: 10, col: 0, row: 16}], copies: 3, image: 4, layers: ["mixed1", "mixed8"]
  };
  const search = formatViewState(state, defaults);
  assert.equal(search, "?set=objects&layer=mixed3&layers=mixed1,mixed8&image=4&kind=dot&colormap=viridis&scale=set&opacity=0.55&field=0&copies=3&q=2.5.7&pins=2.5.7,10.0.16");
  assert.deepEqual(parseViewState(search, defaults, datasets), state);
});

test("parseViewState falls back to the default for each value it cannot read", () => {
  const state = parseViewState("?set=nope&kind=manhattan&colormap=jet&scale=log&opacity=3&copies=0&image=-1&q=x&pins=1.2,3.4.5", defaults, datasets);
  assert.equal(state.dataset, "animals");
  assert.equal(state.kind, "cosine");
  assert.equal(state.colormap, "auto");
  assert.equal(state.scale, "fixed");
  assert.equal(state.opacity, 1);
  assert.equal(state.copies, 1);
  assert.equal(state.image, 0);
  assert.equal(state.query, null);
  assert.deepEqual(state.pins, [{image: 3, col: 4, row: 5}]);
});

test("a page with a default query writes q=none once it is cleared", () => {
  const withQuery = {...defaults, query: {image: 0, col: 7, row: 6}};
  const state = parseViewState("", withQuery, datasets);
  assert.deepEqual(state.query, {image: 0, col: 7, row: 6});
  state.query = null;
  assert.equal(formatViewState(state, withQuery), "?q=none");
  assert.equal(parseViewState("?q=none", withQuery, datasets).query, null);
});

test("parseCellRef and formatCellRef, with and without a layer", () => {
  assert.deepEqual(parseCellRef("3.5.7"), {image: 3, col: 5, row: 7});
  assert.deepEqual(parseCellRef("0.16.2.mixed4"), {image: 0, col: 16, row: 2, layer: "mixed4"});
  assert.equal(formatCellRef({image: 0, col: 16, row: 2, layer: "mixed4"}), "0.16.2.mixed4");
  assert.equal(parseCellRef("3.5"), null);
  assert.equal(parseCellRef("a.b.c"), null);
});
