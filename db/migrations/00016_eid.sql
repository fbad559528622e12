-- +goose Up
-- Identities of the state eID (OpenID Connect) linked to accounts. An
-- identity is the provider's issuer and its subject (sub) for Schalter;
-- nothing else from the ID token is kept: no name, no date of birth, not
-- the e-mail claim. acr is the assurance of the last login with it.
CREATE TABLE account_eid (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id   uuid        NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    issuer       text        NOT NULL CHECK (length(issuer) BETWEEN 1 AND 500),
    subject      text        NOT NULL CHECK (length(subject) BETWEEN 1 AND 255),
    acr          text        NOT NULL CHECK (length(acr) <= 255),
    linked_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz NOT NULL DEFAULT now(),
    -- One identity logs into one account only.
    UNIQUE (issuer, subject),
    -- One identity per provider and account: a second person's eID cannot
    -- be added to an account that has one (unlink first).
    UNIQUE (account_id, issuer)
);

-- +goose Down
DROP TABLE account_eid;
