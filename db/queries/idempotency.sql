-- name: IdempotencyBegin :one
-- Claims a key for a request. No row back means the key exists already.
INSERT INTO idempotency_key (scope, key, request_hash)
VALUES (@scope, @key, @request_hash)
ON CONFLICT (scope, key) DO NOTHING
RETURNING created_at;

-- name: IdempotencyGet :one
SELECT request_hash, status, content_type, headers, body, created_at
FROM idempotency_key
WHERE scope = @scope AND key = @key;

-- name: IdempotencyFinish :exec
UPDATE idempotency_key
SET status = @status, content_type = @content_type, headers = @headers, body = @body
WHERE scope = @scope AND key = @key;

-- name: IdempotencyRelease :exec
-- Forgets a key whose request failed on our side, so a retry runs again.
DELETE FROM idempotency_key WHERE scope = @scope AND key = @key;

-- name: IdempotencyExpire :execrows
DELETE FROM idempotency_key WHERE created_at < now() - make_interval(secs => @max_age_seconds::float8);
