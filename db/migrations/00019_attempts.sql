-- +goose Up
-- Attempts at credentials per key (an address, an account), for the
-- per-account limits on login, registration, reset and code entry. In
-- PostgreSQL rather than in each replica's memory, so the limit holds
-- however many replicas an attacker's requests are spread over. The key
-- is a SHA-256, not the address; rows older than a day are pruned hourly.
CREATE TABLE auth_attempt (
    key bytea       NOT NULL,
    at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX auth_attempt_key ON auth_attempt (key, at);
CREATE INDEX auth_attempt_at ON auth_attempt (at);

-- +goose Down
DROP TABLE auth_attempt;
