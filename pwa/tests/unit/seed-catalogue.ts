// Builds catalogue snapshots (the shape of GET /api/v1/catalogue) from the
// demo seed in db/seed, with the server's fallbacks: missing translations
// are German; keywords and synonyms of other languages add the German ones.
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { load } from "js-yaml";
import type { Catalogue, Service } from "../../src/api/types.ts";

type L10n<T> = Partial<Record<string, T>>;
interface SeedService {
  slug: string;
  state: string;
  office: string;
  categories?: string[];
  life_situations?: string[];
  audiences?: string[];
  channels?: string[];
  mode: Service["mode"];
  popularity: number;
  title: L10n<string>;
  summary: L10n<string>;
  description?: L10n<string>;
  keywords?: L10n<string[]>;
  synonyms?: L10n<string[]>;
}
interface Named {
  slug: string;
  kind?: string;
  icon?: string;
  title?: L10n<string>;
  name?: L10n<string>;
}

const seed = resolve(process.cwd(), "../db/seed");
const yaml = <T>(path: string) => load(readFileSync(path, "utf8")) as T;

const pick = <T>(v: L10n<T> | undefined, lang: string): T | undefined => v?.[lang] ?? v?.["de"];
const words = (v: L10n<string[]> | undefined, lang: string) => [...new Set([...(lang === "de" ? [] : (v?.[lang] ?? [])), ...(v?.["de"] ?? [])])];

export function seedCatalogue(lang: string): Catalogue {
  const taxonomy = yaml<{ categories: Named[]; audiences: Named[] }>(resolve(seed, "taxonomy.yaml"));
  const offices = yaml<{ offices: Named[] }>(resolve(seed, "offices.yaml")).offices;
  const office = new Map(offices.map((o) => [o.slug, { slug: o.slug, name: pick(o.name, lang)! }]));
  const category = new Map(taxonomy.categories.map((c) => [c.slug, { slug: c.slug, kind: c.kind, icon: c.icon, title: pick(c.title, lang)!, service_count: 0 }]));
  const dir = resolve(seed, "services");
  const services = readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => yaml<SeedService>(resolve(dir, f)))
    .filter((s) => s.state === "published")
    .map(
      (s) =>
        ({
          slug: s.slug,
          title: pick(s.title, lang)!,
          summary: pick(s.summary, lang)!,
          description: pick(s.description, lang) ?? "",
          keywords: words(s.keywords, lang),
          synonyms: words(s.synonyms, lang),
          popularity: s.popularity,
          mode: s.mode,
          office: office.get(s.office)!,
          categories: (s.categories ?? []).map((c) => category.get(c)!),
          life_situations: (s.life_situations ?? []).map((c) => category.get(c)!),
          audiences: (s.audiences ?? []).map((a) => ({ slug: a, title: a })),
          channels: s.channels ?? [],
        }) as unknown as Service,
    );
  return {
    lang,
    generated_at: "2026-01-01T00:00:00Z",
    services,
    categories: [...category.values()],
    audiences: taxonomy.audiences.map((a) => ({ slug: a.slug, title: pick(a.title, lang)! })),
    offices: offices.map((o) => ({ slug: o.slug, name: pick(o.name, lang)! })),
  } as unknown as Catalogue;
}

export function seedSynonyms(): string[][] {
  return yaml<{ groups: string[][] }>(resolve(process.cwd(), "../search/synonyms.yaml")).groups;
}
