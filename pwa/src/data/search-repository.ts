// Search for the pages: the API (GET /api/v1/search and /search/suggest)
// first; when the browser is offline, the network fails or the search engine
// is unavailable (5xx, 429), the offline search over the stored catalogue
// answers the same question, and says so.
import { api } from "../api/client.ts";
import type { Problem, SearchParams, SearchResult, SuggestResult } from "../api/types.ts";
import type { Lang } from "../i18n/index.ts";
import { readAnySnapshot, readSynonyms } from "./catalogue-store.ts";
import type { OfflineSearch } from "./offline-search.ts";
import { ApiError, OfflineError } from "./repository.ts";

/**
 * Where an answer came from: the server; the offline copy because the
 * browser is offline (or the network failed); or the offline copy because
 * the server's search is unavailable.
 */
export type Source = "server" | "offline" | "unavailable";

export interface Answer<T> {
  data: T;
  source: Source;
  /** generated_at of the catalogue copy an offline answer came from. */
  snapshotAt?: string;
}

let engine: { key: string; search: Promise<OfflineSearch> } | null = null;

/** The offline search over the stored catalogue (built once per snapshot), or null when nothing is stored. */
export async function offlineSearch(lang: Lang): Promise<OfflineSearch | null> {
  const snapshot = await readAnySnapshot(lang);
  if (!snapshot) return null;
  const key = `${snapshot.lang}|${snapshot.generated_at}`;
  if (engine?.key !== key) {
    engine = {
      key,
      search: Promise.all([import("./offline-search.ts"), readSynonyms()]).then(([m, synonyms]) => new m.OfflineSearch(snapshot, synonyms)),
    };
  }
  return engine.search;
}

const FALLBACK = Symbol("fallback");

async function fromServer<T>(
  call: () => Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T | typeof FALLBACK | { unavailable: true }> {
  if (typeof navigator !== "undefined" && navigator.onLine === false) return FALLBACK;
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call();
  } catch (e) {
    if (e instanceof DOMException && e.name === "AbortError") throw e;
    return FALLBACK; // network failure
  }
  const { data, error, response } = result;
  if (response.ok && data !== undefined) return data;
  if (response.status >= 500 || response.status === 429) return { unavailable: true };
  throw new ApiError(response.status, error as Problem | undefined);
}

async function answer<T>(lang: Lang, server: T | typeof FALLBACK | { unavailable: true }, offline: (s: OfflineSearch) => T): Promise<Answer<T>> {
  if (server !== FALLBACK && !(typeof server === "object" && server !== null && "unavailable" in server)) {
    return { data: server as T, source: "server" };
  }
  const search = await offlineSearch(lang);
  if (!search) throw new OfflineError();
  return { data: offline(search), source: server === FALLBACK ? "offline" : "unavailable", snapshotAt: search.catalogue.generated_at };
}

function clean(params: SearchParams): SearchParams {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") out[k] = v;
  return out as SearchParams;
}

export async function search(lang: Lang, params: SearchParams, signal?: AbortSignal): Promise<Answer<SearchResult>> {
  const query = clean(params);
  const server = await fromServer(() => api.GET("/api/v1/search", { params: { query: { ...query, lang } }, signal }));
  return answer(lang, server, (s) => s.search(query));
}

export async function suggest(lang: Lang, q: string, limit = 8, signal?: AbortSignal): Promise<Answer<SuggestResult>> {
  const server = await fromServer(() => api.GET("/api/v1/search/suggest", { params: { query: { q, lang, limit } }, signal }));
  return answer(lang, server, (s) => s.suggest(q, limit));
}
