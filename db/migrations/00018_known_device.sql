-- +goose Up
-- Browsers and systems an account has logged in from, as a label such as
-- "Firefox auf Windows" (not the User-Agent): a login from a new one gets
-- a clearer notice by e-mail.
CREATE TABLE known_device (
    account_id uuid NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    label      text NOT NULL CHECK (length(label) <= 100),
    first_seen timestamptz NOT NULL DEFAULT now(),
    last_seen  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, label)
);

-- +goose Down
DROP TABLE known_device;
