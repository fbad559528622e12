-- name: FormServiceLock :one
-- Versions of one service are numbered and published one at a time.
SELECT slug FROM service WHERE slug = @service_slug FOR UPDATE;

-- name: FormNextVersion :one
SELECT (coalesce(max(version), 0) + 1)::int FROM form_version WHERE service_slug = @service_slug;

-- name: FormInsert :exec
INSERT INTO form_version (service_slug, version, state, definition, actor, published_at)
VALUES (@service_slug, @version, @state, @definition, @actor, CASE WHEN @state::text = 'draft' THEN NULL ELSE now() END);

-- name: FormGet :one
SELECT service_slug, version, state, definition, actor, created_at, published_at
FROM form_version WHERE service_slug = @service_slug AND version = @version;

-- name: FormPublished :one
SELECT f.service_slug, f.version, f.state, f.definition, f.actor, f.created_at, f.published_at
FROM form_version f JOIN service s ON s.slug = f.service_slug
WHERE f.service_slug = @service_slug AND f.state = 'published' AND s.state = 'published';

-- name: FormReleased :one
-- A version residents have been given (published now or before), of a
-- published service: drafts started on an older version are shown in it.
SELECT f.service_slug, f.version, f.state, f.definition, f.actor, f.created_at, f.published_at
FROM form_version f JOIN service s ON s.slug = f.service_slug
WHERE f.service_slug = @service_slug AND f.version = @version AND f.state <> 'draft' AND s.state = 'published';

-- name: FormList :many
SELECT service_slug, version, state, actor, created_at, published_at
FROM form_version WHERE service_slug = @service_slug ORDER BY version DESC;

-- name: FormArchivePublished :exec
UPDATE form_version SET state = 'archived' WHERE service_slug = @service_slug AND state = 'published';

-- name: FormPublish :execrows
UPDATE form_version SET state = 'published', published_at = now()
WHERE service_slug = @service_slug AND version = @version AND state = 'draft';

-- name: FormCount :one
SELECT count(*)::int FROM form_version WHERE service_slug = @service_slug;

-- name: FormCurrent :one
-- The published version of a service's form, whatever the service's state.
SELECT service_slug, version, state, definition, actor, created_at, published_at
FROM form_version WHERE service_slug = @service_slug AND state = 'published';

-- name: FormCurrentAll :many
SELECT service_slug, version, state, definition, actor, created_at, published_at
FROM form_version WHERE state = 'published' ORDER BY service_slug;

-- name: FormPublishedVersions :many
-- Which services have an online form now, for the catalogue snapshot.
SELECT service_slug, version FROM form_version WHERE state = 'published';
