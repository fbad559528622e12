-- name: OfficeUpsert :exec
INSERT INTO office (slug, doc) VALUES (@slug, @doc)
ON CONFLICT (slug) DO UPDATE SET doc = excluded.doc, updated_at = now()
WHERE office.doc IS DISTINCT FROM excluded.doc;

-- name: OfficeList :many
-- service_count counts published services only: it is what residents see.
SELECT o.slug, o.doc, o.updated_at,
       (SELECT count(*) FROM service s WHERE s.office_slug = o.slug AND s.state = 'published') AS service_count
FROM office o
ORDER BY o.doc -> 'name' ->> 'de';

-- name: CategoryUpsert :exec
INSERT INTO category (slug, kind, icon, title, position) VALUES (@slug, @kind, @icon, @title, @position)
ON CONFLICT (slug) DO UPDATE SET kind = excluded.kind, icon = excluded.icon, title = excluded.title, position = excluded.position
WHERE (category.kind, category.icon, category.title, category.position) IS DISTINCT FROM (excluded.kind, excluded.icon, excluded.title, excluded.position);

-- name: CategoryList :many
SELECT c.slug, c.kind, c.icon, c.title, c.position,
       (SELECT count(*) FROM service s
        WHERE s.state = 'published' AND (s.categories @> ARRAY[c.slug] OR s.life_situations @> ARRAY[c.slug])) AS service_count
FROM category c
WHERE (sqlc.narg('kind')::text IS NULL OR c.kind = sqlc.narg('kind')::text)
ORDER BY c.kind DESC, c.position;

-- name: AudienceUpsert :exec
INSERT INTO audience (slug, title, position) VALUES (@slug, @title, @position)
ON CONFLICT (slug) DO UPDATE SET title = excluded.title, position = excluded.position
WHERE (audience.title, audience.position) IS DISTINCT FROM (excluded.title, excluded.position);

-- name: AudienceList :many
SELECT slug, title, position FROM audience ORDER BY position;

-- name: OfficeSlugs :many
SELECT slug FROM office ORDER BY slug;
