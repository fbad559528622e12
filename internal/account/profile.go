package account

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	_ "time/tzdata"

	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/store"
	"github.com/schalter-ch/schalter/internal/transparency"
)

// ProfileFields are the profile fields a form may ask to prefill, in the
// order forms show them. "email" is the account's address.
var ProfileFields = []string{"given_name", "family_name", "street", "postal_code", "locality", "country", "phone", "language", "email"}

// ProfileInput is a whole profile; nil or blank fields are not stored.
type ProfileInput struct {
	GivenName, FamilyName, Street, PostalCode, Locality, Country, Phone, Language *string
	NotifyChannels                                                                []string
}

var (
	swissPostalCode = regexp.MustCompile(`^[1-9][0-9]{3}$`)
	countryCode     = regexp.MustCompile(`^[A-Z]{2}$`)
)

// SaveProfile checks and stores a profile. Every field is optional.
func (s *Service) SaveProfile(ctx context.Context, id uuid.UUID, in ProfileInput) (store.Profile, error) {
	var errs []apperr.FieldError
	bad := func(field, msg string) { errs = append(errs, apperr.FieldError{Path: "body." + field, Message: msg}) }
	clean := func(p *string) *string {
		if p == nil || strings.TrimSpace(*p) == "" {
			return nil
		}
		v := strings.Join(strings.Fields(*p), " ")
		return &v
	}
	in.GivenName, in.FamilyName, in.Street, in.PostalCode = clean(in.GivenName), clean(in.FamilyName), clean(in.Street), clean(in.PostalCode)
	in.Locality, in.Country, in.Phone, in.Language = clean(in.Locality), clean(in.Country), clean(in.Phone), clean(in.Language)
	if in.Country != nil {
		up := strings.ToUpper(*in.Country)
		in.Country = &up
		if !countryCode.MatchString(up) {
			bad("country", "must be a two-letter country code such as CH")
		}
	}
	if in.PostalCode != nil && (in.Country == nil || *in.Country == "CH") && !swissPostalCode.MatchString(*in.PostalCode) {
		bad("postal_code", "a Swiss postal code has four digits, e.g. 8610")
	}
	if in.Phone != nil {
		if p, ok := NormalizePhone(*in.Phone); ok {
			in.Phone = &p
		} else {
			bad("phone", "must be a phone number such as 079 123 45 67 or +41 79 123 45 67")
		}
	}
	seen := map[string]bool{}
	channels := []string{}
	for i, c := range in.NotifyChannels {
		if seen[c] {
			bad(fmt.Sprintf("notify_channels[%d]", i), "listed twice")
		}
		seen[c] = true
		channels = append(channels, c)
	}
	if seen["sms"] && in.Phone == nil {
		bad("phone", "needed for notifications by SMS")
	}
	if len(errs) > 0 {
		return store.Profile{}, apperr.InvalidFields("the profile has invalid fields", errs...)
	}
	return s.Store.PutProfile(ctx, store.ProfilePutInput{AccountID: id, GivenName: in.GivenName, FamilyName: in.FamilyName,
		Street: in.Street, PostalCode: in.PostalCode, Locality: in.Locality, Country: in.Country, Phone: in.Phone,
		Language: in.Language, NotifyChannels: channels})
}

// GrantConsent lets the forms of one service prefill the given fields.
func (s *Service) GrantConsent(ctx context.Context, id uuid.UUID, service string, fields []string) (store.Consent, error) {
	var errs []apperr.FieldError
	for i, f := range fields {
		switch {
		case !slices.Contains(ProfileFields, f):
			errs = append(errs, apperr.FieldError{Path: fmt.Sprintf("body.fields[%d]", i), Message: "not a profile field (" + strings.Join(ProfileFields, ", ") + ")", Value: f})
		case slices.Contains(fields[:i], f):
			errs = append(errs, apperr.FieldError{Path: fmt.Sprintf("body.fields[%d]", i), Message: "listed twice", Value: f})
		}
	}
	if len(errs) > 0 {
		return store.Consent{}, apperr.InvalidFields("unknown profile fields", errs...)
	}
	return s.Store.GrantConsent(ctx, id, service, fields)
}

// FormService names the service whose form asks to prefill.
type FormService struct {
	Slug, Title, Office string
}

// Prefill returns the profile fields the person agreed to give the forms
// of a service, and records the disclosure in the transparency log in the
// same transaction. Without consent it returns a Forbidden error naming
// the missing consent, and reads nothing.
func (s *Service) Prefill(ctx context.Context, id uuid.UUID, svc FormService) (map[string]string, store.Consent, error) {
	consent, p, err := s.Store.Disclose(ctx, id, svc.Slug, func(c store.Consent) store.AccessEntryNew {
		return store.AccessEntryNew{Subject: id, ActorKind: transparency.ActorForm, Actor: "Online-Formular «" + svc.Title + "»",
			Office: &svc.Office, Action: transparency.ActionDisclose, Data: fieldLabels(c.Fields),
			Purpose:    "Formular «" + svc.Title + "» mit Ihren Profilangaben vorausfüllen",
			LegalBasis: "Ihre Einwilligung vom " + c.GrantedAt.In(Zurich).Format("02.01.2006")}
	})
	if err != nil {
		return nil, store.Consent{}, err
	}
	if consent == nil {
		return nil, store.Consent{}, apperr.New(apperr.Forbidden, "no consent to prefill the forms of %q from the profile", svc.Slug)
	}
	out := map[string]string{}
	for _, f := range consent.Fields {
		if v := profileValue(ctx, s, p, id, f); v != "" {
			out[f] = v
		}
	}
	return out, *consent, nil
}

func profileValue(ctx context.Context, s *Service, p store.Profile, id uuid.UUID, field string) string {
	str := func(v *string) string {
		if v == nil {
			return ""
		}
		return *v
	}
	switch field {
	case "given_name":
		return str(p.GivenName)
	case "family_name":
		return str(p.FamilyName)
	case "street":
		return str(p.Street)
	case "postal_code":
		return str(p.PostalCode)
	case "locality":
		return str(p.Locality)
	case "country":
		return str(p.Country)
	case "phone":
		return str(p.Phone)
	case "language":
		return str(p.Language)
	case "email":
		if acc, err := s.Store.AccountByID(ctx, id); err == nil {
			return acc.Email
		}
	}
	return ""
}

// FieldLabels are the German names of profile fields, as the transparency
// log shows them to the person.
var FieldLabels = map[string]string{
	"given_name": "Vorname", "family_name": "Nachname", "street": "Strasse und Nummer", "postal_code": "Postleitzahl",
	"locality": "Ort", "country": "Land", "phone": "Telefonnummer", "language": "Sprache", "email": "E-Mail-Adresse",
}

func fieldLabels(fields []string) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = FieldLabels[f]
	}
	return out
}

// Zurich is the city's time zone, for dates written into texts. The
// zone database is built into the binary (time/tzdata), so slim container
// images without /usr/share/zoneinfo show the same times.
var Zurich = func() *time.Location {
	l, err := time.LoadLocation("Europe/Zurich")
	if err != nil {
		panic(err)
	}
	return l
}()
