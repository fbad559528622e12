-- +goose Up
-- Which sessions belong to which account, with what the person can
-- recognise them by (browser and when they logged in), so they can list
-- their devices and end any of them. The token is the scs session token;
-- a session that expired or ended leaves its row behind, which the join
-- with sessions hides and a cleanup removes.
CREATE TABLE session_device (
    token      text PRIMARY KEY,
    -- What clients see and name a session by: a hash, never the token.
    id         text        NOT NULL UNIQUE,
    account_id uuid        NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    user_agent text        NOT NULL DEFAULT '',
    methods    text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX session_device_account ON session_device (account_id);

-- +goose Down
DROP TABLE session_device;
