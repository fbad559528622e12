-- +goose Up
-- The catalogue. A service is stored as its validated document (doc, the
-- same JSON an editor imports and exports) plus the columns that filters,
-- ordering and integrity need. The document is the source of truth; the
-- columns are written from it by the store in the same statement.

CREATE TABLE office (
    slug       text PRIMARY KEY CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    doc        jsonb       NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE category (
    slug     text PRIMARY KEY CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    kind     text  NOT NULL CHECK (kind IN ('topic', 'life_situation')),
    icon     text  NOT NULL,
    title    jsonb NOT NULL,
    position integer NOT NULL
);

CREATE TABLE audience (
    slug     text PRIMARY KEY CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    title    jsonb   NOT NULL,
    position integer NOT NULL
);

CREATE TABLE service (
    slug            text PRIMARY KEY CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    state           text     NOT NULL CHECK (state IN ('draft', 'published', 'archived')),
    office_slug     text     NOT NULL REFERENCES office (slug),
    categories      text[]   NOT NULL,
    life_situations text[]   NOT NULL DEFAULT '{}',
    audiences       text[]   NOT NULL,
    channels        text[]   NOT NULL,
    popularity      integer  NOT NULL CHECK (popularity BETWEEN 0 AND 100),
    doc             jsonb    NOT NULL,
    -- The description rendered from Markdown and sanitised, per language;
    -- rendered once at write time instead of on every read.
    description_html jsonb   NOT NULL DEFAULT '{}',
    -- version increases with every write and is the basis of the ETag that
    -- optimistic locking (If-Match) compares.
    version         integer  NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- The public list is always "published, by popularity then slug".
CREATE INDEX service_published_order ON service (popularity DESC, slug) WHERE state = 'published';
CREATE INDEX service_categories ON service USING gin (categories);
CREATE INDEX service_life_situations ON service USING gin (life_situations);
CREATE INDEX service_audiences ON service USING gin (audiences);
CREATE INDEX service_channels ON service USING gin (channels);
CREATE INDEX service_office ON service (office_slug);

-- Every write to a service keeps the previous document, so an editor can see
-- who changed what and a bad import can be undone by hand.
CREATE TABLE service_revision (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug        text        NOT NULL,
    version     integer     NOT NULL,
    state       text        NOT NULL,
    doc         jsonb       NOT NULL,
    actor       text        NOT NULL,
    action      text        NOT NULL CHECK (action IN ('create', 'update', 'publish', 'archive', 'import', 'seed')),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX service_revision_slug ON service_revision (slug, version DESC);

-- +goose Down
DROP TABLE service_revision;
DROP TABLE service;
DROP TABLE audience;
DROP TABLE category;
DROP TABLE office;
