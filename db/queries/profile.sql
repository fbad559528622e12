-- name: ProfileGet :one
SELECT * FROM profile WHERE account_id = @account_id;

-- name: ProfilePut :one
INSERT INTO profile (account_id, given_name, family_name, street, postal_code, locality, country, phone, language, notify_channels)
VALUES (@account_id, sqlc.narg('given_name'), sqlc.narg('family_name'), sqlc.narg('street'), sqlc.narg('postal_code'),
        sqlc.narg('locality'), sqlc.narg('country'), sqlc.narg('phone'), sqlc.narg('language'), @notify_channels)
ON CONFLICT (account_id) DO UPDATE SET
    given_name = excluded.given_name, family_name = excluded.family_name, street = excluded.street,
    postal_code = excluded.postal_code, locality = excluded.locality, country = excluded.country,
    phone = excluded.phone, language = excluded.language, notify_channels = excluded.notify_channels,
    updated_at = now()
RETURNING *;

-- name: ConsentGrant :one
-- Granting again for the same service replaces the active consent (the
-- caller revokes it first in the same transaction).
INSERT INTO prefill_consent (account_id, service, fields) VALUES (@account_id, @service, @fields)
RETURNING *;

-- name: ConsentRevoke :execrows
UPDATE prefill_consent SET revoked_at = now()
WHERE account_id = @account_id AND service = @service AND revoked_at IS NULL;

-- name: ConsentList :many
SELECT * FROM prefill_consent WHERE account_id = @account_id ORDER BY granted_at DESC, id;

-- name: ConsentActive :one
SELECT * FROM prefill_consent WHERE account_id = @account_id AND service = @service AND revoked_at IS NULL;

-- name: PrefillLastCase :one
-- The person's last case of a service, whose answers the service's form
-- may reuse after consent (the prefill reads it with its log entry).
SELECT number, submitted_at, data FROM order_case
WHERE account_id = @account_id AND service_slug = @service_slug
ORDER BY submitted_at DESC LIMIT 1;
