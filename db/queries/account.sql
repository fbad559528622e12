-- name: AccountCreate :one
INSERT INTO account (email, email_normalized, email_verified_at, password_hash)
VALUES (@email, @email_normalized, sqlc.narg('email_verified_at'), sqlc.narg('password_hash'))
ON CONFLICT (email_normalized) DO NOTHING
RETURNING id, created_at;

-- name: AccountByEmail :one
SELECT id, email, email_verified_at, password_hash, created_at
FROM account WHERE email_normalized = @email_normalized;

-- name: AccountRoleGrant :exec
INSERT INTO account_role (account_id, role, office_slug) VALUES (@account_id, @role, sqlc.narg('office_slug'))
ON CONFLICT DO NOTHING;

-- name: AccountRoles :many
SELECT role, office_slug FROM account_role WHERE account_id = @account_id ORDER BY role, office_slug;

-- name: AccountByID :one
SELECT id, email, email_verified_at, password_hash, created_at
FROM account WHERE id = @id;
