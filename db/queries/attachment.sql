-- name: AttachmentInsert :exec
INSERT INTO attachment (id, account_id, guest_hash, filename, content_type, size, sha256)
VALUES (@id, sqlc.narg(account_id), sqlc.narg(guest_hash), @filename, @content_type, @size, @sha256);

-- name: AttachmentBlobPut :exec
INSERT INTO attachment_blob (id, body) VALUES (@id, @body);

-- name: AttachmentBlobGet :one
SELECT body FROM attachment_blob WHERE id = @id;

-- name: AttachmentOfOwner :one
SELECT * FROM attachment
WHERE id = @id AND (account_id = sqlc.narg(account_id) OR guest_hash = sqlc.narg(guest_hash));

-- name: AttachmentOfOffices :one
SELECT a.* FROM attachment a JOIN order_case c ON c.id = a.case_id
WHERE a.id = @id AND c.office_slug = ANY(@offices::text[]);

-- name: AttachmentCountOfOwner :one
SELECT count(*)::int FROM attachment
WHERE case_id IS NULL AND (account_id = sqlc.narg(account_id) OR guest_hash = sqlc.narg(guest_hash));

-- name: AttachmentLink :execrows
-- A submission takes the owner's attachments its data names to the case.
UPDATE attachment SET case_id = @case_id
WHERE id = ANY(@ids::text[]) AND case_id IS NULL AND account_id = @account_id;

-- name: AttachmentAdoptGuest :execrows
UPDATE attachment SET account_id = @account_id, guest_hash = NULL WHERE guest_hash = @guest_hash AND case_id IS NULL;

-- name: AttachmentPrune :execrows
-- Attachments no submission took, past the drafts' retention.
DELETE FROM attachment
WHERE case_id IS NULL AND (
    (account_id IS NULL AND guest_hash IS NULL)
    OR created_at < now() - make_interval(days => CASE WHEN guest_hash IS NULL THEN 30 ELSE 7 END));

-- name: AttachmentMove :execrows
-- A "continue later" link moves the guest's open attachments with the draft.
UPDATE attachment SET account_id = sqlc.narg(to_account), guest_hash = sqlc.narg(to_guest)
WHERE case_id IS NULL AND (account_id = sqlc.narg(from_account) OR guest_hash = sqlc.narg(from_guest));
