-- name: WebAuthnUserEnsure :one
-- The account's user handle: the stored one, or the new one given.
INSERT INTO webauthn_user (account_id, user_handle) VALUES (@account_id, @user_handle)
ON CONFLICT (account_id) DO UPDATE SET user_handle = webauthn_user.user_handle
RETURNING user_handle;

-- name: AccountByUserHandle :one
SELECT a.id, a.email, a.email_verified_at, a.password_hash, a.created_at
FROM webauthn_user w JOIN account a ON a.id = w.account_id
WHERE w.user_handle = @user_handle;

-- name: PasskeysByAccount :many
SELECT id, credential_id, public_key, attestation_format, sign_count, aaguid, flags, transports, name, created_at, last_used_at
FROM passkey WHERE account_id = @account_id
ORDER BY created_at, id;

-- name: PasskeyAdd :one
INSERT INTO passkey (account_id, credential_id, public_key, attestation_format, sign_count, aaguid, flags, transports, name)
VALUES (@account_id, @credential_id, @public_key, @attestation_format, @sign_count, @aaguid, @flags, @transports, @name)
RETURNING id, created_at;

-- name: PasskeyUse :execrows
-- Records a login. The counter must grow (or stay 0 on authenticators that
-- do not count): a counter that went back means a cloned key, and a
-- concurrent replay of the same assertion finds no row.
UPDATE passkey SET sign_count = @sign_count, flags = @flags, last_used_at = now()
WHERE id = @id AND account_id = @account_id
  AND (sign_count < @sign_count OR (sign_count = 0 AND @sign_count = 0));

-- name: PasskeyRename :execrows
UPDATE passkey SET name = @name WHERE id = @id AND account_id = @account_id;

-- name: PasskeyDelete :execrows
DELETE FROM passkey WHERE id = @id AND account_id = @account_id;
