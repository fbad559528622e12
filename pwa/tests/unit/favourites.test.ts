import assert from "node:assert/strict";
import { test } from "node:test";
import { planSync, type FavouriteRecord } from "../../src/data/favourites-merge.ts";

const fav = (slug: string, added_at: string, over: Partial<FavouriteRecord> = {}): FavouriteRecord => ({
  slug,
  title: `Title of ${slug}`,
  summary: "",
  added_at,
  ...over,
});

test("first visit on a new device: the server's favourites come down", () => {
  const plan = planSync([], [fav("hund-anmelden", "2026-11-01T10:00:00Z"), fav("pass-beantragen", "2026-11-02T10:00:00Z")]);
  assert.deepEqual(plan.items.map((f) => f.slug), ["pass-beantragen", "hund-anmelden"], "newest first");
  assert.deepEqual(plan.put, []);
  assert.deepEqual(plan.remove, []);
});

test("device-only favourites go up (the cookie was lost), the union is kept", () => {
  const plan = planSync([fav("a", "2026-11-03T00:00:00Z"), fav("b", "2026-11-01T00:00:00Z")], [fav("b", "2026-11-01T00:00:00Z"), fav("c", "2026-11-02T00:00:00Z")]);
  assert.deepEqual(plan.items.map((f) => f.slug), ["a", "c", "b"]);
  assert.deepEqual(plan.put, ["a"]);
  assert.deepEqual(plan.remove, []);
});

test("writes made offline are replayed: pending additions are PUT, pending removals DELETEd and not brought back", () => {
  const plan = planSync(
    [fav("new", "2026-11-05T00:00:00Z", { pending: "put" }), fav("gone", "2026-11-01T00:00:00Z", { pending: "delete" }), fav("kept", "2026-11-02T00:00:00Z")],
    [fav("gone", "2026-11-01T00:00:00Z"), fav("kept", "2026-11-02T00:00:00Z"), fav("new", "2026-11-05T00:00:00Z")],
  );
  assert.deepEqual(plan.items.map((f) => f.slug), ["new", "kept"]);
  assert.deepEqual(plan.put, ["new"], "a pending addition is sent even when the server has it (idempotent)");
  assert.deepEqual(plan.remove, ["gone"]);
  assert.ok(plan.items.every((f) => f.pending === undefined), "no pending marks in the plan's list");
});

test("titles come from the server (the requested language); the earlier date is kept", () => {
  const plan = planSync([fav("x", "2026-11-01T00:00:00Z", { title: "Hund anmelden" })], [fav("x", "2026-11-04T00:00:00Z", { title: "Déclarer un chien" })]);
  assert.equal(plan.items[0]!.title, "Déclarer un chien");
  assert.equal(plan.items[0]!.added_at, "2026-11-01T00:00:00Z");
});
