-- +goose Up
-- Order forms: versions of a service's form definition (JSON Schema for
-- the data, UI schema for how it is shown; internal/forms checks both).
-- A version is written once and never changed: a draft that the editor
-- changes becomes a new version, so every draft and case can name the
-- exact definition it was filled against. At most one version per
-- service is published; publishing another archives it.
CREATE TABLE form_version (
    service_slug text        NOT NULL REFERENCES service (slug) ON DELETE CASCADE,
    version      integer     NOT NULL CHECK (version >= 1),
    state        text        NOT NULL CHECK (state IN ('draft', 'published', 'archived')),
    definition   jsonb       NOT NULL,
    actor        text        NOT NULL CHECK (length(actor) BETWEEN 1 AND 200),
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz,
    PRIMARY KEY (service_slug, version),
    CHECK ((state = 'draft') = (published_at IS NULL))
);
CREATE UNIQUE INDEX form_version_one_published ON form_version (service_slug) WHERE state = 'published';

-- +goose Down
DROP TABLE form_version;
