-- +goose Up
-- Payments and accounting. Amounts are integer Rappen everywhere.
--
-- A case that costs something has a bill (case_bill) with a unique
-- payment reference (a QR reference, or an RF creditor reference where the
-- city's account is an ordinary IBAN) and fee lines (case_fee). Money
-- arrives as payments (card or app through a provider, or a bank credit
-- for the QR-bill) and leaves as refunds.
--
-- Every money fact is also a journal entry of a double-entry ledger: an
-- entry's postings add up to zero (checked at commit by a deferred
-- constraint trigger), and neither entries nor postings ever change
-- (corrections are new entries that name the one they correct).

-- A case waits for its payment before the office sees it where the
-- service says "pay first".
ALTER TABLE order_case DROP CONSTRAINT order_case_status_check;
ALTER TABLE order_case ADD CONSTRAINT order_case_status_check
    CHECK (status IN ('payment_due', 'received', 'in_progress', 'waiting', 'done', 'rejected', 'withdrawn'));
ALTER TABLE case_event DROP CONSTRAINT case_event_status_check;
ALTER TABLE case_event ADD CONSTRAINT case_event_status_check
    CHECK (status IN ('payment_due', 'received', 'in_progress', 'waiting', 'done', 'rejected', 'withdrawn'));

CREATE TABLE ledger_account (
    code        text PRIMARY KEY CHECK (code ~ '^[a-z]+(:[a-z0-9-]+)*$'),
    kind        text NOT NULL CHECK (kind IN ('asset', 'liability', 'revenue', 'expense')),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    office_slug text REFERENCES office (slug),
    -- What the city's finance system calls the account and the cost
    -- centre it belongs to, for the journal export (db/seed/finance.yaml).
    number      text NOT NULL DEFAULT '' CHECK (length(number) <= 40),
    cost_centre text NOT NULL DEFAULT '' CHECK (length(cost_centre) <= 40),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE journal_entry (
    id         bigserial   PRIMARY KEY,
    booked_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- The accounting date: the bank's booking date for a bank credit, the
    -- day of the event otherwise (Europe/Zurich).
    value_date date        NOT NULL,
    kind       text        NOT NULL CHECK (kind IN ('charge', 'payment', 'settlement', 'refund', 'correction', 'unallocated', 'allocation')),
    case_id    uuid        REFERENCES order_case (id),
    corrects   bigint      REFERENCES journal_entry (id),
    memo       text        NOT NULL CHECK (length(memo) BETWEEN 1 AND 500),
    -- What caused the entry, unique: the same cause never books twice
    -- (a webhook delivered again, a camt file imported again).
    source     text        NOT NULL UNIQUE CHECK (length(source) BETWEEN 1 AND 300)
);
CREATE INDEX journal_entry_case ON journal_entry (case_id) WHERE case_id IS NOT NULL;
CREATE INDEX journal_entry_date ON journal_entry (value_date, id);

CREATE TABLE posting (
    id       bigserial PRIMARY KEY,
    entry_id bigint    NOT NULL REFERENCES journal_entry (id),
    account  text      NOT NULL REFERENCES ledger_account (code),
    -- Debit positive, credit negative.
    amount   bigint    NOT NULL CHECK (amount <> 0),
    -- The case a receivable posting belongs to: its open amount is the
    -- sum of these.
    case_id  uuid      REFERENCES order_case (id)
);
CREATE INDEX posting_entry ON posting (entry_id);
CREATE INDEX posting_case ON posting (case_id) WHERE case_id IS NOT NULL;
CREATE INDEX posting_account ON posting (account, entry_id);

-- +goose StatementBegin
CREATE FUNCTION journal_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    total bigint;
    lines integer;
BEGIN
    SELECT coalesce(sum(amount), 0), count(*) INTO total, lines FROM posting WHERE entry_id = NEW.entry_id;
    IF total <> 0 OR lines < 2 THEN
        RAISE EXCEPTION 'journal entry % does not balance (% postings, sum %)', NEW.entry_id, lines, total
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION ledger_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the journal is append-only: book a correction instead' USING ERRCODE = 'check_violation';
END $$;
-- +goose StatementEnd
-- Checked at commit, when all of an entry's postings are in.
CREATE CONSTRAINT TRIGGER posting_balanced AFTER INSERT ON posting
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION journal_balanced();
CREATE TRIGGER posting_immutable BEFORE UPDATE OR DELETE ON posting FOR EACH ROW EXECUTE FUNCTION ledger_immutable();
CREATE TRIGGER journal_entry_immutable BEFORE UPDATE OR DELETE ON journal_entry FOR EACH ROW EXECUTE FUNCTION ledger_immutable();
CREATE TRIGGER posting_no_truncate BEFORE TRUNCATE ON posting FOR EACH STATEMENT EXECUTE FUNCTION ledger_immutable();
CREATE TRIGGER journal_entry_no_truncate BEFORE TRUNCATE ON journal_entry FOR EACH STATEMENT EXECUTE FUNCTION ledger_immutable();

-- References are numbered from one sequence, so no two bills or payments
-- ever share one.
CREATE SEQUENCE payment_reference_seq;

CREATE TABLE case_bill (
    case_id     uuid        PRIMARY KEY REFERENCES order_case (id),
    office_slug text        NOT NULL REFERENCES office (slug),
    -- before: the case waits for payment; invoice: the person gets a
    -- QR-bill and the case goes on; office: the office sets the amount.
    collect     text        NOT NULL CHECK (collect IN ('before', 'invoice', 'office')),
    reference   text        NOT NULL UNIQUE CHECK (reference ~ '^([0-9]{27}|RF[0-9]{2}[A-Z0-9]{1,21})$'),
    currency    text        NOT NULL DEFAULT 'CHF' CHECK (currency = 'CHF'),
    due_on      date,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE case_fee (
    id          bigserial   PRIMARY KEY,
    case_id     uuid        NOT NULL REFERENCES case_bill (case_id),
    fee_type    text        NOT NULL CHECK (fee_type ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    label       jsonb       NOT NULL CHECK (jsonb_typeof(label) = 'object'),
    quantity    integer     NOT NULL CHECK (quantity BETWEEN 1 AND 10000),
    unit_amount bigint      NOT NULL CHECK (unit_amount BETWEEN 1 AND 10000000000),
    amount      bigint      NOT NULL CHECK (amount = quantity * unit_amount),
    vat         text        NOT NULL CHECK (vat IN ('none', 'standard', 'reduced')),
    vat_amount  bigint      NOT NULL CHECK (vat_amount BETWEEN 0 AND amount),
    charge_entry bigint     NOT NULL REFERENCES journal_entry (id),
    -- A fee taken back (a rejected case, a correction) keeps its row; the
    -- cancellation is its own journal entry.
    cancel_entry bigint     REFERENCES journal_entry (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text        NOT NULL CHECK (length(created_by) BETWEEN 1 AND 200)
);
CREATE INDEX case_fee_case ON case_fee (case_id);

CREATE TABLE payment (
    id          uuid        PRIMARY KEY,
    -- The payment's own unique reference: on the receipt, at the provider
    -- (client_reference_id) and in the ledger's sources.
    reference   text        NOT NULL UNIQUE CHECK (reference ~ '^([0-9]{27}|RF[0-9]{2}[A-Z0-9]{1,21})$'),
    case_id     uuid        NOT NULL REFERENCES case_bill (case_id),
    account_id  uuid        REFERENCES account (id) ON DELETE SET NULL,
    -- dev and stripe are providers; bank is a credit from a camt.054.
    method      text        NOT NULL CHECK (method IN ('dev', 'stripe', 'bank')),
    session     text,
    status      text        NOT NULL CHECK (status IN ('pending', 'paid', 'failed', 'cancelled', 'expired')),
    amount      bigint      NOT NULL CHECK (amount > 0),
    refunded    bigint      NOT NULL DEFAULT 0,
    charge      text,
    paid_with   text        NOT NULL DEFAULT '' CHECK (length(paid_with) <= 40),
    redirect_url text,
    expires_at  timestamptz,
    -- The provider's time of the state applied last: an older event that
    -- arrives late never undoes a newer one.
    state_at    timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    paid_at     timestamptz,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (method, session),
    CHECK (refunded BETWEEN 0 AND amount),
    CHECK ((status = 'paid') = (paid_at IS NOT NULL))
);
CREATE INDEX payment_case ON payment (case_id, created_at);
CREATE INDEX payment_account ON payment (account_id, created_at DESC);
CREATE INDEX payment_pending ON payment (created_at) WHERE status = 'pending';

-- Webhooks seen, by the provider's event id: a delivery repeated is
-- answered and not processed again.
CREATE TABLE payment_webhook (
    provider    text        NOT NULL,
    event_id    text        NOT NULL CHECK (length(event_id) BETWEEN 1 AND 200),
    type        text        NOT NULL CHECK (length(type) BETWEEN 1 AND 200),
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, event_id)
);

CREATE TABLE refund (
    id          uuid        PRIMARY KEY,
    payment_id  uuid        NOT NULL REFERENCES payment (id),
    amount      bigint      NOT NULL CHECK (amount > 0),
    status      text        NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    provider_ref text,
    reason      text        NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    requested_by text       NOT NULL CHECK (length(requested_by) BETWEEN 1 AND 200),
    entry_id    bigint      REFERENCES journal_entry (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refund_payment ON refund (payment_id);

-- The development provider's own state: what a real provider keeps on
-- its side, so that the backstop can ask it.
CREATE TABLE devpay_session (
    id          text        PRIMARY KEY CHECK (id ~ '^dps_[A-Za-z0-9]{20,40}$'),
    payment     text        NOT NULL,
    reference   text        NOT NULL,
    amount      bigint      NOT NULL CHECK (amount > 0),
    description text        NOT NULL,
    language    text        NOT NULL,
    success_url text        NOT NULL,
    cancel_url  text        NOT NULL,
    state       text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'paid', 'failed', 'cancelled', 'expired')),
    charge      text,
    refunded    bigint      NOT NULL DEFAULT 0 CHECK (refunded >= 0 AND refunded <= amount),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    decided_at  timestamptz
);

-- +goose Down
DROP TABLE devpay_session;
DROP TABLE refund;
DROP TABLE payment_webhook;
DROP TABLE payment;
DROP TABLE case_fee;
DROP TABLE case_bill;
DROP SEQUENCE payment_reference_seq;
DROP TRIGGER posting_balanced ON posting;
DROP TABLE posting;
DROP TABLE journal_entry;
DROP FUNCTION ledger_immutable;
DROP FUNCTION journal_balanced;
DROP TABLE ledger_account;
DELETE FROM case_event WHERE status = 'payment_due';
UPDATE order_case SET status = 'received' WHERE status = 'payment_due';
ALTER TABLE case_event DROP CONSTRAINT case_event_status_check;
ALTER TABLE case_event ADD CONSTRAINT case_event_status_check
    CHECK (status IN ('received', 'in_progress', 'waiting', 'done', 'rejected', 'withdrawn'));
ALTER TABLE order_case DROP CONSTRAINT order_case_status_check;
ALTER TABLE order_case ADD CONSTRAINT order_case_status_check
    CHECK (status IN ('received', 'in_progress', 'waiting', 'done', 'rejected', 'withdrawn'));
