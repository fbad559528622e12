-- name: KnownDeviceSeen :one
-- true when the label is new for the account.
INSERT INTO known_device (account_id, label) VALUES (@account_id, @label)
ON CONFLICT (account_id, label) DO UPDATE SET last_seen = now()
RETURNING (xmax = 0)::boolean AS new_device;

-- name: KnownDevices :many
SELECT label, first_seen, last_seen FROM known_device WHERE account_id = @account_id ORDER BY last_seen DESC;
