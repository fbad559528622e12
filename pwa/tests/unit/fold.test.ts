// fold.ts must fold exactly like the server's search.Fold: both are checked
// against the same table, search/testdata/fold.tsv.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { test } from "node:test";
import { fold, foldWords } from "../../src/data/fold.ts";

const table = resolve(process.cwd(), "../search/testdata/fold.tsv");

test("fold agrees with search.Fold on every row of search/testdata/fold.tsv", () => {
  const rows = readFileSync(table, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "" && !l.startsWith("#"))
    .map((l) => l.split("\t"));
  assert.ok(rows.length >= 15, `the table has rows (${rows.length})`);
  for (const [input, want] of rows) {
    assert.equal(fold(input!), want, `fold(${JSON.stringify(input)})`);
  }
});

test("fold handles decomposed input, capitals and symbols like the Go code", () => {
  assert.equal(fold("Zu\u0308geln"), "zugeln", "NFD umlaut");
  assert.equal(fold("ZÜGELN"), "zugeln");
  assert.equal(fold("STRAẞE"), "strasse", "capital sharp s");
  assert.equal(fold("  «Hund» – 2× "), "hund    2", "punctuation becomes spaces, only the ends are trimmed");
  assert.equal(fold("Aeschi Oel Uebung"), "aschi ol ubung", "digraphs at the start of words");
  assert.equal(fold("Quelle Steuer neue Bauer"), "quelle steuer neue bauer", "no digraph after a vowel or q");
  assert.equal(fold("Chäs-Küechli"), "chas kuchli");
  assert.equal(fold(""), "");
  assert.deepEqual(foldWords("  Déclaration d'impôt! "), ["declaration", "d", "impot"]);
});
