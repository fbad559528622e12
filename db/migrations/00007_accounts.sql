-- +goose Up
-- Accounts (Mein Konto). Registration asks only for an e-mail address and a
-- password or a passkey; everything else is optional and kept elsewhere.
-- The address is stored as typed and, for uniqueness and login, in a
-- normalised form (lower case, trimmed).
CREATE TABLE account (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email             text        NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    email_normalized  text        NOT NULL UNIQUE,
    email_verified_at timestamptz,
    -- Argon2id in PHC format (internal/password); NULL for passkey-only accounts.
    password_hash     text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);

-- Roles beyond "resident" (every account is one). Staff are bound to
-- offices; editors and administrators are not.
CREATE TABLE account_role (
    account_id  uuid NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    role        text NOT NULL CHECK (role IN ('staff', 'editor', 'admin')),
    office_slug text REFERENCES office (slug),
    granted_at  timestamptz NOT NULL DEFAULT now(),
    CHECK ((role = 'staff') = (office_slug IS NOT NULL))
);
CREATE UNIQUE INDEX account_role_unique ON account_role (account_id, role, coalesce(office_slug, ''));

-- +goose Down
DROP TABLE account_role;
DROP TABLE account;
