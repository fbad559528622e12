-- +goose Up
-- Single-use links sent by e-mail (address verification, later password
-- reset). Only a hash of the token is stored: a leaked table opens nothing.
CREATE TABLE email_token (
    hash       bytea PRIMARY KEY,
    account_id uuid        NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    purpose    text        NOT NULL CHECK (purpose IN ('verify', 'reset')),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX email_token_account ON email_token (account_id);

-- +goose Down
DROP TABLE email_token;
