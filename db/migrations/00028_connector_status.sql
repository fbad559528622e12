-- +goose Up
-- The status-polling backstop for offices' systems that cannot call
-- back: Schalter asks the status URL, signed like a delivery, for the
-- status of the office's open cases its system has, and applies the
-- answers as the office's system would have.
ALTER TABLE connector ADD COLUMN status_url text CHECK (status_url ~ '^https?://' AND length(status_url) <= 500);

-- The cases an office's system has: delivered to its endpoint, or read by
-- it through the office API. Only these are asked about.
CREATE TABLE connector_handover (
    case_id uuid        PRIMARY KEY REFERENCES order_case (id) ON DELETE CASCADE,
    at      timestamptz NOT NULL DEFAULT now()
);

-- Cases delivered before this migration: their timeline says so.
INSERT INTO connector_handover (case_id, at)
SELECT e.case_id, min(e.at)
FROM case_event e JOIN order_case c ON c.id = e.case_id
WHERE e.actor = 'connector:' || c.office_slug AND e.message = 'An das zuständige Amt übermittelt.'
GROUP BY e.case_id;

-- +goose Down
DROP TABLE connector_handover;
ALTER TABLE connector DROP COLUMN status_url;
