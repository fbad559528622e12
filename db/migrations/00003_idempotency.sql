-- +goose Up
-- Responses to writes sent with an Idempotency-Key, so that a client that
-- retries after a timeout gets the first answer instead of doing the write
-- twice (or getting a confusing 409). Keys are scoped to the caller and
-- kept for a day.
CREATE TABLE idempotency_key (
    scope        text        NOT NULL,
    key          text        NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_hash bytea       NOT NULL,
    -- NULL while the first request is still being processed.
    status       integer,
    content_type text,
    headers      jsonb,
    body         bytea,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_key_created ON idempotency_key (created_at);

-- +goose Down
DROP TABLE idempotency_key;
