import assert from "node:assert/strict";
import { test } from "node:test";
import { matchRanges, segments } from "../../src/search/highlight.ts";

const show = (text: string, ranges: Parameters<typeof segments>[1]) =>
  segments(text, ranges)
    .map((s) => (s.mark ? `[${s.text}]` : s.text))
    .join("");

test("segments mark code-point ranges, merged and clamped", () => {
  assert.equal(show("Hund anmelden", [{ start: 0, length: 4 }]), "[Hund] anmelden");
  assert.equal(show("Zügeln", [{ start: 0, length: 2 }]), "[Zü]geln");
  // Code points, not UTF-16 units: the emoji counts as one.
  assert.equal(show("🐕 Hund", [{ start: 2, length: 4 }]), "🐕 [Hund]");
  assert.equal(show("abcdef", [{ start: 3, length: 2 }, { start: 0, length: 2 }, { start: 1, length: 2 }]), "[abcde]f", "overlapping and touching ranges merge");
  assert.equal(show("abc", [{ start: 2, length: 10 }, { start: -3, length: 1 }, { start: 1, length: 0 }]), "ab[c]");
  assert.equal(show("abc", null), "abc");
  assert.deepEqual(segments("", []), [{ text: "", mark: false }]);
  // Server text is never interpreted as markup.
  assert.equal(show("<b>x</b>", [{ start: 3, length: 1 }]), "<b>[x]</b>");
});

test("matchRanges finds the words whose folded form matched, prefixes and compound parts", () => {
  const r = (text: string, terms: string[], prefixes: string[] = []) => show(text, matchRanges(text, new Set(terms), prefixes));
  assert.equal(r("Hund anmelden und Katze", ["hund"]), "[Hund] anmelden und Katze");
  assert.equal(r("Hund anmelden und Hundeabgabe", ["hund"]), "[Hund] anmelden und [Hundeabgabe]", "a compound containing the term");
  assert.equal(r("Hund anmelden und Hundeabgabe", ["abgabe"]), "Hund anmelden und [Hundeabgabe]");
  assert.equal(r("Umzug innerhalb Uster melden", ["umzug"]), "[Umzug] innerhalb Uster melden");
  assert.equal(r("Zügeln: Adressänderung", ["zugeln"]), "[Zügeln]: Adressänderung");
  assert.equal(r("Steuererklärung einreichen", [], ["steuerer"]), "[Steuererklärung] einreichen");
});
