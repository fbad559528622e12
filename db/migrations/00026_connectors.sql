-- +goose Up
-- Connectors to the offices' own systems. Outbound, Schalter posts each
-- new case to the office's endpoint, signed with HMAC-SHA256 (the secret
-- is stored sealed with SCHALTER_SECRET_KEY). Inbound, the office's
-- system calls Schalter with its API key (only its hash is stored),
-- which reaches that office's cases and nothing else.
CREATE TABLE connector (
    office_slug   text        PRIMARY KEY REFERENCES office (slug),
    endpoint_url  text        NOT NULL CHECK (endpoint_url ~ '^https?://' AND length(endpoint_url) <= 500),
    key_id        text        NOT NULL CHECK (key_id ~ '^[a-z0-9-]{3,100}$'),
    secret_sealed bytea       NOT NULL,
    api_key_hash  bytea       NOT NULL UNIQUE CHECK (length(api_key_hash) = 32),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- A document an office announced for a case: the id (and so the
-- verification link its QR code prints) exists before the office renders
-- the PDF, which it then uploads once.
CREATE TABLE document_reservation (
    id         uuid        PRIMARY KEY,
    case_id    uuid        NOT NULL REFERENCES order_case (id),
    kind       text        NOT NULL CHECK (kind ~ '^[a-z0-9_]{2,60}$'),
    title      text        NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    filename   text        NOT NULL CHECK (filename ~ '^[A-Za-z0-9._-]{1,120}$'),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX document_reservation_case ON document_reservation (case_id);

-- +goose Down
DROP TABLE document_reservation;
DROP TABLE connector;
