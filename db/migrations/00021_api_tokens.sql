-- +goose Up
-- Personal API tokens: bearer tokens for scripts of editors and
-- administrators (catalogue import and export), bound to the account and
-- its roles, so every change names a person. They replace the single
-- shared admin token of the foundation. Only a SHA-256 of a token is kept.
CREATE TABLE api_token (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id   uuid        NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    name         text        NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
    hash         bytea       NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    last_used_at timestamptz
);
CREATE INDEX api_token_account ON api_token (account_id);

-- +goose Down
DROP TABLE api_token;
