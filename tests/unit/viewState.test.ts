import assert from "node:assert/strict";
import {test} from "node:test";
import {formatCellRef, formatViewState, linkFallbacks, overlayDefaults, parseCellRef, parseViewState, type ViewState} from "../../src/components/url/viewState.js";

const defaults = overlayDefaults("animals");
const datasets = ["animals", "objects"];

test("parseViewState of an empty query string gives the defaults", () => {
  assert.deepEqual(parseViewState("", defaults, datasets), {...defaults, layer: undefined, layers: undefined, query: null, pins: []});
  assert.equal(formatViewState(parseViewState("", defaults, datasets), defaults), "");
});

test("formatViewState and parseViewState round-trip a full view", () => {
  const state: ViewState = {
    dataset: "objects", layer: "mixed3", kind: "dot", colormap: "viridis", scale: "set", opacity: 0.55, field: false, smooth: true,
    query: {image: 2, col: 5, row: 7}, pins: [{image: 2, col: 5, row: 7}, {image: 10, col: 0, row: 16}], copies: 3, image: 4, layers: ["mixed1", "mixed8"]
  };
  const search = formatViewState(state, defaults);
  assert.equal(search, "?set=objects&layer=mixed3&layers=mixed1,mixed8&image=4&kind=dot&colormap=viridis&scale=set&opacity=0.55&field=0&smooth=1&copies=3&q=2.5.7&pins=2.5.7,10.0.16");
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

test("a colour map from a link without an opacity starts at its own (0.6), which the link then leaves out", () => {
  const state = parseViewState("?colormap=viridis", defaults, datasets);
  assert.equal(state.opacity, 0.6);
  assert.equal(formatViewState(state, defaults), "?colormap=viridis");
  assert.equal(parseViewState("?colormap=viridis&opacity=1", defaults, datasets).opacity, 1);
  assert.equal(formatViewState({...state, opacity: 1}, defaults), "?colormap=viridis&opacity=1");
});

test("linkFallbacks names what a link asked for that is not there, and what is shown instead", () => {
  const shown = {dataset: {name: "animals", title: "Animals"}, layers: ["mixed4"], available: ["mixed0", "mixed4"], kind: "cosine", colormap: "veil", scale: "fixed"};
  assert.deepEqual(linkFallbacks("?set=animals&layer=mixed4", shown), []);
  assert.deepEqual(linkFallbacks("", shown), []);
  assert.deepEqual(linkFallbacks("?set=pets&layer=mixed99", shown), [
    "There is no set named “pets” here: showing Animals.",
    "Animals has no layer “mixed99”: showing mixed4 (its layers: mixed0, mixed4)."
  ]);
  assert.deepEqual(linkFallbacks("?kind=manhattan&colormap=jet", shown), ["There is no similarity “manhattan”: showing cosine.", "There is no colour map “jet”: showing veil."]);
  assert.deepEqual(linkFallbacks("?layers=mixed0,mixed7,mixed9", {...shown, layers: ["mixed0"]}), ["Animals has no layers “mixed7”, “mixed9”: showing mixed0 (its layers: mixed0, mixed4)."]);
});
