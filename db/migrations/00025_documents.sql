-- +goose Up
-- Documents delivered into a person's account ("Meine amtlichen
-- Dokumente") and the keys that sign them. Each office signs with its own
-- Ed25519 key; the private key is stored sealed with SCHALTER_SECRET_KEY,
-- the public key is published. Rotating retires a key (it still verifies
-- what it signed) and makes a new one: at most one active key per office.
CREATE TABLE signing_key (
    id          text        PRIMARY KEY CHECK (id ~ '^[a-z0-9-]{3,100}$'),
    office_slug text        NOT NULL REFERENCES office (slug),
    public_key  bytea       NOT NULL CHECK (length(public_key) = 32),
    private_sealed bytea    NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    retired_at  timestamptz
);
CREATE UNIQUE INDEX signing_key_active ON signing_key (office_slug) WHERE retired_at IS NULL;

-- A document is written once: its bytes, their SHA-256 and the signature
-- over issuer, kind, issue time and hash never change (trigger); only a
-- revocation is added.
CREATE TABLE document (
    id           uuid        PRIMARY KEY,
    case_id      uuid        NOT NULL REFERENCES order_case (id),
    account_id   uuid        REFERENCES account (id) ON DELETE SET NULL,
    office_slug  text        NOT NULL REFERENCES office (slug),
    kind         text        NOT NULL CHECK (kind ~ '^[a-z0-9_]{2,60}$'),
    title        text        NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    filename     text        NOT NULL CHECK (filename ~ '^[A-Za-z0-9._-]{1,120}$'),
    content_type text        NOT NULL CHECK (content_type = 'application/pdf'),
    size         integer     NOT NULL CHECK (size BETWEEN 1 AND 20971520),
    sha256       bytea       NOT NULL CHECK (length(sha256) = 32),
    key_id       text        NOT NULL REFERENCES signing_key (id),
    signature    bytea       NOT NULL CHECK (length(signature) = 64),
    issued_at    timestamptz NOT NULL,
    revoked_at   timestamptz,
    revoked_reason text      CHECK (length(revoked_reason) <= 500),
    body         bytea       NOT NULL,
    CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL))
);
CREATE INDEX document_account ON document (account_id, issued_at DESC);
CREATE INDEX document_case ON document (case_id);

-- +goose StatementBegin
CREATE FUNCTION document_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id IS DISTINCT FROM OLD.id OR NEW.case_id IS DISTINCT FROM OLD.case_id OR NEW.office_slug IS DISTINCT FROM OLD.office_slug
       OR NEW.kind IS DISTINCT FROM OLD.kind OR NEW.title IS DISTINCT FROM OLD.title OR NEW.sha256 IS DISTINCT FROM OLD.sha256
       OR NEW.key_id IS DISTINCT FROM OLD.key_id OR NEW.signature IS DISTINCT FROM OLD.signature
       OR NEW.issued_at IS DISTINCT FROM OLD.issued_at OR NEW.body IS DISTINCT FROM OLD.body
       OR (OLD.revoked_at IS NOT NULL AND NEW.revoked_at IS DISTINCT FROM OLD.revoked_at) THEN
        RAISE EXCEPTION 'an issued document is immutable' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER document_frozen BEFORE UPDATE ON document FOR EACH ROW EXECUTE FUNCTION document_frozen();

-- +goose Down
DROP TABLE document;
DROP FUNCTION document_frozen;
DROP TABLE signing_key;
