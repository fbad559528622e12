package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/favourites"
	"github.com/schalter-ch/schalter/internal/guest"
)

// Guests keep favourites without an account: the server stores them under
// a random guest id that lives in an HttpOnly cookie, so they survive a
// cleared cache on the same browser. Logging in moves the guest's
// favourites to the account. Who owns which list is internal/favourites'
// rule; this file reads the cookie and the session and sets the cookie.

const (
	guestScheme   = "guestCookie"
	tagFavourites = "Favourites"
	guestCookie   = "schalter_guest"
	// Browsers cap cookie lifetimes at 400 days.
	guestCookieAge = 400 * 24 * time.Hour
)

// guestSecurity: the guest cookie is optional (the first write creates it).
var guestSecurity = []map[string][]string{{}, {guestScheme: {}}}

// GuestInput carries the guest cookie.
type GuestInput struct {
	Guest string `cookie:"schalter_guest" doc:"The anonymous guest id the server set on the first favourite."`
}

// favouriteOwner is whose favourites a request sees: the logged-in
// account's, else the guest's (nobody without a valid guest cookie).
func (s *Server) favouriteOwner(ctx context.Context, in GuestInput) favourites.Owner {
	if id, ok := s.sessionAccount(ctx); ok {
		return favourites.Account(id)
	}
	return favourites.Guest(in.Guest)
}

// adoptGuest hands what a guest kept (favourites, drafts, attachments) to the
// account that just logged in. A failure only leaves them with the guest
// id, so it is logged, not returned.
func (s *Server) adoptGuest(ctx context.Context, in GuestInput, account uuid.UUID) {
	if err := s.favourites.MergeGuest(ctx, in.Guest, account); err != nil {
		s.log.WarnContext(ctx, "merging guest favourites", "request_id", RequestID(ctx), "err", err)
	}
	if _, err := s.drafts.AdoptGuest(ctx, in.Guest, account); err != nil {
		s.log.WarnContext(ctx, "adopting guest drafts", "request_id", RequestID(ctx), "err", err)
	}
	if _, err := s.attachments.AdoptGuest(ctx, in.Guest, account); err != nil {
		s.log.WarnContext(ctx, "adopting guest attachments", "request_id", RequestID(ctx), "err", err)
	}
}

// FavouriteInput addresses one favourite.
type FavouriteInput struct {
	GuestInput
	Slug string `path:"slug" maxLength:"80" pattern:"^[a-z0-9]+(-[a-z0-9]+)*$" example:"hund-anmelden"`
}

// FavouriteWritten answers a change: no body, maybe a new guest cookie.
type FavouriteWritten struct {
	SetCookie http.Cookie `header:"Set-Cookie"`
}

// FavouriteOut is a kept service.
type FavouriteOut struct {
	Slug    string    `json:"slug" example:"hund-anmelden"`
	Title   string    `json:"title" example:"Hund anmelden"`
	Summary string    `json:"summary"`
	AddedAt time.Time `json:"added_at"`
}

// FavouritesInput lists favourites.
type FavouritesInput struct {
	GuestInput
	LangParams
}

// newGuestCookie is always Secure: browsers accept Secure cookies on
// http://localhost too, so development needs no exception.
func newGuestCookie(id string) http.Cookie {
	return http.Cookie{Name: guestCookie, Value: id, Path: "/api/v1", MaxAge: int(guestCookieAge.Seconds()),
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode}
}

func (s *Server) registerFavourites(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "listFavourites", Security: guestSecurity, Method: http.MethodGet, Path: "/api/v1/favourites", Tags: []string{tagFavourites},
		Summary:     "List my favourites",
		Description: "The favourite services of the logged-in account, or of the guest (from the guest cookie), newest first. A guest's favourites move to the account at login.",
		Errors:      []int{http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}, func(ctx context.Context, in *FavouritesInput) (*Uncached[Items[FavouriteOut]], error) {
		out := Items[FavouriteOut]{Items: []FavouriteOut{}}
		favs, err := s.favourites.List(ctx, s.favouriteOwner(ctx, in.GuestInput))
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		if len(favs) == 0 {
			return &Uncached[Items[FavouriteOut]]{CacheControl: "private, no-store", Body: out}, nil
		}
		snap, err := s.cache.Current(ctx)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		lang := in.resolve()
		for _, f := range favs {
			item := FavouriteOut{Slug: f.Slug, AddedAt: f.AddedAt.UTC()}
			if d, err := snap.Service(f.Slug); err == nil {
				item.Title, item.Summary = d.Title.In(lang), d.Service.Summary.In(lang)
			}
			out.Items = append(out.Items, item)
		}
		return &Uncached[Items[FavouriteOut]]{CacheControl: "private, no-store", Body: out}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "addFavourite", Security: guestSecurity, Method: http.MethodPut, Path: "/api/v1/favourites/{slug}", Tags: []string{tagFavourites},
		Summary:       "Keep a service as favourite",
		Description:   "Idempotent. Sets the guest cookie (HttpOnly, Secure, SameSite=Lax) when there is none yet. Cross-origin requests are refused.",
		DefaultStatus: http.StatusNoContent,
		Errors:        []int{http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}, func(ctx context.Context, in *FavouriteInput) (*FavouriteWritten, error) {
		out := &FavouriteWritten{}
		owner := s.favouriteOwner(ctx, in.GuestInput)
		if owner.IsZero() {
			id := guest.New()
			owner = favourites.Guest(id)
			out.SetCookie = newGuestCookie(id)
		}
		if err := s.favourites.Add(ctx, owner, in.Slug); err != nil {
			return nil, s.problem(ctx, err)
		}
		return out, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "removeFavourite", Security: guestSecurity, Method: http.MethodDelete, Path: "/api/v1/favourites/{slug}", Tags: []string{tagFavourites},
		Summary:       "Remove a favourite",
		Description:   "Idempotent: removing a service that is not a favourite is fine.",
		DefaultStatus: http.StatusNoContent,
		Errors:        []int{http.StatusForbidden, http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}, func(ctx context.Context, in *FavouriteInput) (*struct{}, error) {
		if err := s.favourites.Remove(ctx, s.favouriteOwner(ctx, in.GuestInput), in.Slug); err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})
}
