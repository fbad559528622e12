// The offline search (MiniSearch over the stored catalogue): typos,
// synonyms, compounds, prefixes, filters, facets, highlights; and its
// quality on the resident query set the server's engines are measured with
// (search/testdata/queries.tsv) over the demo catalogue (db/seed).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { test } from "node:test";
import type { Catalogue, Service } from "../../src/api/types.ts";
import { OfflineSearch, typoBudget } from "../../src/data/offline-search.ts";
import { segments } from "../../src/search/highlight.ts";
import { seedCatalogue, seedSynonyms } from "./seed-catalogue.ts";

const office = (slug: string, name: string) => ({ slug, name });
const cat = (slug: string, title = slug) => ({ slug, kind: "topic", icon: "home", title, service_count: 1 });

function service(slug: string, popularity: number, over: Partial<Record<keyof Service, unknown>>): Service {
  return {
    slug,
    title: slug,
    summary: "",
    description: "",
    office: office("einwohnerdienste", "Einwohnerdienste"),
    categories: [],
    life_situations: [],
    audiences: [{ slug: "residents", title: "Einwohner" }],
    channels: ["online"],
    keywords: [],
    synonyms: [],
    popularity,
    ...over,
  } as unknown as Service;
}

const fixture = {
  lang: "de",
  generated_at: "2026-11-01T10:00:00Z",
  services: [
    service("hund-anmelden", 72, {
      title: "Hund anmelden und Hundeabgabe",
      summary: "Wer in Uster einen Hund hält, muss ihn anmelden und jährlich die Hundeabgabe bezahlen.",
      keywords: ["Hund", "Hundesteuer", "Hundemarke"],
      synonyms: ["Hundli aamälde"],
      office: office("sicherheit", "Abteilung Sicherheit"),
      categories: [cat("tiere", "Tiere")],
      channels: ["online", "counter"],
    }),
    service("hund-abmelden", 40, {
      title: "Hund abmelden",
      summary: "Ist Ihr Hund gestorben oder weggezogen, melden Sie ihn ab.",
      office: office("sicherheit", "Abteilung Sicherheit"),
      categories: [cat("tiere", "Tiere")],
    }),
    service("betreibungsregisterauszug-bestellen", 96, {
      title: "Betreibungsregisterauszug bestellen",
      summary: "Der Auszug zeigt, ob gegen Sie Betreibungen eingeleitet wurden.",
      keywords: ["Betreibungsauszug"],
      synonyms: ["Betreibigsuszug"],
      office: office("betreibungsamt", "Betreibungsamt"),
      categories: [cat("steuern-finanzen", "Steuern und Finanzen")],
      channels: ["online", "counter", "post"],
    }),
    service("ratenzahlung-steuern", 30, {
      title: "Ratenzahlung für Steuern",
      summary: "So vermeiden Sie Mahnungen und eine Betreibung.",
      categories: [cat("steuern-finanzen", "Steuern und Finanzen")],
      channels: ["post"],
    }),
    service("umzug-innerhalb-melden", 88, {
      title: "Umzug innerhalb von Uster melden",
      summary: "Melden Sie Ihre neue Adresse innert 14 Tagen.",
      categories: [cat("wohnen-umzug", "Wohnen und Umzug")],
    }),
    service("steuererklaerung-einreichen", 90, {
      title: "Steuererklärung einreichen",
      summary: "Reichen Sie die Steuererklärung online ein.",
      categories: [cat("steuern-finanzen", "Steuern und Finanzen")],
      audiences: [{ slug: "businesses", title: "Unternehmen" }],
    }),
  ],
  categories: [cat("tiere", "Tiere"), cat("steuern-finanzen", "Steuern und Finanzen"), cat("wohnen-umzug", "Wohnen und Umzug")],
  audiences: [
    { slug: "residents", title: "Einwohnerinnen und Einwohner" },
    { slug: "businesses", title: "Unternehmen" },
  ],
  offices: [office("einwohnerdienste", "Einwohnerdienste"), office("sicherheit", "Abteilung Sicherheit"), office("betreibungsamt", "Betreibungsamt")],
} as unknown as Catalogue;

const search = new OfflineSearch(fixture, [["zügeln", "umziehen", "Umzug"], ["anmelden", "aamälde"]]);
const slugs = (q: string, p: object = {}) => (search.search({ q, ...p }).hits ?? []).map((h) => h.slug);

test("typo budget: one edit from 5 letters, two from 9", () => {
  assert.deepEqual(["hund", "hundd", "anmeldenn", "steuerkl"].map(typoBudget), [0, 1, 2, 1]);
});

test("typos, dialect synonyms, umlaut spellings and compounds find the service", () => {
  assert.equal(slugs("hundd anmelden")[0], "hund-anmelden", "typo in a 5-letter word");
  assert.equal(slugs("betreibigsuszug")[0], "betreibungsregisterauszug-bestellen", "the service's own dialect synonym");
  assert.equal(slugs("betreibigsuzug")[0], "betreibungsregisterauszug-bestellen", "… with a typo");
  assert.equal(slugs("zügeln")[0], "umzug-innerhalb-melden", "a curated synonym group: zügeln = Umzug");
  assert.equal(slugs("Zuegeln")[0], "umzug-innerhalb-melden", "ue for ü");
  assert.equal(slugs("hund aamälde")[0], "hund-anmelden", "dialect spelling via the synonym group");
  assert.equal(slugs("abgabe")[0], "hund-anmelden", "a part of a compound (Hundeabgabe)");
  assert.equal(slugs("Hundeanmeldung")[0], "hund-anmelden", "a compound the catalogue does not write");
  assert.equal(slugs("steuer erklärung")[0], "steuererklaerung-einreichen", "a compound written apart");
  assert.equal(slugs("betreibungs auszug")[0], "betreibungsregisterauszug-bestellen");
  assert.equal(slugs("steuererkl")[0], "steuererklaerung-einreichen", "prefix of the word being typed");
  assert.deepEqual(slugs("steuererkl "), [], "no prefix once the word is finished (space typed)");
  assert.equal(slugs("wie melde ich meinen hund an")[0], "hund-anmelden", "stop words are ignored");
  assert.deepEqual(slugs("xyzzy"), []);
});

