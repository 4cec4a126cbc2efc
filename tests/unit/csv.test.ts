// The CSV writer: quoting as RFC 4180 asks, numbers that read back exactly, empty fields for missing values.
import assert from "node:assert/strict";
import {test} from "node:test";
import {toCsv} from "../../src/core/csv.js";

test("fields with commas, quotes or line breaks are quoted, quotes doubled; rows end in CRLF", () => {
  assert.equal(toCsv(["a", "b"], [["x,y", 'say "hi"'], ["line\nbreak", "plain"]]), 'a,b\r\n"x,y","say ""hi"""\r\n"line\nbreak",plain\r\n');
});

test("numbers read back to the same float32 value; null, undefined and non-finite numbers are empty", () => {
  const v = Math.fround(0.123456789);
  const csv = toCsv(["v", "n", "u", "nan"], [[v, null, undefined, NaN]]);
  const [, row] = csv.split("\r\n");
  assert.equal(Math.fround(Number(row.split(",")[0])), v);
  assert.equal(row, `${String(v)},,,`);
});
