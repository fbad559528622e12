-- +goose Up
-- Files a person attaches to a form (photos of a damaged street light,
-- a scanned document). Owned like drafts (an account, or a guest by the
-- hash of the guest id); a submission links the ones its data names to
-- the case, for the office. The bytes live in attachment_blob, behind
-- internal/attachments' Blobs interface, so that a deployment can move
-- them to an object store without touching the metadata.
CREATE TABLE attachment (
    id           text        PRIMARY KEY CHECK (id ~ '^att_[A-Za-z0-9_-]{22}$'),
    account_id   uuid        REFERENCES account (id) ON DELETE SET NULL,
    guest_hash   bytea       CHECK (length(guest_hash) = 32),
    case_id      uuid        REFERENCES order_case (id),
    filename     text        NOT NULL CHECK (length(filename) BETWEEN 1 AND 120),
    content_type text        NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp', 'image/heic', 'application/pdf')),
    size         integer     NOT NULL CHECK (size BETWEEN 1 AND 10485760),
    sha256       bytea       NOT NULL CHECK (length(sha256) = 32),
    created_at   timestamptz NOT NULL DEFAULT now(),
    -- Never both owners; neither once the account is deleted (a case's
    -- files stay with the office, others are pruned at once).
    CHECK (account_id IS NULL OR guest_hash IS NULL)
);
CREATE INDEX attachment_account ON attachment (account_id) WHERE account_id IS NOT NULL;
CREATE INDEX attachment_guest ON attachment (guest_hash) WHERE guest_hash IS NOT NULL;
CREATE INDEX attachment_case ON attachment (case_id) WHERE case_id IS NOT NULL;

CREATE TABLE attachment_blob (
    id   text  PRIMARY KEY REFERENCES attachment (id) ON DELETE CASCADE,
    body bytea NOT NULL
);

-- +goose Down
DROP TABLE attachment_blob;
DROP TABLE attachment;
