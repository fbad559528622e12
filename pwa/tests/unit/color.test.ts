import assert from "node:assert/strict";
import { test } from "node:test";
import { brandPalette, contrast, parseHex } from "../../src/lib/color.ts";

const WHITE = parseHex("#ffffff")!;

test("Uster blue takes white text and is itself readable on white", () => {
  const p = brandPalette("#00508c", "#b3122e");
  assert.equal(p.onPrimary, "#ffffff");
  assert.equal(p.primaryText, "#00508c");
  assert.ok(contrast(parseHex(p.primary)!, parseHex(p.onPrimary)!) >= 4.5);
});

test("a light brand colour gets dark text, and a darkened variant for text on white", () => {
  const p = brandPalette("#ffcc00", "#ffe680");
  assert.equal(p.onPrimary, "#111827");
  assert.ok(contrast(parseHex(p.primaryText)!, WHITE) >= 4.5, `primaryText ${p.primaryText}`);
  assert.ok(contrast(parseHex(p.accentUi)!, WHITE) >= 3, `accentUi ${p.accentUi}`);
});

test("invalid colours fall back to the defaults", () => {
  assert.equal(brandPalette("blue", "#zzz").primary, "#00508c");
  assert.deepEqual(parseHex("#abc"), [170, 187, 204]);
});
