-- +goose Up
-- How many people keep a service as favourite feeds its popularity, the
-- ranking tie-breaker and the order of lists: aggregated and anonymous, a
-- boost of up to 20 points on top of the editors' popularity.
ALTER TABLE service ADD COLUMN favourite_boost integer NOT NULL DEFAULT 0 CHECK (favourite_boost BETWEEN 0 AND 20);
ALTER TABLE service ADD COLUMN effective_popularity integer
    GENERATED ALWAYS AS (LEAST(100, popularity + favourite_boost)) STORED;
DROP INDEX service_published_order;
CREATE INDEX service_published_order ON service (effective_popularity DESC, slug) WHERE state = 'published';

-- +goose Down
DROP INDEX service_published_order;
ALTER TABLE service DROP COLUMN effective_popularity;
ALTER TABLE service DROP COLUMN favourite_boost;
CREATE INDEX service_published_order ON service (popularity DESC, slug) WHERE state = 'published';
