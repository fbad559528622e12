-- name: SessionDeviceAdd :exec
INSERT INTO session_device (token, id, account_id, user_agent, methods) VALUES (@token, @id, @account_id, @user_agent, @methods)
ON CONFLICT (token) DO UPDATE SET account_id = excluded.account_id, methods = excluded.methods;

-- name: SessionDeviceList :many
-- Live sessions of an account, newest first.
SELECT d.id, d.user_agent, d.methods, d.created_at, s.expiry
FROM session_device d JOIN sessions s ON s.token = d.token AND s.expiry > now()
WHERE d.account_id = @account_id
ORDER BY d.created_at DESC;

-- name: SessionDeviceEnd :execrows
-- Ends one of the account's sessions; another account's token finds nothing.
WITH gone AS (
    DELETE FROM session_device sd WHERE sd.id = @id AND sd.account_id = @account_id RETURNING sd.token AS ended
)
DELETE FROM sessions WHERE sessions.token IN (SELECT ended FROM gone);

-- name: SessionDevicePrune :execrows
-- A login records its device before the session row is written (scs
-- saves the session when the response goes out), so a device younger
-- than a minute may simply not have its session yet.
DELETE FROM session_device d
WHERE d.created_at < now() - interval '1 minute'
  AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.token = d.token AND s.expiry > now());
