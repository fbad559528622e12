-- +goose Up
-- Retention of the transparency log: entries older than the retention
-- period are removed by transparency_prune(), run by the schema owner
-- (`schalter transparency prune`), never by the application. Before it
-- deletes, it records the last removed entry's seq and hash as an anchor,
-- so the chain of what remains still verifies from there.
CREATE TABLE transparency_anchor (
    seq       bigint PRIMARY KEY,
    hash      bytea       NOT NULL,
    pruned_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER transparency_anchor_no_change BEFORE UPDATE OR DELETE ON transparency_anchor
    FOR EACH ROW EXECUTE FUNCTION transparency_append_only();
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON transparency_anchor FROM PUBLIC;

-- The append-only trigger lets exactly one kind of DELETE through: the
-- one transparency_prune() makes after setting schalter.pruning locally.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION transparency_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'transparency_log'
       AND current_setting('schalter.pruning', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION transparency_prune(before timestamptz) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    last transparency_log;
    removed bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('transparency_log'));
    SELECT * INTO last FROM transparency_log
    WHERE occurred_at < before ORDER BY seq DESC LIMIT 1;
    IF last.seq IS NULL THEN
        RETURN 0;
    END IF;
    INSERT INTO transparency_anchor (seq, hash) VALUES (last.seq, last.hash);
    PERFORM set_config('schalter.pruning', 'on', true);
    DELETE FROM transparency_log WHERE seq <= last.seq;
    GET DIAGNOSTICS removed = ROW_COUNT;
    PERFORM set_config('schalter.pruning', 'off', true);
    RETURN removed;
END
$$;
-- +goose StatementEnd
REVOKE EXECUTE ON FUNCTION transparency_prune(timestamptz) FROM PUBLIC;

-- +goose Down
DROP FUNCTION transparency_prune(timestamptz);
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION transparency_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'transparency_log is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
-- +goose StatementEnd
DROP TABLE transparency_anchor;
