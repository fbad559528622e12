-- +goose Up
-- Server-side sessions (github.com/alexedwards/scs with its pgx store): the
-- cookie holds only a random token; what a session says (who, how and
-- when they authenticated) stays here, so ending a session takes effect at
-- once on every server.
CREATE TABLE sessions (
    token  text PRIMARY KEY,
    data   bytea       NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

-- +goose Down
DROP TABLE sessions;
