// Package transparency is the Datencockpit's log: who read or received
// which personal data, when, why and on which legal basis. Entries are
// written by the code that reads or discloses the data, in the same
// transaction; PostgreSQL chains them (migration 00013) and this package
// checks the chain independently of the database's own functions, so a
// changed, removed or reordered entry is found.
package transparency

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/store"
)

// Kinds of actors and actions, as the log's CHECK constraints allow.
const (
	ActorStaff     = "staff"
	ActorOffice    = "office"
	ActorConnector = "connector"
	ActorForm      = "form"
	ActorSystem    = "system"

	ActionRead     = "read"
	ActionDisclose = "disclose"
)

// Canonical is the text an entry's hash covers; it must match
// transparency_canonical() in the migration byte for byte.
func Canonical(e store.AccessEntry) string {
	office := ""
	if e.Office != nil {
		office = *e.Office
	}
	return strings.Join([]string{
		strconv.FormatInt(e.Seq, 10), e.Subject.String(),
		e.OccurredAt.UTC().Format("2006-01-02T15:04:05.000000Z"),
		e.ActorKind, e.Actor, office, e.Action,
		strings.Join(e.Data, "\x1e"), e.Purpose, e.LegalBasis,
	}, "\x1f")
}

// Sealed reports whether an entry's hash matches its content and the
// previous hash it names: a changed field breaks it.
func Sealed(e store.AccessEntry) bool {
	sum := sha256.Sum256(append(bytes.Clone(e.PrevHash), Canonical(e)...))
	return bytes.Equal(sum[:], e.Hash)
}

// Report is the result of checking the whole chain.
type Report struct {
	Entries int64 `json:"entries"`
	OK      bool  `json:"ok"`
	// BrokenAt is the first entry that does not fit, 0 when OK.
	BrokenAt int64  `json:"broken_at,omitempty"`
	Reason   string `json:"reason,omitempty"`
	// Head is the last entry's hash (hex): publishing it elsewhere, e.g.
	// daily, also makes a cut-off tail detectable.
	Head string `json:"head,omitempty"`
	// Anchor is the seq of the last entry removed by retention; the
	// check starts after it (0: nothing was removed).
	Anchor int64 `json:"anchor,omitempty"`
}

// Prune removes entries older than the retention period (see
// docs/privacy.md), anchoring the chain first; it needs the schema
// owner's rights, which the server's role does not have.
func Prune(ctx context.Context, st *store.Store, retention time.Duration) (int64, error) {
	return st.PruneAccess(ctx, time.Now().Add(-retention))
}

// Retention is how long entries are kept: two years.
const Retention = 2 * 365 * 24 * time.Hour

// Chain is what Verify reads: the store, or the Queries of a transaction.
type Chain interface {
	AccessAnchor(ctx context.Context) (int64, []byte, error)
	AccessChain(ctx context.Context, after int64, limit int) ([]store.AccessEntry, error)
}

// Verify walks the log in order and checks that sequence numbers have no
// gaps, that every entry names its predecessor's hash, and that every
// hash matches its entry.
func Verify(ctx context.Context, st Chain) (Report, error) {
	// Entries removed by retention left an anchor: the remaining chain
	// continues from the last removed entry's seq and hash.
	seq, prev, err := st.AccessAnchor(ctx)
	if err != nil {
		return Report{}, err
	}
	r := Report{OK: true, Anchor: seq}
	for {
		batch, err := st.AccessChain(ctx, seq, 1000)
		if err != nil {
			return r, err
		}
		if len(batch) == 0 {
			return r, nil
		}
		for _, e := range batch {
			r.Entries++
			switch {
			case e.Seq != seq+1:
				return r.broken(seq+1, "entry missing"), nil
			case !bytes.Equal(e.PrevHash, prev):
				return r.broken(e.Seq, "does not follow the previous entry"), nil
			case !Sealed(e):
				return r.broken(e.Seq, "content changed"), nil
			}
			seq, prev = e.Seq, e.Hash
			r.Head = hex.EncodeToString(e.Hash)
		}
	}
}

func (r Report) broken(at int64, reason string) Report {
	r.OK, r.BrokenAt, r.Reason = false, at, reason
	return r
}

// StaffRead writes a staff member's read of a person's data to the
// person's log, in q's transaction (the read's), so that neither exists
// without the other.
func StaffRead(ctx context.Context, q *store.Queries, staff, subject uuid.UUID, office string, data []string, purpose, legalBasis string) error {
	me, err := q.AccountByID(ctx, staff)
	if err != nil {
		return err
	}
	_, err = q.AppendAccess(ctx, store.AccessEntryNew{Subject: subject, ActorKind: ActorStaff, Actor: me.Email, Office: &office,
		Action: ActionRead, Data: data, Purpose: purpose, LegalBasis: legalBasis})
	return err
}
