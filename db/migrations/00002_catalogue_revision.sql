-- +goose Up
-- Servers keep an in-memory snapshot of the published catalogue so that
-- reads need no database round trip. Every change to the catalogue tables
-- bumps one revision number and notifies the servers, which then reload;
-- servers also poll the revision, in case a notification was missed.
CREATE TABLE catalogue_revision (
    id       boolean PRIMARY KEY DEFAULT true CHECK (id),
    revision bigint  NOT NULL
);
INSERT INTO catalogue_revision (id, revision) VALUES (true, 1);

-- +goose StatementBegin
CREATE FUNCTION catalogue_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    rev bigint;
BEGIN
    UPDATE catalogue_revision SET revision = revision + 1 RETURNING revision INTO rev;
    PERFORM pg_notify('schalter_catalogue', rev::text);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER service_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON service
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
CREATE TRIGGER office_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON office
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
CREATE TRIGGER category_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON category
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
CREATE TRIGGER audience_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON audience
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();

-- +goose Down
DROP TRIGGER audience_changed ON audience;
DROP TRIGGER category_changed ON category;
DROP TRIGGER office_changed ON office;
DROP TRIGGER service_changed ON service;
DROP FUNCTION catalogue_changed();
DROP TABLE catalogue_revision;
