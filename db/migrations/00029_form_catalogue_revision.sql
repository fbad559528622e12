-- +goose Up
-- Whether a service can be ordered online is part of what the catalogue
-- shows (online_form), so publishing a form changes the catalogue: the
-- revision moves, caches reload and ETags change, like for any other
-- catalogue table (catalogue_changed, migration 00006).
CREATE TRIGGER form_version_inserted AFTER INSERT ON form_version REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
CREATE TRIGGER form_version_updated AFTER UPDATE ON form_version REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
CREATE TRIGGER form_version_deleted AFTER DELETE ON form_version REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();

-- +goose Down
DROP TRIGGER form_version_inserted ON form_version;
DROP TRIGGER form_version_updated ON form_version;
DROP TRIGGER form_version_deleted ON form_version;
