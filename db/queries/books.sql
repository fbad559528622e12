-- name: JournalEntryBySource :many
-- The entry a source booked, with its postings (internal/books): a
-- settlement booked again with the same reference is compared with the
-- first booking.
SELECT e.id, e.booked_at, e.value_date, e.kind, e.memo, e.source, p.account, p.amount
FROM journal_entry e JOIN posting p ON p.entry_id = e.id
WHERE e.source = @source ORDER BY p.id;
