-- name: LedgerAccountEnsure :execrows
-- Accounts come into being on first use; the chart's number and cost
-- centre are set then and kept (the finance office may change them).
INSERT INTO ledger_account (code, kind, name, office_slug, number, cost_centre)
VALUES (@code, @kind, @name, @office_slug, @number, @cost_centre)
ON CONFLICT (code) DO NOTHING;

-- name: LedgerAccountSet :one
UPDATE ledger_account SET number = @number, cost_centre = @cost_centre WHERE code = @code RETURNING *;

-- name: LedgerAccounts :many
SELECT * FROM ledger_account ORDER BY code;

-- name: JournalEntriesInsert :many
-- Entries with all their postings in one statement, however many: a
-- posting names its entry by the entry's position in the arrays (ord).
-- It returns the positions and ids of the entries booked; one whose
-- source booked already is left out, so that the caller learns it is a
-- repetition (sources are distinct within a call: ledger.PostMany). A
-- nil case is the zero UUID in the arrays, no correction 0.
WITH input AS (
    SELECT unnest(@ords::int[]) AS ord, unnest(@value_dates::date[]) AS value_date, unnest(@kinds::text[]) AS kind,
           unnest(@case_ids::uuid[]) AS case_id, unnest(@corrects::bigint[]) AS corrects, unnest(@memos::text[]) AS memo,
           unnest(@sources::text[]) AS source
), e AS (
    INSERT INTO journal_entry (value_date, kind, case_id, corrects, memo, source)
    SELECT value_date, kind, nullif(case_id, '00000000-0000-0000-0000-000000000000'::uuid), nullif(corrects, 0), memo, source
    FROM input ORDER BY ord
    ON CONFLICT (source) DO NOTHING
    RETURNING id, source
), booked AS (
    SELECT i.ord, e.id FROM e JOIN input i ON i.source = e.source
), p AS (
    INSERT INTO posting (entry_id, account, amount, case_id)
    SELECT b.id, l.account, l.amount, nullif(l.case_id, '00000000-0000-0000-0000-000000000000'::uuid)
    FROM (SELECT unnest(@posting_ords::int[]) AS ord, unnest(@accounts::text[]) AS account, unnest(@amounts::bigint[]) AS amount,
                 unnest(@posting_cases::uuid[]) AS case_id, generate_series(1, cardinality(@accounts::text[])) AS n) l
    JOIN booked b ON b.ord = l.ord
    ORDER BY l.n
)
SELECT ord::int AS ord, id::bigint AS id FROM booked;

-- name: CaseOpenAmount :one
-- What the person still owes on a case: the balance of its receivable.
SELECT coalesce(sum(amount), 0)::bigint FROM posting WHERE case_id = @case_id AND account LIKE 'receivable:%';

-- name: JournalOfCase :many
SELECT e.id, e.booked_at, e.value_date, e.kind, e.memo, e.source, e.corrects, p.account, p.amount
FROM journal_entry e JOIN posting p ON p.entry_id = e.id
WHERE e.case_id = @case_id ORDER BY e.id, p.id;

-- name: JournalExport :many
-- One line per posting of the entries booked on the days asked for, with
-- the finance system's account and cost centre.
SELECT e.id, e.booked_at, e.value_date, e.kind, e.memo, e.source, coalesce(c.number, '')::text AS case_number,
       p.id AS posting_id, p.account, p.amount, a.number AS account_number, a.cost_centre, a.name AS account_name
FROM journal_entry e
JOIN posting p ON p.entry_id = e.id
JOIN ledger_account a ON a.code = p.account
LEFT JOIN order_case c ON c.id = e.case_id
WHERE e.value_date BETWEEN @from_date AND @to_date
ORDER BY e.value_date, e.id, p.id;

-- name: LedgerDaily :many
-- The movements of the asset accounts for money (provider clearing and
-- bank) per day: what the daily reconciliation compares with the
-- provider's and the bank's own statements.
SELECT e.value_date, p.account, e.kind, count(*)::bigint AS postings,
       coalesce(sum(p.amount) FILTER (WHERE p.amount > 0), 0)::bigint AS debit,
       coalesce(-sum(p.amount) FILTER (WHERE p.amount < 0), 0)::bigint AS credit
FROM journal_entry e JOIN posting p ON p.entry_id = e.id
WHERE e.value_date BETWEEN @from_date AND @to_date AND (p.account LIKE 'clearing:%' OR p.account LIKE 'bank:%')
GROUP BY e.value_date, p.account, e.kind
ORDER BY e.value_date, p.account, e.kind;

-- name: LedgerBalanceBefore :many
-- Each money account's balance before a day, the opening of the report.
SELECT p.account, sum(p.amount)::bigint AS balance
FROM journal_entry e JOIN posting p ON p.entry_id = e.id
WHERE e.value_date < @from_date AND (p.account LIKE 'clearing:%' OR p.account LIKE 'bank:%')
GROUP BY p.account ORDER BY p.account;

-- name: LedgerUnbalanced :many
-- Entries whose postings do not add up to zero: none, ever (the trigger
-- refuses them); the check is for the tests and the health report.
SELECT entry_id, sum(amount)::bigint AS total FROM posting GROUP BY entry_id HAVING sum(amount) <> 0;
