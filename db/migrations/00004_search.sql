-- +goose Up
-- Search index sync. Every change to a service writes a row here in the
-- same transaction (a trigger), so a crash between the database write and
-- the index update loses nothing: each server's indexer reads the rows
-- after its own position and applies them. NOTIFY makes it prompt.
CREATE TABLE search_outbox (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- +goose StatementBegin
CREATE FUNCTION search_outbox_add() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    row_slug text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        row_slug := OLD.slug;
    ELSE
        row_slug := NEW.slug;
    END IF;
    INSERT INTO search_outbox (slug) VALUES (row_slug);
    PERFORM pg_notify('schalter_search', row_slug);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER service_search_outbox AFTER INSERT OR UPDATE OR DELETE ON service
    FOR EACH ROW EXECUTE FUNCTION search_outbox_add();

-- The position of a shared engine (Meilisearch) in the outbox; embedded
-- engines keep theirs inside their own index.
CREATE TABLE search_position (
    engine     text PRIMARY KEY,
    position   bigint      NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Guests' favourites, under a random guest id from a cookie. The owner is
-- a tagged string ("guest:<uuid>", later "account:<id>") so that logging
-- in can move a guest's favourites to the account with one UPDATE.
CREATE TABLE favourite (
    owner      text        NOT NULL,
    slug       text        NOT NULL REFERENCES service (slug) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (owner, slug)
);
CREATE INDEX favourite_slug ON favourite (slug);

-- +goose Down
DROP TABLE favourite;
DROP TABLE search_position;
DROP TRIGGER service_search_outbox ON service;
DROP FUNCTION search_outbox_add();
DROP TABLE search_outbox;
