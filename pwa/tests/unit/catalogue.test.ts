import assert from "node:assert/strict";
import { test } from "node:test";
import type { Catalogue, Service } from "../../src/api/types.ts";
import { getOffice, getService, listCategories, listServices } from "../../src/data/offline-query.ts";

const office = {
  slug: "einwohnerdienste",
  name: "Einwohnerdienste",
  address: { street: "Oberlandstrasse 78", postal_code: "8610", city: "Uster" },
  phone: "+41 44 944 71 21",
  email: "einwohnerdienste@uster.ch",
  location: { lat: 47.3, lon: 8.7 },
  opening_hours: [],
  service_count: 3,
};
const cat = (slug: string, kind: "topic" | "life_situation" = "topic") => ({ slug, kind, icon: "home", title: slug, service_count: 1 });

function service(slug: string, popularity: number, over: Partial<Service> = {}): Service {
  return {
    slug,
    title: slug,
    summary: `Summary of ${slug}`,
    description: "",
    description_html: "",
    office,
    categories: [cat("wohnen-umzug")],
    life_situations: [cat("umziehen", "life_situation")],
    audiences: [{ slug: "residents", title: "Residents" }],
    mode: "online",
    channels: ["online", "counter"],
    assurance: "none",
    popularity,
    online_form: false,
    last_reviewed: "2026-01-01",
    fees: [],
    processing_times: [],
    requirements: [],
    legal_basis: [],
    privacy: { data: "", purpose: "", retention: "", recipients: "" },
    contacts: [],
    related: [],
    keywords: [],
    synonyms: [],
    updated_at: "2026-01-01T00:00:00Z",
    ...over,
  };
}

const catalogue: Catalogue = {
  lang: "de",
  generated_at: "2026-11-01T10:00:00Z",
  services: [
    service("zuzug-anmelden", 90, { title: "Zuzug anmelden", keywords: ["zügeln", "Umzug"] }),
    service("hund-anmelden", 50, { title: "Hund anmelden", categories: [cat("tiere")], life_situations: [], channels: ["post"], synonyms: ["Hundemarke"] }),
    service("abfuhrkalender", 90, { title: "Abfuhrkalender", audiences: [{ slug: "businesses", title: "Businesses" }] }),
  ],
  categories: [cat("wohnen-umzug"), cat("tiere"), cat("umziehen", "life_situation")],
  audiences: [{ slug: "residents", title: "Residents" }],
  offices: [office],
};

test("offline lists are ordered by popularity, then slug, and filtered like the API", () => {
  assert.deepEqual(listServices(catalogue, {}).items.map((s) => s.slug), ["abfuhrkalender", "zuzug-anmelden", "hund-anmelden"]);
  assert.deepEqual(listServices(catalogue, { category: "umziehen" }).items.map((s) => s.slug), ["abfuhrkalender", "zuzug-anmelden"]);
  assert.deepEqual(listServices(catalogue, { category: "tiere" }).items.map((s) => s.slug), ["hund-anmelden"]);
  assert.deepEqual(listServices(catalogue, { channel: "post" }).items.map((s) => s.slug), ["hund-anmelden"]);
  assert.deepEqual(listServices(catalogue, { audience: "businesses" }).items.map((s) => s.slug), ["abfuhrkalender"]);
  assert.equal(listServices(catalogue, { office: "nowhere" }).total, 0);
  const first = listServices(catalogue, { limit: 2 });
  assert.equal(first.total, 3);
  assert.equal(first.items.length, 2);
  assert.ok(first.next_cursor);
  const second = listServices(catalogue, { limit: 2, cursor: first.next_cursor });
  assert.deepEqual(second.items.map((s) => s.slug), ["hund-anmelden"]);
  assert.equal(second.next_cursor, undefined);
  // Summaries carry slugs, not objects.
  assert.deepEqual(first.items[0]!.categories, ["wohnen-umzug"]);
});

test("offline lookups", () => {
  assert.equal(getService(catalogue, "hund-anmelden")?.title, "Hund anmelden");
  assert.equal(getService(catalogue, "nope"), undefined);
  assert.equal(getOffice(catalogue, "einwohnerdienste")?.name, "Einwohnerdienste");
  assert.deepEqual(listCategories(catalogue, "life_situation").map((c) => c.slug), ["umziehen"]);
});
