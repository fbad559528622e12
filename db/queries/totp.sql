-- name: TOTPGet :one
SELECT secret_enc, confirmed_at, last_step FROM account_totp WHERE account_id = @account_id;

-- name: TOTPBegin :exec
-- A new, unconfirmed seed replaces an unconfirmed one; a confirmed one stays.
INSERT INTO account_totp (account_id, secret_enc) VALUES (@account_id, @secret_enc)
ON CONFLICT (account_id) DO UPDATE SET secret_enc = excluded.secret_enc, created_at = now(), last_step = 0
WHERE account_totp.confirmed_at IS NULL;

-- name: TOTPUseStep :execrows
-- Records a used time step; no row when the step is not newer (replay).
UPDATE account_totp SET last_step = @step, confirmed_at = coalesce(confirmed_at, now())
WHERE account_id = @account_id AND last_step < @step;

-- name: RecoveryCodesReplace :exec
DELETE FROM recovery_code WHERE account_id = @account_id;

-- name: RecoveryCodeAdd :exec
INSERT INTO recovery_code (account_id, hash) VALUES (@account_id, @hash);

-- name: RecoveryCodeUse :execrows
UPDATE recovery_code SET used_at = now() WHERE account_id = @account_id AND hash = @hash AND used_at IS NULL;
