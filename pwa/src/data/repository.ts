// Reads for the pages: the API first; when the network fails (or the server is
// unavailable), the offline copy of the catalogue answers the same question.
import { api, OFFLINE_HEADER } from "../api/client.ts";
import type { Audience, Catalogue, Category, CategoryKind, AppConfig, Office, Problem, Service, ServiceList, ServiceQuery } from "../api/types.ts";
import type { Lang } from "../i18n/index.ts";
import { store } from "../state/store.ts";
import { readAnySnapshot } from "./catalogue-store.ts";
import * as offline from "./offline-query.ts";

/** The requested thing does not exist (HTTP 404, or not in the offline copy). */
export class NotFoundError extends Error {
  constructor() {
    super("not found");
    this.name = "NotFoundError";
  }
}

/** The network failed and there is no offline copy that could answer. */
export class OfflineError extends Error {
  constructor() {
    super("offline and not stored");
    this.name = "OfflineError";
  }
}

/** The API answered with an error (problem details). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
    /** Seconds from a Retry-After header (a 429 naming when to try again). */
    readonly retryAfter?: number,
  ) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.name = "ApiError";
  }
}

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

async function fromApi<T>(call: () => Promise<FetchResult<T>>, fallback: (c: Catalogue) => T | undefined, lang: Lang): Promise<T> {
  try {
    const { data, error, response } = await call();
    if (response.ok && data !== undefined) {
      const cached = response.headers.get(OFFLINE_HEADER) !== null;
      store.update({ servedOffline: cached, offlineSnapshotAt: cached ? store.offlineSnapshotAt : null });
      return data;
    }
    if (response.status === 404) throw new NotFoundError();
    if (response.status < 500 && response.status !== 429) throw new ApiError(response.status, error as Problem | undefined);
    // 5xx or 429 (rate limit): the server cannot answer now; try the offline copy below.
  } catch (e) {
    if (e instanceof NotFoundError || e instanceof ApiError) throw e;
    if (e instanceof DOMException && e.name === "AbortError") throw e;
    // A network failure (TypeError): fall through to the offline copy.
  }
  const snapshot = await readAnySnapshot(lang);
  if (!snapshot) throw new OfflineError();
  store.update({ servedOffline: true, offlineSnapshotAt: snapshot.generated_at });
  const result = fallback(snapshot);
  if (result === undefined) throw new NotFoundError();
  return result;
}

export function getConfig(signal?: AbortSignal): Promise<AppConfig> {
  return fromApi(
    () => api.GET("/api/v1/config", { signal }),
    () => undefined,
    store.lang,
  );
}

export function listServices(lang: Lang, query: ServiceQuery, signal?: AbortSignal): Promise<ServiceList> {
  const q: ServiceQuery = {};
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== "") (q as Record<string, unknown>)[k] = v;
  }
  return fromApi(
    () => api.GET("/api/v1/services", { params: { query: { ...q, lang } }, signal }),
    (c) => offline.listServices(c, q),
    lang,
  );
}

export function getService(lang: Lang, slug: string, signal?: AbortSignal): Promise<Service> {
  return fromApi(
    () => api.GET("/api/v1/services/{slug}", { params: { path: { slug }, query: { lang } }, signal }),
    (c) => offline.getService(c, slug),
    lang,
  );
}

export async function listCategories(lang: Lang, kind?: CategoryKind, signal?: AbortSignal): Promise<Category[]> {
  const list = await fromApi(
    () => api.GET("/api/v1/categories", { params: { query: kind ? { kind, lang } : { lang } }, signal }),
    (c) => ({ items: offline.listCategories(c, kind) }),
    lang,
  );
  return list.items ?? [];
}

export async function listAudiences(lang: Lang, signal?: AbortSignal): Promise<Audience[]> {
  const list = await fromApi(
    () => api.GET("/api/v1/audiences", { params: { query: { lang } }, signal }),
    (c) => ({ items: c.audiences ?? [] }),
    lang,
  );
  return list.items ?? [];
}

export async function listOffices(lang: Lang, signal?: AbortSignal): Promise<Office[]> {
  const list = await fromApi(
    () => api.GET("/api/v1/offices", { params: { query: { lang } }, signal }),
    (c) => ({ items: c.offices ?? [] }),
    lang,
  );
  return list.items ?? [];
}

export function getOffice(lang: Lang, slug: string, signal?: AbortSignal): Promise<Office> {
  return fromApi(
    () => api.GET("/api/v1/offices/{slug}", { params: { path: { slug }, query: { lang } }, signal }),
    (c) => offline.getOffice(c, slug),
    lang,
  );
}
