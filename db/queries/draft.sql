-- Owner conditions: exactly one of account_id and guest_hash is given;
-- comparing with a NULL argument is never true, so the other matches
-- nothing.

-- name: DraftInsert :one
INSERT INTO draft (service_slug, form_version, account_id, guest_hash, data, section, expires_at)
VALUES (@service_slug, @form_version, sqlc.narg(account_id), sqlc.narg(guest_hash), @data, @section, @expires_at)
RETURNING *;

-- name: DraftGet :one
SELECT * FROM draft
WHERE id = @id AND (account_id = sqlc.narg(account_id) OR guest_hash = sqlc.narg(guest_hash));

-- name: DraftList :many
SELECT * FROM draft
WHERE account_id = sqlc.narg(account_id) OR guest_hash = sqlc.narg(guest_hash)
ORDER BY updated_at DESC, id;

-- name: DraftCount :one
SELECT count(*)::int FROM draft
WHERE account_id = sqlc.narg(account_id) OR guest_hash = sqlc.narg(guest_hash);

-- name: DraftSave :one
-- Only from the revision the client last saw (If-Match); no row means the
-- draft is gone or another device saved first.
UPDATE draft SET data = @data, section = @section, revision = revision + 1, updated_at = now(), expires_at = @expires_at
WHERE id = @id AND revision = @revision AND (account_id = sqlc.narg(account_id) OR guest_hash = sqlc.narg(guest_hash))
RETURNING *;

-- name: DraftDelete :execrows
DELETE FROM draft
WHERE id = @id AND (account_id = sqlc.narg(account_id) OR guest_hash = sqlc.narg(guest_hash));

-- name: DraftAdoptGuest :execrows
-- A login hands the guest's drafts to the account, which keeps them for
-- the account's (longer) retention.
UPDATE draft SET account_id = @account_id, guest_hash = NULL, expires_at = greatest(expires_at, @expires_at)
WHERE guest_hash = @guest_hash;

-- name: DraftRebind :one
-- A "continue later" link moves the draft to whoever opened it.
UPDATE draft SET account_id = sqlc.narg(account_id), guest_hash = sqlc.narg(guest_hash), expires_at = @expires_at
WHERE id = @id
RETURNING *;

-- name: DraftPrune :execrows
DELETE FROM draft WHERE expires_at <= now();

-- name: DraftResumeInsert :exec
INSERT INTO draft_resume (hash, draft_id, expires_at) VALUES (@hash, @draft_id, @expires_at);

-- name: DraftResumeUse :one
UPDATE draft_resume SET used_at = now()
WHERE hash = @hash AND used_at IS NULL AND expires_at > now()
RETURNING draft_id;

-- name: DraftResumePrune :execrows
DELETE FROM draft_resume WHERE expires_at <= now();

-- name: DraftByID :one
SELECT * FROM draft WHERE id = @id;
