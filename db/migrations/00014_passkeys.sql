-- +goose Up
-- Passkeys (WebAuthn). Each account that uses passkeys gets one random
-- user handle: authenticators store it with the credential and send it back
-- at a login without a user name (discoverable credentials). It is neither
-- the account id nor the e-mail address, so an authenticator learns nothing
-- that links it to other data about the person.
CREATE TABLE webauthn_user (
    account_id  uuid PRIMARY KEY REFERENCES account (id) ON DELETE CASCADE,
    user_handle bytea       NOT NULL UNIQUE CHECK (length(user_handle) BETWEEN 16 AND 64),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per registered passkey: the public key only (the private key
-- never leaves the authenticator), the signature counter for clone
-- detection, and what the person sees in "Mein Konto".
CREATE TABLE passkey (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id         uuid        NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    credential_id      bytea       NOT NULL UNIQUE CHECK (length(credential_id) BETWEEN 1 AND 1023),
    public_key         bytea       NOT NULL,                  -- COSE_Key
    attestation_format text        NOT NULL DEFAULT 'none',
    sign_count         bigint      NOT NULL DEFAULT 0 CHECK (sign_count BETWEEN 0 AND 4294967295),
    aaguid             uuid        NOT NULL,                  -- the authenticator model; all zero when not told
    flags              smallint    NOT NULL CHECK (flags BETWEEN 0 AND 255), -- authenticator data flags (UP, UV, BE, BS)
    transports         text[]      NOT NULL DEFAULT '{}',
    name               text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 60),
    created_at         timestamptz NOT NULL DEFAULT now(),
    last_used_at       timestamptz
);
CREATE INDEX passkey_account ON passkey (account_id, created_at);

-- +goose Down
DROP TABLE passkey;
DROP TABLE webauthn_user;
