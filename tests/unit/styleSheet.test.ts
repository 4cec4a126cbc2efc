import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {test} from "node:test";

// A brace lost in src/style.css is not an error anywhere: the browser nests every later rule inside the open
// one and ignores them (a merge once did this to the phone layout and dark mode). So: every rule is closed,
// and every top-level rule starts at depth 0.
test("src/style.css: every block is closed where it should be, so no rule is swallowed by the one before it", () => {
  const css = readFileSync(join(import.meta.dirname, "..", "..", "src", "style.css"), "utf8").replace(/\/\*[\s\S]*?\*\//g, "");
  let depth = 0;
  const nested: string[] = [];
  css.split("\n").forEach((line, i) => {
    if (depth > 0 && /^[.#@a-z:[]/i.test(line)) nested.push(`line ${i + 1}: ${line.trim()}`);
    for (const ch of line) depth += ch === "{" ? 1 : ch === "}" ? -1 : 0;
    assert.ok(depth >= 0, `line ${i + 1} closes a block that is not open`);
  });
  assert.deepEqual(nested, [], "rules written at the top level but inside an open block");
  assert.equal(depth, 0, "blocks left open at the end");
});
