-- name: APITokenCreate :one
INSERT INTO api_token (account_id, name, hash, expires_at) VALUES (@account_id, @name, @hash, @expires_at)
RETURNING *;

-- name: APITokenList :many
SELECT * FROM api_token WHERE account_id = @account_id ORDER BY created_at DESC;

-- name: APITokenDelete :execrows
DELETE FROM api_token WHERE id = @id AND account_id = @account_id;

-- name: APITokenUse :one
-- The account behind a live token; marks it used.
UPDATE api_token SET last_used_at = now()
WHERE hash = @hash AND expires_at > now()
RETURNING account_id;
