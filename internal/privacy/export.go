package privacy

import (
	"context"

	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/store"
)

// Export is everything Schalter stores about an account, in the store's
// terms; the edge shapes it for the wire. Gathering it in one place is
// what keeps the export complete: data stored somewhere new gets a line
// here, or the person's right of access (DSG Art. 25) is not met.
type Export struct {
	Account      *store.AccountData
	Roles        []store.Role
	SMS          *store.SMSNumber // nil when no number is set up
	EIDs         []store.EIDIdentity
	Passkeys     []store.Passkey
	Profile      store.Profile
	Consents     []store.Consent
	Favourites   []store.Favourite
	Drafts       []store.Draft // order drafts, with what was entered
	Cases        []store.Case  // submitted orders, with what was submitted
	Documents    []store.Document
	Sessions     []store.Device
	KnownDevices []store.KnownDevice
	Transparency []Entry // the whole log, newest first
}

// exportLogPage is how many transparency entries the export reads at a
// time.
const exportLogPage = 1000

// Export gathers everything stored about the caller's account. It is the
// person's own read, so it is not written to the transparency log. The
// reads are not one snapshot: the export shows each table as it was a
// moment apart, which is what a person asking for their data expects.
func (s *Service) Export(ctx context.Context, me uuid.UUID) (*Export, error) {
	if err := self(me); err != nil {
		return nil, err
	}
	x := &Export{}
	for _, read := range []func() error{
		func() (err error) { x.Account, err = s.q.ExportAccount(ctx, me); return },
		func() (err error) { x.Roles, err = s.q.Roles(ctx, me); return },
		func() (err error) { x.SMS, err = s.sms(ctx, me); return },
		func() (err error) { x.EIDs, err = s.q.EIDs(ctx, me); return },
		func() (err error) { x.Passkeys, err = s.q.Passkeys(ctx, me); return },
		func() (err error) { x.Profile, err = s.q.Profile(ctx, me); return },
		func() (err error) { x.Consents, err = s.q.Consents(ctx, me); return },
		// Favourites are keyed by owner, shared with guests (api/favourites.go).
		func() (err error) { x.Favourites, err = s.q.Favourites(ctx, "account:"+me.String()); return },
		func() (err error) { x.Drafts, err = s.q.Drafts(ctx, store.DraftOwner{Account: &me}); return },
		func() (err error) { x.Cases, err = s.q.AccountCases(ctx, me, 10000); return },
		func() (err error) { x.Documents, err = s.q.AccountDocuments(ctx, me); return },
		func() (err error) { x.Sessions, err = s.q.Devices(ctx, me); return },
		func() (err error) { x.KnownDevices, err = s.q.KnownDevices(ctx, me); return },
		func() (err error) { x.Transparency, err = s.wholeLog(ctx, me); return },
	} {
		if err := read(); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// sms is the account's SMS number, nil when none is set up.
func (s *Service) sms(ctx context.Context, id uuid.UUID) (*store.SMSNumber, error) {
	n, err := s.q.SMS(ctx, id)
	if apperr.CodeOf(err) == apperr.NotFound {
		return nil, nil
	}
	return n, err
}

// wholeLog reads a person's whole transparency log; at a few entries a
// week that stays small for decades.
func (s *Service) wholeLog(ctx context.Context, id uuid.UUID) ([]Entry, error) {
	out := []Entry{}
	for before := int64(0); ; {
		page, err := s.q.AccessLog(ctx, id, before, exportLogPage)
		if err != nil {
			return nil, err
		}
		out = append(out, entriesOf(page)...)
		if len(page) < exportLogPage {
			return out, nil
		}
		before = page[len(page)-1].Seq
	}
}
