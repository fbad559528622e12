-- +goose Up
-- Reconciliation of the bank's notifications (camt.054, internal/reconcile).
--
-- Every imported file is a bank_import, identified by its SHA-256: the
-- same file imported again books nothing and answers the first import.
-- Every credit of a file is a bank_credit with what became of it: matched
-- to its bill's open amount, partial, over, a duplicate of a credit
-- imported before, unmatched (booked to the unallocated account), in a
-- foreign currency or a reversal. Everything but matched credits waits on
-- the finance office's work list until it is resolved. Both tables are
-- records of the city's books: rows are never deleted (db/app-role.sql).

CREATE TABLE bank_import (
    id               bigserial   PRIMARY KEY,
    sha256           bytea       NOT NULL UNIQUE CHECK (length(sha256) = 32),
    filename         text        NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
    -- GrpHdr/MsgId and GrpHdr/CreDtTm of the file.
    message_id       text        NOT NULL CHECK (length(message_id) >= 1),
    message_created  timestamptz NOT NULL,
    imported_at      timestamptz NOT NULL DEFAULT now(),
    -- The staff member's e-mail, or 'watched folder'.
    imported_by      text        NOT NULL CHECK (length(imported_by) BETWEEN 1 AND 320),
    -- What became of the file's credits (set when the import is done).
    matched          integer     NOT NULL DEFAULT 0,
    partial          integer     NOT NULL DEFAULT 0,
    overpaid         integer     NOT NULL DEFAULT 0,
    duplicate        integer     NOT NULL DEFAULT 0,
    unmatched        integer     NOT NULL DEFAULT 0,
    foreign_currency integer     NOT NULL DEFAULT 0,
    reversal         integer     NOT NULL DEFAULT 0,
    -- The entries that yield no credit (camt.Skipped), so the office sees
    -- that nothing was silently dropped.
    skipped_debits           integer NOT NULL DEFAULT 0,
    skipped_reversed_credits integer NOT NULL DEFAULT 0,
    skipped_not_booked       integer NOT NULL DEFAULT 0,
    -- The CHF booked to the bank account by this import (Rappen).
    booked_rappen    bigint      NOT NULL DEFAULT 0 CHECK (booked_rappen >= 0)
);
CREATE INDEX bank_import_recent ON bank_import (imported_at DESC, id DESC);

CREATE TABLE bank_credit (
    id             bigserial   PRIMARY KEY,
    import_id      bigint      NOT NULL REFERENCES bank_import (id),
    -- The bank's reference of the transaction (camt.Credit.BankRef): a
    -- credit's identity across files. AcctSvcrRef has at most 35
    -- characters, with the entry's position after a # when the bank gives
    -- the transaction none.
    bank_ref       text        NOT NULL CHECK (length(bank_ref) BETWEEN 1 AND 60),
    -- The city's account the money arrived on.
    iban           text        NOT NULL CHECK (iban ~ '^[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}$'),
    amount         bigint      NOT NULL CHECK (amount > 0),
    currency       text        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    booking_date   date        NOT NULL,
    -- As the payer gave it, even when it is no valid reference at all.
    reference      text        NOT NULL DEFAULT '',
    reference_type text        NOT NULL DEFAULT '' CHECK (reference_type IN ('', 'QRR', 'SCOR')),
    -- What the payer wrote (RmtInf/Ustrd) and who paid: what the office
    -- goes by to find the case of an unmatched credit.
    unstructured   text        NOT NULL DEFAULT '',
    debtor_name    text        NOT NULL DEFAULT '',
    debtor_iban    text        NOT NULL DEFAULT '',
    -- The line of the credit in the file.
    line           integer     NOT NULL CHECK (line > 0),
    status         text        NOT NULL CHECK (status IN ('matched', 'partial', 'over', 'duplicate', 'unmatched', 'foreign_currency', 'reversal')),
    -- The case the credit was booked for, at import or when assigned,
    -- and its payment.
    case_id        uuid        REFERENCES order_case (id),
    payment_id     uuid        REFERENCES payment (id),
    -- The office's handling of a work-list item.
    resolved_at    timestamptz,
    resolved_by    text        CHECK (length(resolved_by) BETWEEN 1 AND 320),
    resolution     text        CHECK (length(resolution) BETWEEN 1 AND 500),
    CHECK ((resolved_at IS NULL) = (resolved_by IS NULL) AND (resolved_at IS NULL) = (resolution IS NULL)),
    CHECK (status <> 'matched' OR payment_id IS NOT NULL)
);
-- A bank reference is booked (or put on the work list) once; later
-- reports of it are recorded as duplicates.
CREATE UNIQUE INDEX bank_credit_bank_ref ON bank_credit (bank_ref) WHERE status <> 'duplicate';
CREATE INDEX bank_credit_import ON bank_credit (import_id, id);
CREATE INDEX bank_credit_open ON bank_credit (id) WHERE status <> 'matched' AND resolved_at IS NULL;
CREATE INDEX bank_credit_case ON bank_credit (case_id) WHERE case_id IS NOT NULL;

-- A credit as the work list shows it: with its file, its case's number
-- and what is still open on the case now.
CREATE VIEW bank_credit_item AS
SELECT cr.*, i.filename, coalesce(c.number, '')::text AS case_number,
       (SELECT coalesce(sum(p.amount), 0) FROM posting p
        WHERE p.case_id = cr.case_id AND p.account LIKE 'receivable:%')::bigint AS case_open
FROM bank_credit cr
JOIN bank_import i ON i.id = cr.import_id
LEFT JOIN order_case c ON c.id = cr.case_id;

-- +goose Down
DROP VIEW bank_credit_item;
DROP TABLE bank_credit;
DROP TABLE bank_import;
