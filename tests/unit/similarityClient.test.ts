// SimilarityClient (the page's side of the similarity worker) against the worker's real API run in Node, with
// the replies held back so that requests overlap as they do under fast hovering on a loaded machine: every
// request is answered exactly once (values, or null when it was dropped), the newest request is the one
// computed, and a reply made for another version of the table is not handed over as values.
import assert from "node:assert/strict";
import {test} from "node:test";
import {SimilarityClient, type SimilarityRequest} from "../../src/components/clients/similarityClient.js";
import type {WorkerHandle} from "../../src/components/clients/startWorker.js";
import {similarityApi} from "../../workers/similarity/api.js";
import type {SimilarityApi} from "../../workers/similarity.js";

const C = 4;
const info = {name: "mixed4", output: "mixed4", channels: C, stride: 16, receptiveField: 100, offset: 7, finetuned: false, layout: "NCHW" as const, model: "m"};

/** A handle whose compute() runs the real API once the test releases it (one pending reply at a time). */
function heldWorker() {
  const held: Array<() => void> = [];
  const remote = {
    compute: (...args: Parameters<typeof similarityApi.compute>) => new Promise((resolve) => held.push(() => resolve(similarityApi.compute(...args))))
  };
  const release = async () => {
    while (!held.length) await new Promise((r) => setTimeout(r, 1));
    held.shift()!();
    await new Promise((r) => setTimeout(r, 1));
  };
  return {handle: {remote, worker: null} as unknown as WorkerHandle<SimilarityApi>, release, pending: () => held.length};
}

test("every request is answered once; superseded ones with null; the newest is computed", async () => {
  const values = Float32Array.from({length: 9 * C}, (_, i) => ((i * 7) % 5) + (i % C === 0 ? 2 : 0));
  const summary = similarityApi.loadValues("k", info, [{grid: {width: 3, height: 3}, values}]);
  const {handle, release} = heldWorker();
  const client = new SimilarityClient(handle);
  const answers = new Map<number, number[]>();
  const ask = (seq: number, query: number) => {
    const request: SimilarityRequest = {key: "k", version: summary.version, seq, queries: [query], kind: "cosine"};
    client.request(request, (result, r) => {
      assert.equal(r, request);
      const got = answers.get(seq) ?? [];
      got.push(result ? result[query] : Number.NaN);
      answers.set(seq, got);
    });
  };
  ask(1, 0); // in flight
  ask(2, 1); // waiting, then superseded by 3 before being sent
  ask(3, 2); // waiting
  assert.deepEqual(answers.get(2), [Number.NaN], "the superseded request is told at once");
  ask(4, 3); // supersedes 3 in turn
  await release(); // 1's reply comes back while 4 waits: dropped
  assert.deepEqual(answers.get(1), [Number.NaN]);
  await release(); // 4 is computed
  assert.ok(Math.abs(answers.get(4)![0] - 1) < 0.02, "a cell is similar to itself");
  assert.deepEqual([...answers.keys()].sort(), [1, 2, 3, 4]);
  for (const [seq, got] of answers) assert.equal(got.length, 1, `request ${seq} answered ${got.length} times`);
  // A request made for an older version of the table is answered with null, not with the new table's values.
  ask(5, 8);
  const newer = similarityApi.loadValues("k", info, [{grid: {width: 2, height: 2}, values: values.subarray(0, 4 * C)}]);
  assert.notEqual(newer.version, summary.version);
  await release();
  assert.deepEqual(answers.get(5), [Number.NaN]);
});
