// Answers the API's read queries from an offline catalogue snapshot, with the
// same filters, order and paging as the server.
import type { Catalogue, Category, CategoryKind, Office, Service, ServiceList, ServiceQuery, ServiceSummary } from "../api/types.ts";

export function toSummary(s: Service): ServiceSummary {
  const summary: ServiceSummary = {
    slug: s.slug,
    title: s.title,
    summary: s.summary,
    office: { slug: s.office.slug, name: s.office.name },
    categories: (s.categories ?? []).map((c) => c.slug),
    life_situations: (s.life_situations ?? []).map((c) => c.slug),
    audiences: (s.audiences ?? []).map((a) => a.slug),
    mode: s.mode,
    channels: s.channels ?? [],
    assurance: s.assurance,
    popularity: s.popularity,
    online_form: s.online_form,
  };
  if (s.online_start_url) summary.online_start_url = s.online_start_url;
  return summary;
}

/** Popularity descending, then slug. */
export function byPopularity(a: { popularity: number; slug: string }, b: { popularity: number; slug: string }): number {
  return b.popularity - a.popularity || (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0);
}

export function matchesQuery(s: Service, q: ServiceQuery): boolean {
  if (q.category && ![...(s.categories ?? []), ...(s.life_situations ?? [])].some((c) => c.slug === q.category)) return false;
  if (q.audience && !(s.audiences ?? []).some((a) => a.slug === q.audience)) return false;
  if (q.office && s.office.slug !== q.office) return false;
  if (q.channel && !(s.channels ?? []).includes(q.channel)) return false;
  return true;
}

const CURSOR_PREFIX = "offline:";

export function listServices(cat: Catalogue, q: ServiceQuery): ServiceList & { items: ServiceSummary[] } {
  const limit = Math.min(100, Math.max(1, q.limit ?? 20));
  const offset = q.cursor?.startsWith(CURSOR_PREFIX) ? Number(q.cursor.slice(CURSOR_PREFIX.length)) || 0 : 0;
  const matching = (cat.services ?? []).filter((s) => matchesQuery(s, q)).sort(byPopularity);
  const items = matching.slice(offset, offset + limit).map(toSummary);
  const list: ServiceList & { items: ServiceSummary[] } = { items, total: matching.length };
  if (offset + limit < matching.length) list.next_cursor = `${CURSOR_PREFIX}${offset + limit}`;
  return list;
}

export function getService(cat: Catalogue, slug: string): Service | undefined {
  return (cat.services ?? []).find((s) => s.slug === slug);
}

export function listCategories(cat: Catalogue, kind?: CategoryKind): Category[] {
  return (cat.categories ?? []).filter((c) => !kind || c.kind === kind);
}

export function getOffice(cat: Catalogue, slug: string): Office | undefined {
  return (cat.offices ?? []).find((o) => o.slug === slug);
}
