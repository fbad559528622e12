-- name: SMSGet :one
SELECT phone, confirmed_at FROM account_sms WHERE account_id = @account_id;

-- name: SMSBegin :execrows
-- A number to confirm replaces one not confirmed yet; a confirmed one
-- stays (no row: the caller answers Conflict). Locks the row for the
-- rest of the transaction.
INSERT INTO account_sms (account_id, phone, created_at) VALUES (@account_id, @phone, @now)
ON CONFLICT (account_id) DO UPDATE SET phone = excluded.phone, created_at = excluded.created_at
WHERE account_sms.confirmed_at IS NULL;

-- name: SMSConfirmedForUpdate :one
SELECT phone FROM account_sms WHERE account_id = @account_id AND confirmed_at IS NOT NULL FOR UPDATE;

-- name: SMSConfirm :one
UPDATE account_sms SET confirmed_at = @now::timestamptz WHERE account_id = @account_id AND confirmed_at IS NULL
RETURNING phone;

-- name: SMSDelete :one
-- Returns whether SMS codes were on (not just a number being confirmed).
DELETE FROM account_sms WHERE account_id = @account_id
RETURNING (confirmed_at IS NOT NULL)::boolean AS was_on;

-- name: SMSCodesSentSince :many
SELECT sent_at FROM sms_code WHERE account_id = @account_id AND sent_at > @since ORDER BY sent_at;

-- name: SMSCodesVoid :exec
-- A new code replaces every earlier one of the account: only the newest works.
UPDATE sms_code SET expires_at = @now WHERE account_id = @account_id AND used_at IS NULL AND expires_at > @now;

-- name: SMSCodeAdd :exec
INSERT INTO sms_code (account_id, purpose, hash, sent_at, expires_at) VALUES (@account_id, @purpose, @hash, @now, @expires_at);

-- name: SMSCodesPrune :exec
-- Codes older than the resend window are of no use any more, anyone's.
DELETE FROM sms_code WHERE sent_at < @before;

-- name: SMSUnconfirmedPrune :exec
-- Numbers whose code never came back are not kept either.
DELETE FROM account_sms WHERE confirmed_at IS NULL AND created_at < @before;

-- name: SMSCodeUse :execrows
-- Spends the live code if it matches; no row for a wrong, spent, expired or
-- exhausted code.
UPDATE sms_code SET used_at = @now::timestamptz
WHERE account_id = @account_id AND purpose = @purpose AND hash = @hash
  AND used_at IS NULL AND expires_at > @now AND attempts < @max_attempts;

-- name: SMSCodeMiss :exec
-- Counts a wrong entry against the live code.
UPDATE sms_code SET attempts = attempts + 1
WHERE account_id = @account_id AND purpose = @purpose AND used_at IS NULL AND expires_at > @now AND attempts < @max_attempts;

-- name: SMSCodesDrop :exec
DELETE FROM sms_code WHERE account_id = @account_id AND used_at IS NULL;

-- name: SecondFactors :one
-- Which ways to log in an account has: second factors switched on, a
-- password, passkeys (the PWA offers only these at a step-up).
SELECT EXISTS (SELECT 1 FROM account_totp t WHERE t.account_id = @account_id AND t.confirmed_at IS NOT NULL)::boolean AS totp,
       coalesce((SELECT s.phone FROM account_sms s WHERE s.account_id = @account_id AND s.confirmed_at IS NOT NULL), '')::text AS sms_phone,
       EXISTS (SELECT 1 FROM account a WHERE a.id = @account_id AND a.password_hash IS NOT NULL)::boolean AS password,
       (SELECT count(*) FROM passkey p WHERE p.account_id = @account_id)::int AS passkeys;
