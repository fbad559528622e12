-- +goose Up
-- Second factor: one-time codes by SMS. An account has at most one number;
-- confirmed_at stays NULL until a code sent to it came back.
CREATE TABLE account_sms (
    account_id   uuid PRIMARY KEY REFERENCES account (id) ON DELETE CASCADE,
    phone        text        NOT NULL CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'), -- E.164
    confirmed_at timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- Codes sent by SMS: only a keyed hash (HMAC under SCHALTER_SECRET_KEY; six
-- digits have too few values for a plain hash), single use, with an
-- expiry and a count of wrong entries. Rows outlive their code for an hour
-- because they also count the messages sent (the resend limit).
CREATE TABLE sms_code (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id uuid        NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    purpose    text        NOT NULL CHECK (purpose IN ('setup', 'verify')),
    hash       bytea       NOT NULL,
    attempts   integer     NOT NULL DEFAULT 0,
    sent_at    timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX sms_code_account ON sms_code (account_id, sent_at);
CREATE INDEX sms_code_sent ON sms_code (sent_at);

-- +goose Down
DROP TABLE sms_code;
DROP TABLE account_sms;
