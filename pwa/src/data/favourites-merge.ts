// Merging the device's and the server's favourites (pure; unit-tested). Used by favourites.ts.
import type { Favourite } from "../api/types.ts";

export interface FavouriteRecord extends Favourite {
  /** A write not yet accepted by the server. */
  pending?: "put" | "delete";
}

export interface SyncPlan {
  /** The device list after the sync (without pending marks). */
  items: FavouriteRecord[];
  /** Slugs to PUT on the server: pending additions and favourites only the device has. */
  put: string[];
  /** Slugs to DELETE on the server: pending removals. */
  remove: string[];
}

/** Newest first, then by slug. */
export function byAddedAt(a: Favourite, b: Favourite): number {
  return b.added_at.localeCompare(a.added_at) || a.slug.localeCompare(b.slug);
}

/**
 * Merges the device and server lists (pure, unit-tested). The union is kept,
 * except what the device removed while offline; titles and summaries come
 * from the server (they are in the requested language).
 */
export function planSync(local: readonly FavouriteRecord[], server: readonly Favourite[]): SyncPlan {
  const onServer = new Map(server.map((f) => [f.slug, f]));
  const items = new Map<string, FavouriteRecord>();
  const put: string[] = [];
  const remove: string[] = [];
  for (const f of local) {
    if (f.pending === "delete") {
      remove.push(f.slug);
      continue;
    }
    const s = onServer.get(f.slug);
    if (!s || f.pending === "put") put.push(f.slug);
    items.set(f.slug, s ? { slug: f.slug, title: s.title, summary: s.summary, added_at: f.added_at < s.added_at ? f.added_at : s.added_at } : strip(f));
  }
  const removed = new Set(remove);
  for (const s of server) if (!items.has(s.slug) && !removed.has(s.slug)) items.set(s.slug, { slug: s.slug, title: s.title, summary: s.summary, added_at: s.added_at });
  return { items: [...items.values()].sort(byAddedAt), put: [...new Set(put)], remove };
}

export function strip(f: FavouriteRecord): FavouriteRecord {
  return { slug: f.slug, title: f.title, summary: f.summary, added_at: f.added_at };
}
