// The offline copy of the catalogue: /api/v1/catalogue?lang=… kept in Cache
// Storage, refreshed with If-None-Match, read back when the network fails.
import { apiUrl } from "../api/client.ts";
import type { Catalogue } from "../api/types.ts";
import { LANGS, type Lang } from "../i18n/index.ts";

export const CATALOGUE_CACHE = "schalter-catalogue-v1";
const memory = new Map<Lang, Catalogue>();

function catalogueUrl(lang: Lang): string {
  return apiUrl(`/api/v1/catalogue?lang=${lang}`);
}

function cacheAvailable(): boolean {
  return typeof caches !== "undefined";
}

/** The stored snapshot for `lang`, or null. */
export async function readSnapshot(lang: Lang): Promise<Catalogue | null> {
  const hit = memory.get(lang);
  if (hit) return hit;
  if (!cacheAvailable()) return null;
  try {
    const cache = await caches.open(CATALOGUE_CACHE);
    const response = await cache.match(catalogueUrl(lang));
    if (!response) return null;
    const catalogue = (await response.json()) as Catalogue;
    memory.set(lang, catalogue);
    return catalogue;
  } catch {
    return null;
  }
}

/** The snapshot for `lang`, else one in any other language (German first). */
export async function readAnySnapshot(lang: Lang): Promise<Catalogue | null> {
  for (const l of [lang, ...LANGS.filter((x) => x !== lang)]) {
    const snap = await readSnapshot(l);
    if (snap) return snap;
  }
  return null;
}

const inflight = new Map<Lang, Promise<Catalogue | null>>();

/**
 * Fetches the catalogue for `lang` (conditionally, if a copy is stored) and
 * stores it. Resolves to the current snapshot, or null when the network and
 * the store both fail.
 */
export function refreshSnapshot(lang: Lang): Promise<Catalogue | null> {
  let p = inflight.get(lang);
  if (!p) {
    p = doRefresh(lang).finally(() => inflight.delete(lang));
    inflight.set(lang, p);
  }
  return p;
}

async function doRefresh(lang: Lang): Promise<Catalogue | null> {
  const url = catalogueUrl(lang);
  const cache = cacheAvailable() ? await caches.open(CATALOGUE_CACHE).catch(() => null) : null;
  const stored = cache ? await cache.match(url) : undefined;
  const headers: Record<string, string> = { Accept: "application/json" };
  const etag = stored?.headers.get("ETag");
  if (etag) headers["If-None-Match"] = etag;
  let response: Response;
  try {
    response = await fetch(url, { headers, cache: "no-cache" });
  } catch {
    return readSnapshot(lang);
  }
  if (response.status === 304 && stored) return readSnapshot(lang);
  if (!response.ok) return readSnapshot(lang);
  const text = await response.text();
  const catalogue = JSON.parse(text) as Catalogue;
  memory.set(lang, catalogue);
  if (cache) {
    const keep = new Headers({ "Content-Type": "application/json" });
    const newTag = response.headers.get("ETag");
    if (newTag) keep.set("ETag", newTag);
    await cache.put(url, new Response(text, { status: 200, headers: keep })).catch(() => undefined);
  }
  return catalogue;
}

/** The catalogue for search and offline use: stored copy first, else the network. */
export async function getCatalogue(lang: Lang): Promise<Catalogue | null> {
  return (await readSnapshot(lang)) ?? (await refreshSnapshot(lang));
}

// The curated synonym groups (GET /api/v1/search/synonyms), stored next to
// the catalogue for the offline search.
const SYNONYMS_PATH = "/api/v1/search/synonyms";
let synonymsMemory: string[][] | null = null;

/** The stored synonym groups, or [] when none are stored. */
export async function readSynonyms(): Promise<string[][]> {
  if (synonymsMemory) return synonymsMemory;
  if (!cacheAvailable()) return [];
  try {
    const response = await (await caches.open(CATALOGUE_CACHE)).match(apiUrl(SYNONYMS_PATH));
    if (!response) return [];
    synonymsMemory = (((await response.json()) as { groups?: string[][] | null }).groups ?? []).filter(Array.isArray);
    return synonymsMemory;
  } catch {
    return [];
  }
}

/** Fetches and stores the synonym groups; keeps the stored ones when that fails. */
export async function refreshSynonyms(): Promise<void> {
  const url = apiUrl(SYNONYMS_PATH);
  try {
    const cache = cacheAvailable() ? await caches.open(CATALOGUE_CACHE) : null;
    const stored = await cache?.match(url);
    const headers: Record<string, string> = { Accept: "application/json" };
    const etag = stored?.headers.get("ETag");
    if (etag) headers["If-None-Match"] = etag;
    const response = await fetch(url, { headers, cache: "no-cache" });
    if (!response.ok) return;
    const text = await response.text();
    synonymsMemory = ((JSON.parse(text) as { groups?: string[][] | null }).groups ?? []).filter(Array.isArray);
    const keep = new Headers({ "Content-Type": "application/json" });
    const newTag = response.headers.get("ETag");
    if (newTag) keep.set("ETag", newTag);
    await cache?.put(url, new Response(text, { status: 200, headers: keep }));
  } catch {
    /* offline: the stored groups stay */
  }
}
