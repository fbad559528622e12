-- +goose Up
-- Cases: orders a person submitted. A case keeps an immutable copy of
-- what was submitted (data, form version, language) and a number people
-- can read out on the phone (UST-2026-004711-3: city, year, sequence,
-- ISO 7064 MOD 11-10 check digit). Its status changes only with an event
-- in case_event, the timeline the person sees.
--
-- A case is an official record the office keeps under its own retention
-- rules: deleting the account unlinks the case (account_id NULL) and
-- leaves it with the office.
CREATE TABLE case_counter (
    year integer PRIMARY KEY CHECK (year BETWEEN 2000 AND 9999),
    last integer NOT NULL CHECK (last BETWEEN 1 AND 999999)
);

CREATE TABLE order_case (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    number       text        NOT NULL UNIQUE CHECK (number ~ '^[A-Z]{2,5}-[0-9]{4}-[0-9]{6}-[0-9]$'),
    account_id   uuid        REFERENCES account (id) ON DELETE SET NULL,
    service_slug text        NOT NULL,
    form_version integer     NOT NULL,
    office_slug  text        NOT NULL REFERENCES office (slug),
    data         jsonb       NOT NULL CHECK (jsonb_typeof(data) = 'object'),
    language     text        NOT NULL CHECK (language IN ('de', 'fr', 'it', 'en')),
    delivery     text        NOT NULL CHECK (delivery IN ('account', 'post')),
    notify       text[]      NOT NULL CHECK (notify <@ ARRAY['email', 'sms', 'push']::text[]),
    status       text        NOT NULL DEFAULT 'received'
        CHECK (status IN ('received', 'in_progress', 'waiting', 'done', 'rejected', 'withdrawn')),
    submitted_at timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (service_slug, form_version) REFERENCES form_version (service_slug, version)
);
CREATE INDEX order_case_account ON order_case (account_id, submitted_at DESC);
CREATE INDEX order_case_office ON order_case (office_slug, status, submitted_at);

-- What was submitted never changes; only status and updated_at move.
-- +goose StatementBegin
CREATE FUNCTION order_case_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.number IS DISTINCT FROM OLD.number OR NEW.service_slug IS DISTINCT FROM OLD.service_slug
       OR NEW.form_version IS DISTINCT FROM OLD.form_version OR NEW.office_slug IS DISTINCT FROM OLD.office_slug
       OR NEW.data IS DISTINCT FROM OLD.data OR NEW.language IS DISTINCT FROM OLD.language
       OR NEW.submitted_at IS DISTINCT FROM OLD.submitted_at THEN
        RAISE EXCEPTION 'a submitted case is immutable' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER order_case_frozen BEFORE UPDATE ON order_case FOR EACH ROW EXECUTE FUNCTION order_case_frozen();

-- The timeline: append-only.
CREATE TABLE case_event (
    id         bigserial   PRIMARY KEY,
    case_id    uuid        NOT NULL REFERENCES order_case (id) ON DELETE CASCADE,
    at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    status     text        NOT NULL
        CHECK (status IN ('received', 'in_progress', 'waiting', 'done', 'rejected', 'withdrawn')),
    actor_kind text        NOT NULL CHECK (actor_kind IN ('resident', 'staff', 'system')),
    actor      text        NOT NULL CHECK (length(actor) BETWEEN 1 AND 200),
    message    text        NOT NULL DEFAULT '' CHECK (length(message) <= 4000)
);
CREATE INDEX case_event_case ON case_event (case_id, id);

-- +goose StatementBegin
CREATE FUNCTION case_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the case timeline is append-only' USING ERRCODE = 'check_violation';
END $$;
-- +goose StatementEnd
CREATE TRIGGER case_event_append_only BEFORE UPDATE ON case_event FOR EACH ROW EXECUTE FUNCTION case_event_append_only();

-- +goose Down
DROP TABLE case_event;
DROP FUNCTION case_event_append_only;
DROP TABLE order_case;
DROP FUNCTION order_case_frozen;
DROP TABLE case_counter;
