-- name: BankImportInsert :one
-- Nothing when a file with the same SHA-256 was imported before: the
-- caller answers that import instead. A concurrent import of the same
-- file waits here for the first to commit or roll back.
INSERT INTO bank_import (sha256, filename, message_id, message_created, imported_by)
VALUES (@sha256, @filename, @message_id, @message_created, @imported_by)
ON CONFLICT (sha256) DO NOTHING
RETURNING *;

-- name: BankImportBySHA :one
SELECT * FROM bank_import WHERE sha256 = @sha256;

-- name: BankImportFinish :one
UPDATE bank_import SET matched = @matched, partial = @partial, overpaid = @overpaid, duplicate = @duplicate, unmatched = @unmatched,
    foreign_currency = @foreign_currency, reversal = @reversal, skipped_debits = @skipped_debits,
    skipped_reversed_credits = @skipped_reversed_credits, skipped_not_booked = @skipped_not_booked, booked_rappen = @booked_rappen
WHERE id = @id
RETURNING *;

-- name: BankImports :many
SELECT * FROM bank_import ORDER BY imported_at DESC, id DESC LIMIT @max;

-- name: BankRefsRecorded :many
-- Which of these bank references an earlier import recorded already.
SELECT bank_ref FROM bank_credit WHERE bank_ref = ANY(@refs::text[]) AND status <> 'duplicate';

-- name: BankCreditsInsert :exec
-- All of an import's credits in one statement; a nil case or payment is
-- the zero UUID in the array.
INSERT INTO bank_credit (import_id, bank_ref, iban, amount, currency, booking_date, reference, reference_type, unstructured,
    debtor_name, debtor_iban, line, status, case_id, payment_id)
SELECT @import_id::bigint, unnest(@bank_refs::text[]), unnest(@ibans::text[]), unnest(@amounts::bigint[]), unnest(@currencies::text[]),
       unnest(@booking_dates::date[]), unnest(@refs::text[]), unnest(@ref_types::text[]), unnest(@unstructured::text[]),
       unnest(@debtor_names::text[]), unnest(@debtor_ibans::text[]), unnest(@lines::integer[]), unnest(@statuses::text[]),
       nullif(unnest(@cases::uuid[]), '00000000-0000-0000-0000-000000000000'::uuid),
       nullif(unnest(@payments::uuid[]), '00000000-0000-0000-0000-000000000000'::uuid);

-- name: BankCreditLock :one
SELECT id FROM bank_credit WHERE id = @id FOR UPDATE;

-- name: BankCreditResolve :exec
UPDATE bank_credit SET resolved_at = now(), resolved_by = @resolved_by, resolution = @resolution,
    case_id = coalesce(sqlc.narg('case_id'), case_id), payment_id = coalesce(sqlc.narg('payment_id'), payment_id)
WHERE id = @id AND resolved_at IS NULL;

-- name: BankCreditsSettlePartial :exec
-- Partial payments of cases that are paid in full now need nothing more
-- from the office.
UPDATE bank_credit cr SET resolved_at = now(), resolved_by = @resolved_by, resolution = @resolution
WHERE cr.status = 'partial' AND cr.resolved_at IS NULL AND cr.case_id = ANY(@cases::uuid[])
  AND (SELECT coalesce(sum(p.amount), 0) FROM posting p WHERE p.case_id = cr.case_id AND p.account LIKE 'receivable:%') <= 0;

-- name: BankCreditItem :one
SELECT * FROM bank_credit_item WHERE id = @id;

-- name: BankCreditsOpen :many
-- The work list: every credit not matched and not resolved, oldest first.
SELECT * FROM bank_credit_item WHERE status <> 'matched' AND resolved_at IS NULL ORDER BY id LIMIT @max;

-- name: BankCreditsOfImport :many
SELECT * FROM bank_credit_item WHERE import_id = @import_id ORDER BY id;

-- name: BillReferenceByCaseNumber :one
-- The reference of a case's bill, found by the number staff type in.
SELECT b.reference FROM case_bill b JOIN order_case c ON c.id = b.case_id WHERE c.number = @number;

-- name: BillsByReferences :many
-- The bills a file's references name, in one statement for the whole file.
SELECT sqlc.embed(b), c.number AS case_number, c.status AS case_status, c.account_id
FROM case_bill b JOIN order_case c ON c.id = b.case_id WHERE b.reference = ANY(@refs::text[]);

-- name: CasesLockForBooking :many
-- Locks the cases a file pays, in id order so that two imports never wait
-- for each other crosswise.
SELECT id, status FROM order_case WHERE id = ANY(@ids::uuid[]) ORDER BY id FOR UPDATE;

-- name: CasesOpenAmounts :many
-- What is open on each of the cases (those without postings owe nothing).
-- One index lookup per case (a plain equality each: an array condition
-- planned generically made this four times slower for one case, the
-- webhook's).
SELECT c.id::uuid AS case_id,
       (SELECT coalesce(sum(p.amount), 0) FROM posting p WHERE p.case_id = c.id AND p.account LIKE 'receivable:%')::bigint AS open
FROM unnest(@ids::uuid[]) AS c(id);
