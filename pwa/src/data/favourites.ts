// Favourites of a guest (no account): kept on the device in IndexedDB and on
// the server under the anonymous guest cookie. The device list answers at
// once and offline; writes made offline wait in IndexedDB (marked pending)
// and are replayed when the browser is back online. Every sync merges both
// lists (union): what the server has and the device lacks comes down (after
// a cleared cache), what only the device has goes up (after a lost cookie).
import { openDB, type DBSchema, type IDBPDatabase } from "idb";
import { api, credentials } from "../api/client.ts";
import type { Lang } from "../i18n/index.ts";
import { byAddedAt, planSync, strip, type FavouriteRecord } from "./favourites-merge.ts";

export type { FavouriteRecord } from "./favourites-merge.ts";

interface FavouritesDB extends DBSchema {
  favourites: { key: string; value: FavouriteRecord };
}

const DB_NAME = "schalter";

class NetworkError extends Error {}

type WriteResult = "done" | "gone" | "failed";

async function write(method: "PUT" | "DELETE", slug: string): Promise<WriteResult> {
  try {
    const init = { params: { path: { slug } }, credentials };
    const { response } = method === "PUT" ? await api.PUT("/api/v1/favourites/{slug}", init) : await api.DELETE("/api/v1/favourites/{slug}", init);
    if (response.ok) return "done";
    // An unknown or unpublished service: it cannot be a favourite (PUT); DELETE is idempotent anyway.
    if (response.status === 404 || response.status === 422) return "gone";
    return "failed";
  } catch {
    return "failed";
  }
}

class Favourites extends EventTarget {
  /** Visible favourites, newest first. */
  items: FavouriteRecord[] = [];
  /** Whether the device list has been read. */
  loaded = false;
  /** Whether some change has not reached the server yet. */
  pending = false;
  private records = new Map<string, FavouriteRecord>();
  private db: Promise<IDBPDatabase<FavouritesDB> | null> | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private loading: Promise<void> | null = null;

  has(slug: string): boolean {
    const r = this.records.get(slug);
    return r !== undefined && r.pending !== "delete";
  }

  private open(): Promise<IDBPDatabase<FavouritesDB> | null> {
    if (!this.db) {
      this.db = (typeof indexedDB === "undefined"
        ? Promise.resolve(null)
        : openDB<FavouritesDB>(DB_NAME, 1, {
            upgrade(db) {
              db.createObjectStore("favourites", { keyPath: "slug" });
            },
            blocking: (_current, _next, event) => {
              // Another tab (or a "clear site data") wants to upgrade or delete the database: let it.
              (event.target as IDBDatabase).close();
              this.db = null;
            },
            terminated: () => {
              this.db = null;
            },
          })
      ).catch((e: unknown) => {
        console.warn("favourites: IndexedDB unavailable, keeping them in memory", e);
        return null;
      });
    }
    return this.db;
  }

  private changed(): void {
    this.items = [...this.records.values()].filter((r) => r.pending !== "delete").sort(byAddedAt);
    this.pending = [...this.records.values()].some((r) => r.pending);
    this.dispatchEvent(new Event("change"));
  }

  /** Reads the device list (once). */
  load(): Promise<void> {
    this.loading ??= (async () => {
      const db = await this.open();
      const all = db ? await db.getAll("favourites").catch(() => []) : [];
      for (const r of all) if (!this.records.has(r.slug)) this.records.set(r.slug, r);
      this.loaded = true;
      this.changed();
    })();
    return this.loading;
  }

  private async save(records: readonly FavouriteRecord[], deleted: readonly string[] = []): Promise<void> {
    const db = await this.open();
    if (!db) return;
    try {
      const tx = db.transaction("favourites", "readwrite");
      await Promise.all([...records.map((r) => tx.store.put(r)), ...deleted.map((s) => tx.store.delete(s)), tx.done]);
    } catch (e) {
      console.warn("favourites: not saved on the device", e);
    }
  }

  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    const run = this.queue.then(job, job);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Adds (or removes) a favourite at once on the device, then tells the server. */
  async set(service: { slug: string; title: string; summary: string }, on: boolean): Promise<void> {
    await this.load();
    const existing = this.records.get(service.slug);
    const record: FavouriteRecord = on
      ? { slug: service.slug, title: service.title, summary: service.summary, added_at: existing && existing.pending !== "delete" ? existing.added_at : new Date().toISOString(), pending: "put" }
      : { ...(existing ?? { ...service, added_at: new Date().toISOString() }), pending: "delete" };
    this.records.set(service.slug, record);
    this.changed();
    await this.enqueue(async () => {
      await this.save([record]);
      if (typeof navigator !== "undefined" && navigator.onLine === false) return;
      await this.flushOne(record);
    });
  }

  toggle(service: { slug: string; title: string; summary: string }): Promise<void> {
    return this.set(service, !this.has(service.slug));
  }

  /** Sends one pending write; clears the mark when the server took it. */
  private async flushOne(record: FavouriteRecord): Promise<WriteResult> {
    const current = this.records.get(record.slug);
    if (!current?.pending) return "done";
    const result = await write(current.pending === "put" ? "PUT" : "DELETE", current.slug);
    if (this.records.get(record.slug) !== current) return result; // changed meanwhile; its own write follows
    if (result === "failed") return result;
    if (current.pending === "delete" || result === "gone") {
      this.records.delete(current.slug);
      await this.save([], [current.slug]);
    } else {
      const done = strip(current);
      this.records.set(done.slug, done);
      await this.save([done]);
    }
    this.changed();
    return result;
  }

  /**
   * Merges with the server: fetches its list (titles in `lang`), replays the
   * writes made offline and pushes favourites only the device has.
   */
  sync(lang: Lang): Promise<void> {
    return this.enqueue(async () => {
      await this.load();
      if (typeof navigator !== "undefined" && navigator.onLine === false) return;
      // Stars toggled while this runs change this.records at once; they are kept at the end.
      const before = new Map(this.records);
      try {
        const { data, response } = await api.GET("/api/v1/favourites", { params: { query: { lang } }, credentials, cache: "no-store" }).catch(() => {
          throw new NetworkError();
        });
        if (!response.ok || !data) throw new NetworkError();
        const plan = planSync([...this.records.values()], data.items ?? []);
        const next = new Map(plan.items.map((r) => [r.slug, r]));
        let failed = false;
        for (const slug of plan.remove) {
          const result = await write("DELETE", slug);
          if (result === "failed") {
            failed = true;
            next.set(slug, { ...this.records.get(slug)!, pending: "delete" });
          }
        }
        for (const slug of plan.put) {
          const result = await write("PUT", slug);
          if (result === "gone") next.delete(slug);
          else if (result === "failed") {
            failed = true;
            next.set(slug, { ...next.get(slug)!, pending: "put" });
          }
        }
        for (const [slug, record] of this.records) if (before.get(slug) !== record) next.set(slug, record);
        const gone = [...this.records.keys()].filter((s) => !next.has(s));
        this.records = next;
        await this.save([...next.values()], gone);
        if (failed) console.warn("favourites: some changes could not be sent; they are sent with the next sync");
        this.changed();
      } catch (e) {
        if (!(e instanceof NetworkError)) console.warn("favourites: sync failed", e);
      }
    });
  }
}

export const favourites = new Favourites();
