-- name: AttemptLock :exec
-- One decision per key at a time, so two concurrent attempts cannot both
-- take the last one.
SELECT pg_advisory_xact_lock(hashtextextended(encode(@key::bytea, 'hex'), 0));

-- name: AttemptCount :one
-- The database's clock on both sides, so replicas' clocks do not matter.
SELECT count(*)::int FROM auth_attempt WHERE key = @key AND at > now() - make_interval(secs => @window_seconds::float8);

-- name: AttemptAdd :exec
INSERT INTO auth_attempt (key) VALUES (@key);

-- name: AttemptsPrune :execrows
DELETE FROM auth_attempt WHERE at < @before;

-- name: AttemptsClear :exec
DELETE FROM auth_attempt WHERE key = @key;
