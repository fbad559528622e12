-- name: TransparencyAppend :one
-- seq, occurred_at and the hashes are set by the chain trigger.
INSERT INTO transparency_log (seq, subject, actor_kind, actor, office, action, data, purpose, legal_basis, prev_hash, hash)
VALUES (0, @subject, @actor_kind, @actor, sqlc.narg('office'), @action, @data, @purpose, @legal_basis, '\x', '\x')
RETURNING *;

-- name: TransparencyBySubject :many
-- A person's entries, newest first, paged by seq.
SELECT * FROM transparency_log
WHERE subject = @subject AND (sqlc.narg('before')::bigint IS NULL OR seq < sqlc.narg('before')::bigint)
ORDER BY seq DESC
LIMIT @lim;

-- name: TransparencyRange :many
-- The chain in order, for verification in batches.
SELECT * FROM transparency_log WHERE seq > @after ORDER BY seq LIMIT @lim;

-- name: TransparencyAnchor :one
-- Where the chain of the remaining entries starts (0 and empty when
-- nothing was ever pruned).
SELECT coalesce(max(seq), 0)::bigint AS seq,
       coalesce((SELECT a.hash FROM transparency_anchor a ORDER BY a.seq DESC LIMIT 1), '\x'::bytea)::bytea AS hash
FROM transparency_anchor;

-- name: TransparencyPrune :one
-- Owner only (EXECUTE is not granted to the application's role).
SELECT transparency_prune(@before::timestamptz)::bigint AS removed;
