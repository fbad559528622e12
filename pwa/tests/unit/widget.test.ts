// The widget bundle: built like `npm run build` does (vite.widget.config.ts),
// one ES module under the size budget of 30 kB gzipped, with no code that
// needs CSP exceptions on the host page.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { build } from "vite";
import { STRINGS, widgetLang } from "../../src/widget/strings.ts";

const BUDGET = 30 * 1024;

test("the widget is one ES module under 30 kB gzipped", async () => {
  const out = mkdtempSync(join(tmpdir(), "schalter-widget-"));
  try {
    await build({ configFile: resolve(process.cwd(), "vite.widget.config.ts"), logLevel: "silent", build: { outDir: out } });
    assert.deepEqual(readdirSync(out), ["schalter-search.js"], "a single file");
    const code = readFileSync(join(out, "schalter-search.js"), "utf8");
    const gz = gzipSync(code, { level: 9 }).length;
    console.log(`widget: ${(code.length / 1024).toFixed(1)} kB, ${(gz / 1024).toFixed(1)} kB gzipped`);
    assert.ok(gz < BUDGET, `schalter-search.js is ${gz} bytes gzipped (budget ${BUDGET})`);
    assert.match(code, /customElements\.define\(`schalter-search`|customElements\.define\("schalter-search"/, "defines <schalter-search>");
    assert.doesNotMatch(code, /\beval\(|new Function\(/, "no eval (CSP script-src without 'unsafe-eval')");
    assert.doesNotMatch(code, /\bimport\(/, "no dynamic imports: one request");
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test("the widget speaks de, fr, it and en, and picks the language from a tag", () => {
  const keys = Object.keys(STRINGS.de).sort();
  for (const lang of ["fr", "it", "en"] as const) assert.deepEqual(Object.keys(STRINGS[lang]).sort(), keys, lang);
  assert.ok(!JSON.stringify(Object.values(STRINGS.de).map((v) => (typeof v === "function" ? v.toString() : v))).includes("ß"));
  assert.equal(widgetLang("fr-CH"), "fr");
  assert.equal(widgetLang("IT"), "it");
  assert.equal(widgetLang("rm"), "de");
  assert.equal(widgetLang(undefined), "de");
  assert.equal(STRINGS.de.count(1), "1 Treffer. Mit den Pfeiltasten auswählen.");
});
