-- name: SigningKeyActive :one
SELECT * FROM signing_key WHERE office_slug = @office_slug AND retired_at IS NULL;

-- name: SigningKeyInsert :one
INSERT INTO signing_key (id, office_slug, public_key, private_sealed) VALUES (@id, @office_slug, @public_key, @private_sealed)
RETURNING *;

-- name: SigningKeyRetire :exec
UPDATE signing_key SET retired_at = now() WHERE office_slug = @office_slug AND retired_at IS NULL;

-- name: SigningKeyGet :one
SELECT * FROM signing_key WHERE id = @id;

-- name: SigningKeyList :many
SELECT id, office_slug, public_key, created_at, retired_at FROM signing_key ORDER BY office_slug, created_at;

-- name: SigningKeyLockOffice :one
-- Rotations and first keys of one office happen one at a time.
SELECT slug FROM office WHERE slug = @office_slug FOR UPDATE;

-- name: DocumentInsert :exec
INSERT INTO document (id, case_id, account_id, office_slug, kind, title, filename, content_type, size, sha256, key_id, signature, issued_at, body)
VALUES (@id, @case_id, @account_id, @office_slug, @kind, @title, @filename, @content_type, @size, @sha256, @key_id, @signature, @issued_at, @body);

-- name: DocumentMeta :one
SELECT id, case_id, account_id, office_slug, kind, title, filename, content_type, size, sha256, key_id, signature, issued_at, revoked_at, revoked_reason
FROM document WHERE id = @id;

-- name: DocumentBody :one
SELECT body FROM document WHERE id = @id;

-- name: DocumentsOfAccount :many
SELECT d.id, d.case_id, d.account_id, d.office_slug, d.kind, d.title, d.filename, d.content_type, d.size, d.sha256, d.key_id, d.signature,
       d.issued_at, d.revoked_at, d.revoked_reason, c.number AS case_number
FROM document d JOIN order_case c ON c.id = d.case_id
WHERE d.account_id = @account_id ORDER BY d.issued_at DESC, d.id;

-- name: DocumentRevoke :execrows
UPDATE document SET revoked_at = now(), revoked_reason = @reason WHERE id = @id AND revoked_at IS NULL;
