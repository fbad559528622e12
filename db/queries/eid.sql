-- name: EIDByIdentity :one
SELECT id, account_id, issuer, subject, acr, linked_at, last_used_at
FROM account_eid WHERE issuer = @issuer AND subject = @subject;

-- name: EIDLink :one
-- Links an identity; a conflict with either unique key inserts nothing.
INSERT INTO account_eid (account_id, issuer, subject, acr)
VALUES (@account_id, @issuer, @subject, @acr)
ON CONFLICT DO NOTHING
RETURNING id;

-- name: EIDTouch :exec
UPDATE account_eid SET acr = @acr, last_used_at = now() WHERE id = @id;

-- name: EIDList :many
SELECT id, account_id, issuer, subject, acr, linked_at, last_used_at
FROM account_eid WHERE account_id = @account_id ORDER BY linked_at, id;

-- name: EIDUnlink :execrows
DELETE FROM account_eid WHERE id = @id AND account_id = @account_id;
