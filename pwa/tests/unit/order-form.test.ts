// The browser's side of the order forms, over the seeded definitions in
// db/seed/forms (the same files the server publishes): what shows, what is
// sent, and which issues the schema finds per field, for drafts and for
// a submission.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { test } from "node:test";
import type { FormOut } from "../../src/api/types.ts";
import { LANGS } from "../../src/i18n/index.ts";
import {
  choicesOf,
  cleanValues,
  differences,
  fieldIssues,
  fieldOfLocation,
  kindOf,
  parseInput,
  propertyOf,
  requiredFields,
  resumeSection,
  visibleSections,
} from "../../src/lib/order-form.ts";
import { issueText } from "../../src/lib/order-messages.ts";
import { store } from "../../src/state/store.ts";

const dir = resolve(process.cwd(), "../db/seed/forms");

function seedForm(slug: string): FormOut {
  const def = JSON.parse(readFileSync(resolve(dir, `${slug}.json`), "utf8"));
  return { service: slug, version: 1, state: "published", schema: def.schema, ui: def.ui };
}

const extract = seedForm("betreibungsregisterauszug-bestellen");
const complete = {
  given_name: "Tamara",
  family_name: "Keller",
  birth_date: "1991-04-12",
  street: "Bahnhofstrasse 1",
  postal_code: "8610",
  locality: "Uster",
  same_address_5_years: "yes",
  purpose: "rental",
  delivery: "account",
  copies: 1,
};

test("a complete extract order has no issues; each missing answer is named at its field only at submission", () => {
  assert.equal(fieldIssues(extract, complete, true).size, 0);
  const { given_name: _, ...partial } = complete;
  assert.deepEqual([...fieldIssues(extract, partial, true)], [["given_name", { kind: "required" }]]);
  assert.equal(fieldIssues(extract, partial, false).size, 0, "a draft may miss answers");
});

test("field issues name the rule broken, for drafts too", () => {
  const cases: [Record<string, unknown>, string, string, number?][] = [
    [{ postal_code: "86" }, "postal_code", "pattern"],
    [{ birth_date: "1991-13-40" }, "birth_date", "date"],
    [{ copies: 9 }, "copies", "maximum", 5],
    [{ copies: 0 }, "copies", "minimum", 1],
    [{ copies: 1.5 }, "copies", "integer"],
    [{ copies: "viele" }, "copies", "integer"],
    [{ given_name: "x".repeat(101) }, "given_name", "maxLength", 100],
    [{ purpose: "fun" }, "purpose", "enum"],
  ];
  for (const [values, field, kind, limit] of cases) {
    const issue = fieldIssues(extract, values, false).get(field);
    assert.ok(issue, `${JSON.stringify(values)} has an issue at ${field}`);
    assert.equal(issue.kind, kind, JSON.stringify(values));
    if (limit !== undefined) assert.equal(issue.limit, limit);
  }
});

test("conditional fields: previous addresses show and are required only after 'no'", () => {
  const names = (v: Record<string, unknown>) => visibleSections(extract, v).flatMap((s) => s.fields.map((f) => f.name));
  assert.ok(!names(complete).includes("previous_addresses"));
  const moved = { ...complete, same_address_5_years: "no" };
  assert.ok(names(moved).includes("previous_addresses"));
  assert.equal(fieldIssues(extract, moved, true).get("previous_addresses")?.kind, "required");
  assert.ok(requiredFields(extract).has("previous_addresses"), "required when it shows");
  assert.ok(!requiredFields(extract).has("comment"), "the comment is optional");
  // Switching back drops the hidden answer from what is sent.
  const back = { ...moved, previous_addresses: "Zürich", same_address_5_years: "yes" };
  assert.equal(cleanValues(extract, back)["previous_addresses"], undefined);
  assert.equal(fieldIssues(extract, back, true).size, 0);
});

test("inputs become the form's JSON: numbers in Swiss writing, empty is absent", () => {
  assert.equal(parseInput({ type: "integer" }, " 2 "), 2);
  assert.equal(parseInput({ type: "number" }, "47,35"), 47.35);
  assert.equal(parseInput({ type: "number" }, "1’200"), 1200);
  assert.equal(parseInput({ type: "integer" }, "zwei"), "zwei", "the schema then says it is no number");
  assert.equal(parseInput({ type: "string" }, "   "), undefined);
  assert.deepEqual(cleanValues(extract, { given_name: "", comment: "ok", photos: [] }), { comment: "ok" });
});

test("a map position outside the city and missing files are issues of their fields", () => {
  const lamp = seedForm("schaden-strasse-beleuchtung-melden");
  const position = lamp.ui.sections.flatMap((s) => s.fields).find((f) => f.name === "position")!;
  assert.equal(kindOf(position, propertyOf(lamp, "position")), "map");
  assert.equal(fieldIssues(lamp, { position: { lat: 46.0, lon: 8.7 } }, false).get("position")?.kind, "range");
  assert.equal(fieldIssues(lamp, { position: { lat: 47.35 } }, false).get("position")?.kind, "required", "both coordinates");
  const parking = seedForm("anwohnerparkkarte");
  assert.equal(fieldIssues(parking, { registration_document: ["att_AAAAAAAAAAAAAAAAAAAAAA", "att_BBBBBBBBBBBBBBBBBBBBBB", "att_CCCCCCCCCCCCCCCCCCCCCC"] }, false).get("registration_document")?.kind, "maxItems");
});

test("every seeded form renders: each field has a kind, each choice a label in every language, every issue a text", () => {
  const files = readdirSync(dir).filter((f) => f.endsWith(".json"));
  assert.ok(files.length >= 12, `${files.length} forms`);
  for (const file of files) {
    const form = seedForm(file.replace(/\.json$/, ""));
    for (const f of form.ui.sections.flatMap((s) => s.fields)) {
      const prop = propertyOf(form, f.name);
      const kind = kindOf(f, prop);
      for (const lang of LANGS) {
        for (const c of choicesOf(f, prop, lang)) assert.notEqual(c.label, c.value, `${file} ${f.name}=${c.value} has a ${lang} label`);
      }
      for (const k of ["required", "pattern", "minimum", "maxItems", "invalid"] as const) {
        for (const lang of LANGS) {
          store.setLang(lang);
          assert.ok(issueText({ kind: k, limit: 3 }, kind).length > 5);
        }
      }
    }
    // An empty draft is fine, an empty submission names every required field that shows.
    assert.equal(fieldIssues(form, {}, false).size, 0, file);
    const missing = [...fieldIssues(form, {}, true).keys()];
    const shown = new Set(visibleSections(form, {}).flatMap((s) => s.fields.map((f) => f.name)));
    for (const name of (form.schema as { required: string[] }).required) if (shown.has(name)) assert.ok(missing.includes(name), `${file}: ${name} missing`);
  }
  store.setLang("de");
});

test("the 412 dialog lists the fields that differ; a server location names its field; resume keeps a shown section", () => {
  assert.deepEqual(
    differences(extract, { ...complete, purpose: "rental" }, { ...complete, purpose: "job" }).map((f) => f.name),
    ["purpose"],
  );
  assert.equal(fieldOfLocation("body.data.microchip_number"), "microchip_number");
  assert.equal(fieldOfLocation("body.data.photos[0]"), "photos");
  assert.equal(fieldOfLocation("body.draft"), null);
  assert.equal(resumeSection(extract, complete, "order"), "order");
  assert.equal(resumeSection(extract, complete, "gone"), null);
});
