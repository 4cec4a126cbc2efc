import assert from "node:assert/strict";
import {existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {test} from "node:test";
import {codeDigest, invalidateChangedWorkers} from "../../data-loaders/datasetCache.js";

test("worker bundles cached by Framework are dropped once, when the code they are made of has no record yet or changed", () => {
  const cache = mkdtempSync(join(tmpdir(), "cache-"));
  const bundle = join(cache, "w", "similarity.js");
  mkdirSync(join(cache, "w"));
  writeFileSync(bundle, "old bundle");
  assert.equal(invalidateChangedWorkers(cache), true, "no record: the bundles are of unknown code");
  assert.equal(existsSync(bundle), false);
  mkdirSync(join(cache, "w"));
  writeFileSync(join(cache, "w", "kept.js"), "new bundle");
  assert.equal(invalidateChangedWorkers(cache), false, "same code: the bundles stay");
  assert.equal(existsSync(join(cache, "w", "kept.js")), true);
  // A record made by other code (an edit under workers/) drops them again.
  writeFileSync(join(cache, ".workers.fingerprint"), "0".repeat(64));
  assert.equal(invalidateChangedWorkers(cache), true);
  assert.equal(existsSync(join(cache, "w", "kept.js")), false);
  assert.equal(readFileSync(join(cache, ".workers.fingerprint"), "utf8").length, 64);
});

test("the code digest follows the bytes of the .ts files under the folders it is given", () => {
  assert.equal(codeDigest(["workers"]), codeDigest(["workers"]));
  assert.notEqual(codeDigest(["workers"]), codeDigest(["workers", "src/core"]));
  assert.notEqual(codeDigest(["workers"]), codeDigest(["no-such-folder"]));
});
