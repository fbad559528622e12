-- +goose Up
-- Second factor: TOTP (RFC 6238). The seed is stored encrypted
-- (internal/secretbox); last_step rejects a code used before (replay).
CREATE TABLE account_totp (
    account_id   uuid PRIMARY KEY REFERENCES account (id) ON DELETE CASCADE,
    secret_enc   bytea       NOT NULL,
    confirmed_at timestamptz,
    last_step    bigint      NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- Recovery codes for a lost second factor: hashes only, each usable once.
CREATE TABLE recovery_code (
    account_id uuid  NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    hash       bytea NOT NULL,
    used_at    timestamptz,
    PRIMARY KEY (account_id, hash)
);

-- +goose Down
DROP TABLE recovery_code;
DROP TABLE account_totp;
