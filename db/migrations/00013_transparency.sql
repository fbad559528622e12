-- +goose Up
-- The transparency log (Datencockpit): every read or disclosure of a
-- person's data by staff, a connector, another office or a form prefill,
-- with who, what, when, why and on which legal basis.
--
-- Tamper-evident: each entry carries the SHA-256 of the previous entry's
-- hash and its own content (a hash chain over the whole log, computed
-- here, in the inserting transaction, so no client can get it wrong).
-- Append-only: triggers refuse UPDATE, DELETE and TRUNCATE even for the
-- table owner, and the application's role gets SELECT and INSERT only
-- (`schalter admin grant-app-role`). subject has no foreign key: the log
-- outlives a deleted account for the retention the law requires
-- (docs/privacy.md).
CREATE TABLE transparency_log (
    seq         bigint PRIMARY KEY,
    subject     uuid        NOT NULL,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    actor_kind  text        NOT NULL CHECK (actor_kind IN ('staff', 'office', 'connector', 'form', 'system')),
    actor       text        NOT NULL CHECK (length(actor) BETWEEN 1 AND 200),
    office      text,
    action      text        NOT NULL CHECK (action IN ('read', 'disclose')),
    data        text[]      NOT NULL CHECK (cardinality(data) > 0),
    purpose     text        NOT NULL CHECK (length(purpose) BETWEEN 1 AND 500),
    legal_basis text        NOT NULL CHECK (length(legal_basis) BETWEEN 1 AND 500),
    prev_hash   bytea       NOT NULL,
    hash        bytea       NOT NULL
);
CREATE INDEX transparency_log_subject ON transparency_log (subject, seq DESC);

-- transparency_canonical is the text an entry's hash covers. The Go
-- verifier (internal/transparency) builds the same text independently.
-- +goose StatementBegin
CREATE FUNCTION transparency_canonical(l transparency_log) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT concat_ws(E'\x1f', l.seq::text, l.subject::text,
        to_char(l.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        l.actor_kind, l.actor, coalesce(l.office, ''), l.action,
        array_to_string(l.data, E'\x1e'), l.purpose, l.legal_basis)
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION transparency_chain() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    last transparency_log;
BEGIN
    -- One writer at a time extends the chain; the lock ends with the
    -- transaction, so an entry and the access it records commit together.
    PERFORM pg_advisory_xact_lock(hashtext('transparency_log'));
    SELECT * INTO last FROM transparency_log ORDER BY seq DESC LIMIT 1;
    NEW.seq := coalesce(last.seq, 0) + 1;
    NEW.occurred_at := date_trunc('microseconds', clock_timestamp());
    NEW.prev_hash := coalesce(last.hash, '\x'::bytea);
    NEW.hash := sha256(NEW.prev_hash || convert_to(transparency_canonical(NEW), 'UTF8'));
    RETURN NEW;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION transparency_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'transparency_log is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
-- +goose StatementEnd

CREATE TRIGGER transparency_chain BEFORE INSERT ON transparency_log
    FOR EACH ROW EXECUTE FUNCTION transparency_chain();
CREATE TRIGGER transparency_no_change BEFORE UPDATE OR DELETE ON transparency_log
    FOR EACH ROW EXECUTE FUNCTION transparency_append_only();
CREATE TRIGGER transparency_no_truncate BEFORE TRUNCATE ON transparency_log
    FOR EACH STATEMENT EXECUTE FUNCTION transparency_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON transparency_log FROM PUBLIC;

-- +goose Down
DROP FUNCTION transparency_canonical(transparency_log);
DROP TABLE transparency_log;
DROP FUNCTION transparency_append_only();
DROP FUNCTION transparency_chain();
