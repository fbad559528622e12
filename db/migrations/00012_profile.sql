-- +goose Up
-- The profile holds what a person chooses to give, every field optional.
-- Forms prefill from it only for a service the person has agreed to
-- (prefill_consent), and each such disclosure is written to the
-- transparency log.
CREATE TABLE profile (
    account_id      uuid PRIMARY KEY REFERENCES account (id) ON DELETE CASCADE,
    given_name      text CHECK (length(given_name) <= 100),
    family_name     text CHECK (length(family_name) <= 100),
    street          text CHECK (length(street) <= 200),
    postal_code     text CHECK (length(postal_code) <= 20),
    locality        text CHECK (length(locality) <= 100),
    country         text CHECK (country ~ '^[A-Z]{2}$'),
    phone           text CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    language        text CHECK (language IN ('de', 'fr', 'it', 'en')),
    notify_channels text[] NOT NULL DEFAULT '{}' CHECK (notify_channels <@ ARRAY['email', 'sms', 'push']),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- A consent lets the forms of one service read the named profile fields.
-- Revoking keeps the row (revoked_at) so the person sees the history.
CREATE TABLE prefill_consent (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id  uuid NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    service     text NOT NULL,
    fields      text[] NOT NULL CHECK (cardinality(fields) > 0),
    granted_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
CREATE UNIQUE INDEX prefill_consent_active ON prefill_consent (account_id, service) WHERE revoked_at IS NULL;
CREATE INDEX prefill_consent_account ON prefill_consent (account_id, granted_at DESC);

-- +goose Down
DROP TABLE prefill_consent;
DROP TABLE profile;
