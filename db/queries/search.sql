-- name: SearchOutboxMax :one
SELECT coalesce(max(id), 0)::bigint FROM search_outbox;

-- name: SearchOutboxMin :one
SELECT coalesce(min(id), 0)::bigint FROM search_outbox;

-- name: SearchOutboxAfter :many
SELECT id, slug FROM search_outbox WHERE id > @after ORDER BY id LIMIT @max_rows;

-- name: SearchOutboxPrune :execrows
-- Rows every indexer has long applied; an indexer further behind than
-- this rebuilds its index from scratch.
DELETE FROM search_outbox WHERE created_at < now() - make_interval(secs => @max_age_seconds::float8);

-- name: SearchDocuments :many
-- The services to (re)index: those named, or all when slugs is empty; the
-- caller indexes published ones and deletes the rest.
SELECT slug, state, doc, description_html, coalesce(effective_popularity, 0)::integer AS effective_popularity
FROM service
WHERE cardinality(@slugs::text[]) = 0 OR slug = ANY(@slugs::text[])
ORDER BY slug;

-- name: SearchPositionGet :one
SELECT position FROM search_position WHERE engine = @engine;

-- name: SearchPositionSet :exec
INSERT INTO search_position (engine, position) VALUES (@engine, @position)
ON CONFLICT (engine) DO UPDATE SET position = excluded.position, updated_at = now();

-- name: SearchWriterLock :one
-- One writer per shared index: a session advisory lock, held by the
-- connection of the replica that writes.
SELECT pg_try_advisory_lock(hashtext(@engine::text)::bigint);

-- name: ListenSearch :exec
LISTEN schalter_search;

-- name: FavouriteAdd :exec
INSERT INTO favourite (owner, slug) VALUES (@owner, @slug) ON CONFLICT DO NOTHING;

-- name: FavouriteRemove :exec
DELETE FROM favourite WHERE owner = @owner AND slug = @slug;

-- name: FavouriteList :many
SELECT f.slug, f.created_at FROM favourite f
JOIN service s ON s.slug = f.slug AND s.state = 'published'
WHERE f.owner = @owner
ORDER BY f.created_at DESC, f.slug;

-- name: FavouriteCounts :many
-- Aggregated and anonymous: how many people keep each service.
SELECT slug, count(*)::bigint AS favourites FROM favourite GROUP BY slug;

-- name: FavouriteBoostRefresh :execrows
-- Recomputes every service's boost from its favourites count (10 points
-- per tenfold, at most 20); only services whose boost changes are written,
-- so the catalogue revision and the search outbox move only then.
UPDATE service s SET favourite_boost = b.boost
FROM (SELECT sv.slug, LEAST(20, round(10 * log(1 + count(f.slug))))::integer AS boost
      FROM service sv LEFT JOIN favourite f ON f.slug = sv.slug
      GROUP BY sv.slug) b
WHERE s.slug = b.slug AND s.favourite_boost <> b.boost;

-- name: FavouritesMerge :exec
-- Moves a guest's favourites to an account at login, without duplicates.
INSERT INTO favourite (owner, slug, created_at)
SELECT @to_owner::text, f.slug, f.created_at FROM favourite f WHERE f.owner = @from_owner::text
ON CONFLICT (owner, slug) DO NOTHING;

-- name: FavouritesDropOwner :exec
DELETE FROM favourite WHERE owner = @owner;
