-- name: ConnectorPut :exec
INSERT INTO connector (office_slug, endpoint_url, key_id, secret_sealed, api_key_hash)
VALUES (@office_slug, @endpoint_url, @key_id, @secret_sealed, @api_key_hash)
ON CONFLICT (office_slug) DO UPDATE SET endpoint_url = excluded.endpoint_url, key_id = excluded.key_id,
    secret_sealed = excluded.secret_sealed, api_key_hash = excluded.api_key_hash, updated_at = now();

-- name: ConnectorOfOffice :one
SELECT * FROM connector WHERE office_slug = @office_slug;

-- name: ConnectorByKey :one
SELECT * FROM connector WHERE api_key_hash = @api_key_hash;

-- name: ConnectorList :many
SELECT office_slug, endpoint_url, key_id, created_at, updated_at FROM connector ORDER BY office_slug;

-- name: ReservationInsert :exec
INSERT INTO document_reservation (id, case_id, kind, title, filename) VALUES (@id, @case_id, @kind, @title, @filename);

-- name: ReservationTake :one
-- An upload spends the reservation; the document then exists instead.
DELETE FROM document_reservation WHERE id = @id RETURNING *;
