-- +goose Up
-- Statement-level triggers fire even when a statement changes no row (a
-- seed that finds everything up to date, a popularity refresh with nothing
-- to do). Bump the catalogue revision only when rows really changed, using
-- the statements' transition tables, so caches and ETags stay valid.

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION catalogue_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    rev bigint;
    changed boolean;
BEGIN
    IF TG_OP = 'INSERT' THEN
        changed := EXISTS (SELECT 1 FROM new_rows);
    ELSIF TG_OP = 'UPDATE' THEN
        changed := EXISTS (SELECT 1 FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
        changed := EXISTS (SELECT 1 FROM old_rows);
    ELSE
        changed := true; -- TRUNCATE
    END IF;
    IF changed THEN
        UPDATE catalogue_revision SET revision = revision + 1 RETURNING revision INTO rev;
        PERFORM pg_notify('schalter_catalogue', rev::text);
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

DROP TRIGGER service_changed ON service;
DROP TRIGGER office_changed ON office;
DROP TRIGGER category_changed ON category;
DROP TRIGGER audience_changed ON audience;

CREATE TRIGGER service_inserted AFTER INSERT ON service REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
CREATE TRIGGER service_updated AFTER UPDATE ON service REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
CREATE TRIGGER service_deleted AFTER DELETE ON service REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
CREATE TRIGGER service_truncated AFTER TRUNCATE ON service
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
CREATE TRIGGER office_inserted AFTER INSERT ON office REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
CREATE TRIGGER office_updated AFTER UPDATE ON office REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
CREATE TRIGGER office_deleted AFTER DELETE ON office REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
CREATE TRIGGER category_inserted AFTER INSERT ON category REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
CREATE TRIGGER category_updated AFTER UPDATE ON category REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
CREATE TRIGGER category_deleted AFTER DELETE ON category REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
CREATE TRIGGER audience_inserted AFTER INSERT ON audience REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
CREATE TRIGGER audience_updated AFTER UPDATE ON audience REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
CREATE TRIGGER audience_deleted AFTER DELETE ON audience REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();

-- +goose Down
DROP TRIGGER audience_deleted ON audience;
DROP TRIGGER audience_updated ON audience;
DROP TRIGGER audience_inserted ON audience;
DROP TRIGGER category_deleted ON category;
DROP TRIGGER category_updated ON category;
DROP TRIGGER category_inserted ON category;
DROP TRIGGER office_deleted ON office;
DROP TRIGGER office_updated ON office;
DROP TRIGGER office_inserted ON office;
DROP TRIGGER service_truncated ON service;
DROP TRIGGER service_deleted ON service;
DROP TRIGGER service_updated ON service;
DROP TRIGGER service_inserted ON service;
CREATE TRIGGER service_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON service
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
CREATE TRIGGER office_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON office
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
CREATE TRIGGER category_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON category
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
CREATE TRIGGER audience_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON audience
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
