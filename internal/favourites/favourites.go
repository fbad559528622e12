// Package favourites holds the use cases of favourite services: who owns a
// list (an account, or a guest known only by a random id in a cookie),
// keeping and dropping a service, handing a guest's list to the account
// that logs in, and feeding how often a service is kept into its
// popularity. The HTTP edge (api/favourites.go) reads the cookie and the
// session, calls a Service and maps its apperr codes.
package favourites

import (
	"context"

	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/guest"
	"github.com/schalter-ch/schalter/internal/store"
)

// Favourite is a kept service: its slug and when it was added. The
// store's type, named here so the edge does not depend on the store.
type Favourite = store.Favourite

// Owner is whose list a favourite is on. The stored form is a tagged
// string ("account:<uuid>" or "guest:<id>"), so that a login moves a
// guest's list with one UPDATE and no foreign key ties guests to anything.
// Owners are only made by Account and Guest, so a request cannot name
// another person's list; the zero Owner is nobody (no session, no valid
// guest cookie), whose list is empty.
type Owner struct{ tag string }

// Account is the owner of a logged-in account's list.
func Account(id uuid.UUID) Owner { return Owner{tag: "account:" + id.String()} }

// Guest is the owner of the list of the guest id from the cookie, or the
// zero Owner when id is not one guest.New could have made (so a forged
// cookie cannot reach an account's list, "account:…").
func Guest(id string) Owner {
	if !guest.Valid(id) {
		return Owner{}
	}
	return Owner{tag: "guest:" + id}
}

// IsZero reports whether o is nobody.
func (o Owner) IsZero() bool { return o.tag == "" }

// String is the stored form.
func (o Owner) String() string { return o.tag }

// errNobody refuses a write without an owner; the edge creates a guest
// first, so this is a bug there.
var errNobody = apperr.New(apperr.Internal, "a favourite needs an owner")

// Service runs the favourites use cases on the store.
type Service struct {
	st *store.Store
}

// New returns the favourites service on st.
func New(st *store.Store) *Service { return &Service{st: st} }

// List returns owner's favourites among published services, newest first
// (empty for nobody).
func (s *Service) List(ctx context.Context, owner Owner) ([]Favourite, error) {
	if owner.IsZero() {
		return []Favourite{}, nil
	}
	return s.st.Favourites(ctx, owner.String())
}

// Add keeps a published service on owner's list; keeping it twice changes
// nothing, and a draft or archived service is NotFound.
func (s *Service) Add(ctx context.Context, owner Owner, slug string) error {
	if owner.IsZero() {
		return errNobody
	}
	return s.st.AddFavourite(ctx, owner.String(), slug)
}

// Remove drops a service from owner's list; dropping one that is not
// there, or nobody's, is fine (the request is idempotent).
func (s *Service) Remove(ctx context.Context, owner Owner, slug string) error {
	if owner.IsZero() {
		return nil
	}
	return s.st.RemoveFavourite(ctx, owner.String(), slug)
}

// MergeGuest moves the list of the guest whose cookie came with a login to
// the account, without duplicates, in one transaction; the guest's list is
// then gone. An invalid or missing guest id merges nothing.
func (s *Service) MergeGuest(ctx context.Context, guestID string, account uuid.UUID) error {
	guest := Guest(guestID)
	if guest.IsZero() {
		return nil
	}
	return s.st.MergeFavourites(ctx, guest.String(), Account(account).String())
}

// RefreshBoost recomputes every service's popularity boost from how many
// people keep it, and returns how many services changed. It writes only
// what changed and the result depends only on the lists, so replicas may
// run it at the same time.
func (s *Service) RefreshBoost(ctx context.Context) (int64, error) {
	return s.st.RefreshFavouriteBoost(ctx)
}
