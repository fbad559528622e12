-- name: ServiceList :many
-- Keyset pagination in the public order: popularity descending, then slug.
-- The cursor is the (popularity, slug) of the last row of the previous page.
SELECT s.slug, s.state, (s.doc -> 'title')::jsonb AS title, (s.doc -> 'summary')::jsonb AS summary,
       (s.doc ->> 'mode')::text AS mode, (s.doc ->> 'assurance')::text AS assurance,
       coalesce(s.doc ->> 'online_start_url', '')::text AS online_start_url,
       s.categories, s.life_situations, s.audiences, s.channels, coalesce(s.effective_popularity, 0)::integer AS popularity,
       s.version, s.updated_at, o.slug AS office_slug, (o.doc -> 'name')::jsonb AS office_name, o.updated_at AS office_updated_at,
       coalesce((SELECT f.version FROM form_version f WHERE f.service_slug = s.slug AND f.state = 'published'), 0)::integer AS form_version
FROM service s
JOIN office o ON o.slug = s.office_slug
WHERE s.state = ANY(@states::text[])
  AND (sqlc.narg('category')::text IS NULL
       OR s.categories @> ARRAY[sqlc.narg('category')::text]
       OR s.life_situations @> ARRAY[sqlc.narg('category')::text])
  AND (sqlc.narg('audience')::text IS NULL OR s.audiences @> ARRAY[sqlc.narg('audience')::text])
  AND (sqlc.narg('channel')::text IS NULL OR s.channels @> ARRAY[sqlc.narg('channel')::text])
  AND (sqlc.narg('office')::text IS NULL OR s.office_slug = sqlc.narg('office')::text)
  AND (sqlc.narg('after_slug')::text IS NULL
       OR s.effective_popularity < sqlc.narg('after_popularity')::integer
       OR (s.effective_popularity = sqlc.narg('after_popularity')::integer AND s.slug > sqlc.narg('after_slug')::text))
ORDER BY s.effective_popularity DESC, s.slug
LIMIT @max_rows;

-- name: ServiceCount :one
SELECT count(*)
FROM service s
WHERE s.state = ANY(@states::text[])
  AND (sqlc.narg('category')::text IS NULL
       OR s.categories @> ARRAY[sqlc.narg('category')::text]
       OR s.life_situations @> ARRAY[sqlc.narg('category')::text])
  AND (sqlc.narg('audience')::text IS NULL OR s.audiences @> ARRAY[sqlc.narg('audience')::text])
  AND (sqlc.narg('channel')::text IS NULL OR s.channels @> ARRAY[sqlc.narg('channel')::text])
  AND (sqlc.narg('office')::text IS NULL OR s.office_slug = sqlc.narg('office')::text);

-- name: ServiceDetail :many
-- Everything the service page shows, in one round trip: the document, its
-- office, the titles of related services and of its categories. With an
-- empty slug it returns every service in the given states (the bulk
-- catalogue for offline use).
SELECT s.slug, s.state, s.doc, s.description_html, s.version, s.updated_at, coalesce(s.effective_popularity, 0)::integer AS effective_popularity,
       o.doc AS office_doc, o.updated_at AS office_updated_at,
       (SELECT count(*) FROM service x WHERE x.office_slug = o.slug AND x.state = 'published') AS office_service_count,
       coalesce((SELECT jsonb_agg(jsonb_build_object('slug', r.slug, 'title', r.doc -> 'title', 'summary', r.doc -> 'summary')
                                  ORDER BY rel.pos)
                 FROM jsonb_array_elements_text(coalesce(s.doc -> 'related', '[]')) WITH ORDINALITY AS rel (slug, pos)
                 JOIN service r ON r.slug = rel.slug AND r.state = 'published'), '[]')::jsonb AS related,
       coalesce((SELECT jsonb_agg(jsonb_build_object('slug', c.slug, 'kind', c.kind, 'icon', c.icon, 'title', c.title)
                                  ORDER BY c.kind DESC, c.position)
                 FROM category c WHERE c.slug = ANY(s.categories || s.life_situations)), '[]')::jsonb AS taxonomy,
       coalesce((SELECT jsonb_agg(jsonb_build_object('slug', a.slug, 'title', a.title) ORDER BY a.position)
                 FROM audience a WHERE a.slug = ANY(s.audiences)), '[]')::jsonb AS audience_titles
FROM service s
JOIN office o ON o.slug = s.office_slug
WHERE (s.slug = @slug OR @slug = '')
  AND s.state = ANY(@states::text[])
ORDER BY s.effective_popularity DESC, s.slug;

-- name: ServiceGet :one
SELECT slug, state, doc, version, updated_at
FROM service
WHERE slug = @slug;

-- name: ServiceGetForUpdate :one
SELECT slug, state, doc, version, updated_at
FROM service
WHERE slug = @slug
FOR UPDATE;

-- name: ServiceAll :many
SELECT slug, state, doc, version, updated_at
FROM service
WHERE state = ANY(@states::text[])
ORDER BY slug;

-- name: ServiceInsert :one
INSERT INTO service (slug, state, office_slug, categories, life_situations, audiences, channels, popularity, doc, description_html)
VALUES (@slug, @state, @office_slug, @categories, @life_situations, @audiences, @channels, @popularity, @doc, @description_html)
RETURNING slug, state, doc, version, updated_at;

-- name: ServiceUpsert :one
-- Import and seed: insert, or replace the document of an existing service.
-- The version only moves when the document or state really changed, so
-- loading the same seed twice leaves ETags alone; then no row comes back.
INSERT INTO service AS s (slug, state, office_slug, categories, life_situations, audiences, channels, popularity, doc, description_html)
VALUES (@slug, @state, @office_slug, @categories, @life_situations, @audiences, @channels, @popularity, @doc, @description_html)
ON CONFLICT (slug) DO UPDATE
SET state = excluded.state,
    office_slug = excluded.office_slug,
    categories = excluded.categories,
    life_situations = excluded.life_situations,
    audiences = excluded.audiences,
    channels = excluded.channels,
    popularity = excluded.popularity,
    doc = excluded.doc,
    description_html = excluded.description_html,
    version = s.version + 1,
    updated_at = now()
WHERE s.doc IS DISTINCT FROM excluded.doc OR s.state IS DISTINCT FROM excluded.state
RETURNING slug, state, doc, version, updated_at;

-- name: ServiceUpdate :one
UPDATE service
SET state = @state,
    office_slug = @office_slug,
    categories = @categories,
    life_situations = @life_situations,
    audiences = @audiences,
    channels = @channels,
    popularity = @popularity,
    doc = @doc,
    description_html = @description_html,
    version = version + 1,
    updated_at = now()
WHERE slug = @slug
RETURNING slug, state, doc, version, updated_at;

-- name: ServiceSlugs :many
SELECT slug FROM service ORDER BY slug;

-- name: ServiceRevisionInsert :exec
INSERT INTO service_revision (slug, version, state, doc, actor, action)
VALUES (@slug, @version, @state, @doc, @actor, @action);

-- name: ServiceRevisionList :many
SELECT id, slug, version, state, actor, action, created_at
FROM service_revision
WHERE slug = @slug
ORDER BY version DESC, id DESC
LIMIT 100;
