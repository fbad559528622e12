import assert from "node:assert/strict";
import { test } from "node:test";
import { de } from "../../src/i18n/de.ts";
import { en } from "../../src/i18n/en.ts";
import { fr } from "../../src/i18n/fr.ts";
import { it } from "../../src/i18n/it.ts";
import { translate } from "../../src/i18n/index.ts";
import { isServerPath, matchRoute, searchHref } from "../../src/lib/router.ts";

const placeholders = (v: unknown) => [...JSON.stringify(v).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test("every language has every message, with the same placeholders as German", () => {
  for (const [lang, messages] of Object.entries({ fr, it, en })) {
    assert.deepEqual(Object.keys(messages).sort(), Object.keys(de).sort(), `${lang} has the same keys as de`);
    for (const key of Object.keys(de) as (keyof typeof de)[]) {
      assert.deepEqual(placeholders(messages[key]), placeholders(de[key]), `${lang} ${key} placeholders`);
    }
  }
});

test("Swiss German texts never use the sharp s", () => {
  assert.ok(!JSON.stringify(de).includes("ß"));
});

test("translate fills placeholders and picks plural forms", () => {
  assert.equal(translate("de", "category.services", { count: 1 }), "1 Dienstleistung");
  assert.equal(translate("de", "category.services", { count: 12 }), "12 Dienstleistungen");
  assert.equal(translate("fr", "category.services", { count: 2 }), "2 prestations");
  assert.equal(translate("en", "home.title", { city: "City of Uster" }), "City of Uster online counter");
});

test("routes", () => {
  assert.deepEqual(matchRoute("/"), { name: "home" });
  assert.deepEqual(matchRoute("/services/hund-anmelden"), { name: "service", slug: "hund-anmelden" });
  assert.deepEqual(matchRoute("/categories/abfall-umwelt/"), { name: "category", slug: "abfall-umwelt" });
  assert.deepEqual(matchRoute("/categories"), { name: "categories" });
  assert.deepEqual(matchRoute("/offices"), { name: "offices" });
  assert.deepEqual(matchRoute("/offices/steueramt"), { name: "office", slug: "steueramt" });
  assert.deepEqual(matchRoute("/services/"), { name: "not-found" });
  assert.deepEqual(matchRoute("/services/Hund"), { name: "not-found" });
  assert.deepEqual(matchRoute("/foo"), { name: "not-found" });
  assert.deepEqual(matchRoute("/search"), { name: "search" });
  assert.deepEqual(matchRoute("/favourites"), { name: "favourites" });
  assert.equal(searchHref("hund anmelden", { category: "tiere", channel: undefined }), "/search?q=hund+anmelden&category=tiere");
  assert.equal(searchHref(""), "/search");
  assert.ok(isServerPath("/api/docs"));
  assert.ok(isServerPath("/readyz"));
  assert.ok(!isServerPath("/apis"));
});
