-- name: CaseNextNumber :one
-- One counter row per year: numbers are gapless within a committed year
-- (a rolled back submission gives its number back). The row stays locked
-- until the submission commits, so submissions take it last (see
-- CaseInsert).
INSERT INTO case_counter (year, last) VALUES (@year, 1)
ON CONFLICT (year) DO UPDATE SET last = case_counter.last + 1
RETURNING last;

-- name: CaseInsert :one
-- The case and the first step of its timeline in one statement: it runs
-- while the year's counter row is locked, and every round trip saved
-- here is one that other submissions do not wait for. The foreign key of
-- the event is checked at the end of the statement, when the case exists.
WITH c AS (
    INSERT INTO order_case (id, number, account_id, service_slug, form_version, office_slug, data, language, delivery, notify, status)
    VALUES (@id, @number, @account_id, @service_slug, @form_version, @office_slug, @data, @language, @delivery, @notify, @status)
    RETURNING *
), e AS (
    INSERT INTO case_event (case_id, status, actor_kind, actor)
    SELECT c.id, c.status, @actor_kind, @actor FROM c
    RETURNING id, at, status, actor_kind, actor, message
)
SELECT c.id, c.number, c.account_id, c.service_slug, c.form_version, c.office_slug, c.data, c.language, c.delivery, c.notify,
       c.status, c.submitted_at, c.updated_at,
       e.id AS event_id, e.at AS event_at, e.actor_kind AS event_actor_kind, e.actor AS event_actor, e.message AS event_message
FROM c, e;

-- name: CaseEventInsert :one
-- The step and the case's new status in one statement (a data-modifying
-- WITH runs whether or not it is read).
WITH e AS (
    INSERT INTO case_event (case_id, status, actor_kind, actor, message)
    VALUES (@case_id, @status, @actor_kind, @actor, @message)
    RETURNING *
), c AS (
    UPDATE order_case SET status = @status, updated_at = now() WHERE id = @case_id
)
SELECT * FROM e;

-- name: CaseEventsInsert :exec
-- Steps of many cases in one statement, in the order given; each case
-- takes the status of its last step.
WITH steps AS (
    SELECT unnest(@case_ids::uuid[]) AS case_id, unnest(@statuses::text[]) AS status, unnest(@actor_kinds::text[]) AS actor_kind,
           unnest(@actors::text[]) AS actor, unnest(@messages::text[]) AS message, generate_series(1, cardinality(@case_ids::uuid[])) AS n
), e AS (
    INSERT INTO case_event (case_id, status, actor_kind, actor, message)
    SELECT case_id, status, actor_kind, actor, message FROM steps ORDER BY n
), last AS (
    SELECT DISTINCT ON (case_id) case_id, status FROM steps ORDER BY case_id, n DESC
)
UPDATE order_case o SET status = last.status, updated_at = now()
FROM last WHERE o.id = last.case_id;

-- name: CasesLock :many
-- Locks cases for a change of status, in id order so that two callers
-- never wait for each other crosswise.
SELECT * FROM order_case WHERE id = ANY(@ids::uuid[]) ORDER BY id FOR UPDATE;

-- name: CaseOfAccount :one
SELECT * FROM order_case WHERE number = @number AND account_id = @account_id;

-- name: CaseOfOffices :one
SELECT * FROM order_case WHERE number = @number AND office_slug = ANY(@offices::text[]);

-- name: CaseLock :one
SELECT * FROM order_case WHERE id = @id FOR UPDATE;

-- name: CasesOfAccount :many
SELECT * FROM order_case WHERE account_id = @account_id ORDER BY submitted_at DESC, id LIMIT @max;

-- name: CasesOfOffices :many
SELECT * FROM order_case
WHERE office_slug = ANY(@offices::text[]) AND (cardinality(@statuses::text[]) = 0 OR status = ANY(@statuses::text[]))
ORDER BY submitted_at, id LIMIT @max;

-- name: CaseEvents :many
SELECT * FROM case_event WHERE case_id = @case_id ORDER BY id;

-- name: CaseService :one
SELECT office_slug, coalesce(doc->>'assurance', 'account')::text AS assurance
FROM service WHERE slug = @slug AND state = 'published';

-- name: CaseLetterhead :one
-- The service's title and its office's name and address in lang (German
-- where a translation is missing), for documents about a case.
SELECT coalesce(nullif(s.doc->'title'->>sqlc.arg(lang)::text, ''), s.doc->'title'->>'de')::text AS service_title,
       coalesce(nullif(o.doc->'name'->>sqlc.arg(lang)::text, ''), o.doc->'name'->>'de')::text AS office_name,
       coalesce(o.doc->'address'->>'street', '')::text AS street,
       coalesce(o.doc->'address'->>'postal_code', '')::text AS postal_code,
       coalesce(o.doc->'address'->>'city', '')::text AS locality
FROM service s JOIN office o ON o.slug = s.office_slug
WHERE s.slug = @slug;

-- name: CaseGet :one
SELECT * FROM order_case WHERE id = @id;