test("services matching every word come first; popularity breaks ties", () => {
  const hits = slugs("hund");
  assert.deepEqual(hits.slice(0, 2).sort(), ["hund-abmelden", "hund-anmelden"]);
  const both = slugs("hund abmelden");
  assert.equal(both[0], "hund-abmelden");
  assert.ok(both.includes("hund-anmelden"), "services matching some words follow");
  // The empty query lists the most popular services.
  assert.deepEqual(slugs("").slice(0, 3), ["betreibungsregisterauszug-bestellen", "steuererklaerung-einreichen", "umzug-innerhalb-melden"]);
});

test("filters, facets over all matching services, and paging", () => {
  const all = search.search({ q: "" });
  assert.equal(all.total, 6);
  assert.deepEqual(all.facets.category?.[0], { value: "steuern-finanzen", title: "Steuern und Finanzen", count: 3 });
  assert.deepEqual(all.facets.channel?.find((f) => f.value === "post"), { value: "post", title: "post", count: 2 });
  assert.deepEqual(all.facets.office?.find((f) => f.value === "sicherheit"), { value: "sicherheit", title: "Abteilung Sicherheit", count: 2 });
  assert.deepEqual(all.facets.audience?.find((f) => f.value === "businesses"), { value: "businesses", title: "Unternehmen", count: 1 });
  assert.deepEqual(slugs("", { category: "tiere" }), ["hund-anmelden", "hund-abmelden"]);
  assert.deepEqual(slugs("", { channel: "post" }), ["betreibungsregisterauszug-bestellen", "ratenzahlung-steuern"]);
  assert.deepEqual(slugs("", { audience: "businesses" }), ["steuererklaerung-einreichen"]);
  assert.deepEqual(slugs("", { office: "betreibungsamt" }), ["betreibungsregisterauszug-bestellen"]);
  const filtered = search.search({ q: "", category: "steuern-finanzen" });
  assert.deepEqual(filtered.facets.category, [{ value: "steuern-finanzen", title: "Steuern und Finanzen", count: 3 }]);
  const page = search.search({ q: "", limit: 4, offset: 4 });
  assert.equal(page.total, 6);
  assert.equal(page.hits?.length, 2);
});

test("highlights are code-point ranges of the returned title and summary", () => {
  const hit = search.search({ q: "hundd" }).hits!.find((h) => h.slug === "hund-anmelden")!;
  const marked = segments(hit.title, hit.highlights.title).filter((s) => s.mark).map((s) => s.text);
  assert.deepEqual(marked, ["Hund", "Hundeabgabe"]);
  const sug = search.suggest("betreibungsr");
  assert.equal(sug.suggestions?.[0]?.slug, "betreibungsregisterauszug-bestellen");
  assert.deepEqual(segments(sug.suggestions![0]!.title, sug.suggestions![0]!.highlights).filter((s) => s.mark).map((s) => s.text), ["Betreibungsregisterauszug"]);
  assert.equal(search.suggest("  ").suggestions?.length, 0);
  assert.ok((search.suggest("a", 3).suggestions?.length ?? 0) <= 3);
});

test("quality on the resident query set (search/testdata/queries.tsv) over the demo catalogue", () => {
  const synonyms = seedSynonyms();
  const engines = new Map<string, OfflineSearch>();
  const lines = readFileSync(resolve(process.cwd(), "../search/testdata/queries.tsv"), "utf8")
    .split("\n")
    .filter((l) => l.trim() && !l.startsWith("#"))
    .slice(1);
  let top1 = 0;
  let top3 = 0;
  const misses: string[] = [];
  for (const line of lines) {
    const [q, lang, want] = line.split("\t") as [string, string, string];
    if (!engines.has(lang)) engines.set(lang, new OfflineSearch(seedCatalogue(lang), synonyms));
    const hits = engines.get(lang)!.search({ q, limit: 10 }).hits ?? [];
    const rank = hits.findIndex((h) => h.slug === want) + 1;
    if (rank === 1) top1++;
    if (rank >= 1 && rank <= 3) top3++;
    else misses.push(`${q} (${lang}) → want ${want}, got ${hits.slice(0, 3).map((h) => h.slug).join(", ")}`);
  }
  const n = lines.length;
  console.log(`offline search: ${n} queries, top 1 ${((100 * top1) / n).toFixed(0)} %, top 3 ${((100 * top3) / n).toFixed(0)} %`);
  assert.ok(n >= 100, "the query set is there");
  assert.ok(top3 / n >= 0.95, `at least 95 % of the queries find their service in the top 3 (misses:\n${misses.join("\n")})`);
  assert.ok(top1 / n >= 0.85, "at least 85 % first");
});
