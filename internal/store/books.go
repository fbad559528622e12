package store

import (
	"context"
	"time"

	"github.com/schalter-ch/schalter/internal/apperr"
)

// BookedEntry is an entry as booked, with the time it was booked.
type BookedEntry struct {
	JournalEntry
	BookedAt time.Time
}

// JournalEntryBySource returns the entry source booked, with its
// postings; NotFound when the source booked nothing.
func (q *Queries) JournalEntryBySource(ctx context.Context, source string) (BookedEntry, error) {
	rows, err := q.gen.JournalEntryBySource(ctx, q.db, source)
	if err != nil {
		return BookedEntry{}, mapErr(err, onErr{})
	}
	if len(rows) == 0 {
		return BookedEntry{}, apperr.New(apperr.NotFound, "nothing booked from %s", source)
	}
	r := rows[0]
	out := BookedEntry{BookedAt: r.BookedAt, JournalEntry: JournalEntry{ID: r.ID, ValueDate: r.ValueDate, Kind: r.Kind, Memo: r.Memo, Source: r.Source}}
	for _, r := range rows {
		out.Postings = append(out.Postings, Posting{Account: r.Account, Amount: r.Amount})
	}
	return out, nil
}
