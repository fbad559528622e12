package account

import (
	"context"
	"encoding/json"
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

// EarlierCases is what a consent names, besides profile fields, when the
// service's form may reuse answers of the person's last case of it.
const EarlierCases = "earlier_cases"

// ConsentFields are what a consent may name.
var ConsentFields = append(slices.Clone(ProfileFields), EarlierCases)

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
		case !slices.Contains(ConsentFields, f):
			errs = append(errs, apperr.FieldError{Path: fmt.Sprintf("body.fields[%d]", i), Message: "not a profile field (" + strings.Join(ConsentFields, ", ") + ")", Value: f})
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
	// Reuse are the form's fields an earlier case of the service may fill.
	Reuse []string
}

// Prefill is what a form may fill in: consented profile fields, and with
// consent to it the reusable answers of the person's last case.
type Prefill struct {
	Consent store.Consent
	Values  map[string]string
	Earlier *Earlier
}

// Earlier are the answers of the last case that the form may reuse.
type Earlier struct {
	Number      string
	SubmittedAt time.Time
	Values      map[string]json.RawMessage
}

// Prefill returns what the person agreed to give the forms of a service,
// and records the disclosure in the transparency log in the same
// transaction: no read without its entry. Without consent it returns a
// Forbidden error naming the missing consent, and reads nothing.
func (s *Service) Prefill(ctx context.Context, id uuid.UUID, svc FormService) (Prefill, error) {
	var (
		out     Prefill
		profile store.Profile
	)
	err := s.Store.InTx(ctx, func(q *store.Queries) error {
		c, err := q.ActiveConsent(ctx, id, svc.Slug)
		if err != nil || c == nil {
			return err
		}
		out.Consent = *c
		if profile, err = q.Profile(ctx, id); err != nil {
			return err
		}
		var last *store.EarlierCase
		if slices.Contains(c.Fields, EarlierCases) && len(svc.Reuse) > 0 {
			if last, err = q.LastCase(ctx, id, svc.Slug); err != nil {
				return err
			}
		}
		data := fieldLabels(slices.DeleteFunc(slices.Clone(c.Fields), func(f string) bool { return f == EarlierCases }))
		purpose := "Formular «" + svc.Title + "» mit Ihren Profilangaben vorausfüllen"
		if last != nil {
			out.Earlier = reusable(last, svc.Reuse)
			data = append(data, "Angaben aus Ihrem Antrag "+last.Number)
			purpose = "Formular «" + svc.Title + "» mit Ihren Profilangaben und Angaben aus Ihrem letzten Antrag vorausfüllen"
		}
		if len(data) == 0 {
			return nil // a consent to earlier cases only, and no case: nothing is given to the form
		}
		_, err = q.AppendAccess(ctx, store.AccessEntryNew{Subject: id, ActorKind: transparency.ActorForm, Actor: "Online-Formular «" + svc.Title + "»",
			Office: &svc.Office, Action: transparency.ActionDisclose, Data: data, Purpose: purpose,
			LegalBasis: "Ihre Einwilligung vom " + c.GrantedAt.In(Zurich).Format("02.01.2006")})
		return err
	})
	if err != nil {
		return Prefill{}, err
	}
	if out.Consent.ID == uuid.Nil {
		return Prefill{}, apperr.New(apperr.Forbidden, "no consent to prefill the forms of %q from the profile", svc.Slug)
	}
	out.Values = map[string]string{}
	for _, f := range out.Consent.Fields {
		if v := profileValue(ctx, s, profile, id, f); v != "" {
			out.Values[f] = v
		}
	}
	return out, nil
}

// reusable keeps the answers of the last case the form lists as reusable.
func reusable(c *store.EarlierCase, reuse []string) *Earlier {
	var all map[string]json.RawMessage
	if json.Unmarshal(c.Data, &all) != nil {
		return nil
	}
	out := &Earlier{Number: c.Number, SubmittedAt: c.SubmittedAt, Values: map[string]json.RawMessage{}}
	for _, f := range reuse {
		if v, ok := all[f]; ok {
			out.Values[f] = v
		}
	}
	return out
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
	EarlierCases: "Angaben aus Ihrem letzten Antrag für diese Dienstleistung",
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
