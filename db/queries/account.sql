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

-- name: EmailTokenCreate :exec
INSERT INTO email_token (hash, account_id, purpose, expires_at) VALUES (@hash, @account_id, @purpose, @expires_at);

-- name: EmailTokenUse :one
-- Marks a token used, once: a replayed or expired link finds nothing.
UPDATE email_token SET used_at = now()
WHERE hash = @hash AND purpose = @purpose AND used_at IS NULL AND expires_at > now()
RETURNING account_id;

-- name: AccountVerifyEmail :exec
UPDATE account SET email_verified_at = coalesce(email_verified_at, now()), updated_at = now() WHERE id = @id;

-- name: AccountSetPassword :exec
UPDATE account SET password_hash = @password_hash, updated_at = now() WHERE id = @id;

-- name: EmailTokenUseReset :one
UPDATE email_token SET used_at = now()
WHERE hash = @hash AND purpose = 'reset' AND used_at IS NULL AND expires_at > now()
RETURNING account_id;

-- name: AccountDelete :execrows
DELETE FROM account WHERE id = @id;

-- name: AccountExport :one
-- Everything stored about an account, for the data export.
SELECT a.id, a.email, a.email_verified_at, a.created_at, a.updated_at,
       (a.password_hash IS NOT NULL)::boolean AS has_password,
       EXISTS (SELECT 1 FROM account_totp t WHERE t.account_id = a.id AND t.confirmed_at IS NOT NULL)::boolean AS has_totp,
       (SELECT count(*) FROM recovery_code r WHERE r.account_id = a.id AND r.used_at IS NULL)::bigint AS recovery_codes_left
FROM account a WHERE a.id = @id;

-- name: RolesLock :exec
-- Serialises role changes, so two administrators demoting each other at
-- the same moment cannot leave the city without one.
SELECT pg_advisory_xact_lock(hashtext('account_role'));

-- name: AccountRolesClear :exec
DELETE FROM account_role WHERE account_id = @account_id;

-- name: AdminCountOthers :one
SELECT count(*) FROM account_role WHERE role = 'admin' AND account_id <> @account_id;

-- name: EmailChangeTokenCreate :exec
INSERT INTO email_token (hash, account_id, purpose, expires_at, new_email)
VALUES (@hash, @account_id, 'email_change', @expires_at, @new_email);

-- name: EmailChangeTokenUse :one
UPDATE email_token SET used_at = now()
WHERE hash = @hash AND purpose = 'email_change' AND used_at IS NULL AND expires_at > now()
RETURNING account_id, new_email::text AS new_email;

-- name: AccountSetEmail :exec
UPDATE account SET email = @email, email_normalized = @email_normalized,
    email_verified_at = now(), updated_at = now()
WHERE id = @id;

-- name: StaffOffices :many
SELECT office_slug::text FROM account_role WHERE account_id = @account_id AND role = 'staff' AND office_slug IS NOT NULL ORDER BY office_slug;
