-- name: ConnectorPut :exec
INSERT INTO connector (office_slug, endpoint_url, status_url, key_id, secret_sealed, api_key_hash)
VALUES (@office_slug, @endpoint_url, @status_url, @key_id, @secret_sealed, @api_key_hash)
ON CONFLICT (office_slug) DO UPDATE SET endpoint_url = excluded.endpoint_url, status_url = excluded.status_url, key_id = excluded.key_id,
    secret_sealed = excluded.secret_sealed, api_key_hash = excluded.api_key_hash, updated_at = now();

-- name: ConnectorOfOffice :one
SELECT * FROM connector WHERE office_slug = @office_slug;

-- name: OfficesWithConnector :many
-- Those of the offices that have a connector.
SELECT office_slug FROM connector WHERE office_slug = ANY(@offices::text[]);

-- name: ConnectorByKey :one
SELECT * FROM connector WHERE api_key_hash = @api_key_hash;

-- name: ConnectorList :many
SELECT office_slug, endpoint_url, status_url, key_id, created_at, updated_at FROM connector ORDER BY office_slug;

-- name: ConnectorsPolled :many
-- The offices whose systems Schalter asks for the status of their cases.
SELECT office_slug FROM connector WHERE status_url IS NOT NULL ORDER BY office_slug;

-- name: HandoverInsert :exec
INSERT INTO connector_handover (case_id) VALUES (@case_id) ON CONFLICT (case_id) DO NOTHING;

-- name: HandedOverCases :many
-- A page of the office's cases in statuses that its system has, by
-- number after @after: what a status poll asks about.
SELECT c.number, c.status FROM order_case c JOIN connector_handover h ON h.case_id = c.id
WHERE c.office_slug = @office_slug AND c.status = ANY(@statuses::text[]) AND c.number > @after
ORDER BY c.number LIMIT @max;

-- name: ReservationInsert :exec
INSERT INTO document_reservation (id, case_id, kind, title, filename) VALUES (@id, @case_id, @kind, @title, @filename);

-- name: ReservationTake :one
-- An upload spends the reservation; the document then exists instead.
DELETE FROM document_reservation WHERE id = @id RETURNING *;
