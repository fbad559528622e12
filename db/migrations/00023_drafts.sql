-- +goose Up
-- Order drafts: what a person has filled in so far, saved as they type.
-- A draft keeps the form version it started on, so a form published
-- meanwhile never invalidates half-filled data. It belongs to exactly one
-- owner: an account, or a guest known only by the hash of the guest id in
-- their cookie (the id is a bearer credential; a leaked table must not
-- hand out the drafts' personal data). revision counts saves and is the
-- ETag that If-Match checks. Drafts are deleted at expires_at, which every
-- save moves on by the owner's retention.
CREATE TABLE draft (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    service_slug text        NOT NULL,
    form_version integer     NOT NULL,
    account_id   uuid        REFERENCES account (id) ON DELETE CASCADE,
    guest_hash   bytea       CHECK (length(guest_hash) = 32),
    data         jsonb       NOT NULL CHECK (jsonb_typeof(data) = 'object'),
    section      text        NOT NULL DEFAULT '' CHECK (length(section) <= 80),
    revision     integer     NOT NULL DEFAULT 1 CHECK (revision >= 1),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    FOREIGN KEY (service_slug, form_version) REFERENCES form_version (service_slug, version) ON DELETE CASCADE,
    CHECK ((account_id IS NULL) <> (guest_hash IS NULL))
);
CREATE INDEX draft_account ON draft (account_id, updated_at DESC) WHERE account_id IS NOT NULL;
CREATE INDEX draft_guest ON draft (guest_hash, updated_at DESC) WHERE guest_hash IS NOT NULL;
CREATE INDEX draft_expires ON draft (expires_at);

-- "Continue later" links: single use, hashed like every emailed token.
CREATE TABLE draft_resume (
    hash       bytea       PRIMARY KEY CHECK (length(hash) = 32),
    draft_id   uuid        NOT NULL REFERENCES draft (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX draft_resume_draft ON draft_resume (draft_id);
CREATE INDEX draft_resume_expires ON draft_resume (expires_at);

-- +goose Down
DROP TABLE draft_resume;
DROP TABLE draft;
