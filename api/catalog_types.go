package api

import (
	"time"

	"github.com/schalter-ch/schalter/internal/catalog"
)

// The public representations of the catalogue. Texts are resolved to one
// language; the exchange format with all languages is the admin API's.

// OfficeRef names the office responsible for a service.
type OfficeRef struct {
	Slug string `json:"slug" example:"einwohnerdienste"`
	Name string `json:"name" example:"Einwohnerdienste"`
}

// ServiceSummary is a service in a list.
type ServiceSummary struct {
	Slug           string    `json:"slug" example:"zuzug-anmelden"`
	Title          string    `json:"title" example:"Zuzug anmelden"`
	Summary        string    `json:"summary" example:"Melden Sie sich innert 14 Tagen nach dem Einzug bei den Einwohnerdiensten an."`
	Office         OfficeRef `json:"office"`
	Categories     []string  `json:"categories" example:"[\"wohnen-umzug\"]" doc:"Topic slugs."`
	LifeSituations []string  `json:"life_situations" example:"[\"umziehen\"]" doc:"Life situation slugs."`
	Audiences      []string  `json:"audiences" example:"[\"residents\",\"newcomers\"]"`
	Mode           string    `json:"mode" enum:"online,hybrid,counter" doc:"online: completely online; hybrid: started online, finished at a counter or by post; counter: in person only."`
	Channels       []string  `json:"channels" enum:"online,counter,post" example:"[\"online\",\"counter\"]"`
	Assurance      string    `json:"assurance" enum:"none,account,two_factor,eid" doc:"The login level the service needs."`
	Popularity     int       `json:"popularity" minimum:"0" maximum:"100" example:"95"`
	OnlineStartURL string    `json:"online_start_url,omitempty" format:"uri" example:"https://www.eumzug.swiss/"`
	OnlineForm     bool      `json:"online_form" doc:"The service can be ordered with Schalter's own form (GET /api/v1/services/{slug}/form)."`
}

// ServiceList is a page of services.
type ServiceList struct {
	Items      []ServiceSummary `json:"items"`
	Total      int              `json:"total" doc:"Number of services matching the filters, on all pages." example:"157"`
	NextCursor string           `json:"next_cursor,omitempty" doc:"Pass as cursor to get the next page; absent on the last page." example:"OTU6enV6dWctYW5tZWxkZW4"`
}

// CategoryOut is a topic or life situation.
type CategoryOut struct {
	Slug         string `json:"slug" example:"wohnen-umzug"`
	Kind         string `json:"kind" enum:"topic,life_situation"`
	Icon         string `json:"icon" example:"home"`
	Title        string `json:"title" example:"Wohnen und Umzug"`
	ServiceCount int    `json:"service_count" doc:"Published services in this category." example:"14"`
}

// AudienceOut is a group of people services address.
type AudienceOut struct {
	Slug  string `json:"slug" example:"newcomers"`
	Title string `json:"title" example:"Neuzuziehende"`
}

// AddressOut is a postal address.
type AddressOut struct {
	Building   string `json:"building,omitempty" example:"Stadthaus, Erdgeschoss"`
	Street     string `json:"street" example:"Oberlandstrasse 78"`
	PostalCode string `json:"postal_code" example:"8610"`
	City       string `json:"city" example:"Uster"`
}

// LocationOut is a WGS84 point.
type LocationOut struct {
	Lat float64 `json:"lat" example:"47.3471"`
	Lon float64 `json:"lon" example:"8.7209"`
}

// OpeningHoursOut is one opening interval.
type OpeningHoursOut struct {
	Weekday string `json:"weekday" enum:"mo,tu,we,th,fr,sa,su"`
	Opens   string `json:"opens" pattern:"^[0-2][0-9]:[0-5][0-9]$" example:"08:00"`
	Closes  string `json:"closes" pattern:"^[0-2][0-9]:[0-5][0-9]$" example:"11:30"`
}

// OfficeOut is an organisational unit of the city.
type OfficeOut struct {
	Slug             string            `json:"slug" example:"einwohnerdienste"`
	Name             string            `json:"name" example:"Einwohnerdienste"`
	Description      string            `json:"description,omitempty"`
	Address          AddressOut        `json:"address"`
	Phone            string            `json:"phone" example:"+41 44 944 71 11"`
	Email            string            `json:"email" format:"email" example:"einwohnerdienste@uster.ch"`
	Website          string            `json:"website,omitempty" format:"uri"`
	ContactFormURL   string            `json:"contact_form_url,omitempty" format:"uri"`
	Location         LocationOut       `json:"location"`
	OpeningHours     []OpeningHoursOut `json:"opening_hours"`
	OpeningHoursNote string            `json:"opening_hours_note,omitempty"`
	ServiceCount     int               `json:"service_count" doc:"Published services of this office." example:"31"`
}

// FeeOut is a fee in Rappen (CHF 1.00 = 100).
type FeeOut struct {
	AmountRappen int    `json:"amount_rappen" minimum:"0" example:"1700"`
	Label        string `json:"label" example:"Auszug für eine Person"`
	Condition    string `json:"condition,omitempty"`
}

// ProcessingTimeOut is how many working days a channel takes.
type ProcessingTimeOut struct {
	Channel string `json:"channel" enum:"online,counter,post"`
	DaysMin int    `json:"days_min" minimum:"0" example:"1"`
	DaysMax int    `json:"days_max" minimum:"0" example:"3"`
	Note    string `json:"note,omitempty"`
}

// LegalBasisOut is a law the service rests on.
type LegalBasisOut struct {
	Title string `json:"title" example:"Bundesgesetz über Schuldbetreibung und Konkurs (SchKG), Art. 8a"`
	URL   string `json:"url,omitempty" format:"uri"`
}

// PrivacyOut is the privacy notice of a service.
type PrivacyOut struct {
	Data       string `json:"data" doc:"Which personal data the service processes."`
	Purpose    string `json:"purpose" doc:"What for."`
	Retention  string `json:"retention" doc:"How long it is kept."`
	Recipients string `json:"recipients" doc:"Who receives it."`
}

// ContactOut is one way to reach the people behind a service.
type ContactOut struct {
	Kind  string `json:"kind" enum:"phone,email,form,counter,web"`
	Value string `json:"value" example:"+41 44 944 72 11"`
	Label string `json:"label,omitempty"`
}

// RelatedOut is a related service.
type RelatedOut struct {
	Slug    string `json:"slug" example:"wohnsitzbestaetigung"`
	Title   string `json:"title" example:"Wohnsitzbestätigung bestellen"`
	Summary string `json:"summary"`
}

// ServiceOut is a service with everything its page shows.
type ServiceOut struct {
	Slug            string              `json:"slug" example:"betreibungsregisterauszug-bestellen"`
	Title           string              `json:"title" example:"Betreibungsregisterauszug bestellen"`
	Summary         string              `json:"summary"`
	Description     string              `json:"description" doc:"Markdown source."`
	DescriptionHTML string              `json:"description_html" doc:"The description rendered to sanitised HTML, safe to insert."`
	Office          OfficeOut           `json:"office"`
	Categories      []CategoryOut       `json:"categories" doc:"Topics."`
	LifeSituations  []CategoryOut       `json:"life_situations"`
	Audiences       []AudienceOut       `json:"audiences"`
	Mode            string              `json:"mode" enum:"online,hybrid,counter"`
	Channels        []string            `json:"channels" enum:"online,counter,post"`
	Assurance       string              `json:"assurance" enum:"none,account,two_factor,eid"`
	Popularity      int                 `json:"popularity" minimum:"0" maximum:"100"`
	LastReviewed    string              `json:"last_reviewed" format:"date" example:"2026-09-14"`
	OnlineStartURL  string              `json:"online_start_url,omitempty" format:"uri"`
	OnlineForm      bool                `json:"online_form" doc:"The service can be ordered with Schalter's own form (GET /api/v1/services/{slug}/form)."`
	Fees            []FeeOut            `json:"fees" doc:"Empty when the service is free."`
	ProcessingTimes []ProcessingTimeOut `json:"processing_times"`
	Requirements    []string            `json:"requirements" doc:"What to bring or have ready."`
	LegalBasis      []LegalBasisOut     `json:"legal_basis"`
	Privacy         PrivacyOut          `json:"privacy"`
	Contacts        []ContactOut        `json:"contacts"`
	Related         []RelatedOut        `json:"related"`
	Keywords        []string            `json:"keywords"`
	Synonyms        []string            `json:"synonyms"`
	UpdatedAt       time.Time           `json:"updated_at"`
}

// CatalogueOut is the whole published catalogue in one language, for
// offline copies and for third parties that mirror it.
type CatalogueOut struct {
	Lang        string        `json:"lang" enum:"de,fr,it,en"`
	GeneratedAt time.Time     `json:"generated_at"`
	Services    []ServiceOut  `json:"services"`
	Categories  []CategoryOut `json:"categories"`
	Audiences   []AudienceOut `json:"audiences"`
	Offices     []OfficeOut   `json:"offices"`
}

func summaryOut(s catalog.Summary, lang string) ServiceSummary {
	return ServiceSummary{
		Slug: s.Slug, Title: s.Title.In(lang), Summary: s.Summary.In(lang),
		Office:     OfficeRef{Slug: s.OfficeSlug, Name: s.OfficeName.In(lang)},
		Categories: s.Categories, LifeSituations: nonNil(s.LifeSituations), Audiences: s.Audiences,
		Mode: s.Mode, Channels: s.Channels, Assurance: s.Assurance, Popularity: s.Popularity,
		OnlineStartURL: s.OnlineStartURL, OnlineForm: s.FormVersion > 0,
	}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func categoryOut(c catalog.Category, count int, lang string) CategoryOut {
	return CategoryOut{Slug: c.Slug, Kind: c.Kind, Icon: c.Icon, Title: c.Title.In(lang), ServiceCount: count}
}

func officeOut(o catalog.OfficeView, lang string) OfficeOut {
	out := OfficeOut{
		Slug: o.Slug, Name: o.Name.In(lang), Description: catalog.InPtr(o.Description, lang),
		Address: AddressOut{Building: o.Address.Building, Street: o.Address.Street, PostalCode: o.Address.PostalCode, City: o.Address.City},
		Phone:   o.Phone, Email: o.Email, Website: o.Website, ContactFormURL: o.ContactFormURL,
		Location: LocationOut{Lat: o.Location.Lat, Lon: o.Location.Lon}, OpeningHoursNote: catalog.InPtr(o.OpeningHoursNote, lang),
		ServiceCount: o.ServiceCount, OpeningHours: make([]OpeningHoursOut, 0, len(o.OpeningHours)),
	}
	for _, h := range o.OpeningHours {
		out.OpeningHours = append(out.OpeningHours, OpeningHoursOut(h))
	}
	return out
}

func serviceOut(d *catalog.Detail, lang string) ServiceOut {
	s := d.Service
	out := ServiceOut{
		Slug: s.Slug, Title: s.Title.In(lang), Summary: s.Summary.In(lang), Description: s.Description.In(lang),
		DescriptionHTML: d.DescriptionHTML.In(lang), Office: officeOut(d.Office, lang),
		Categories: []CategoryOut{}, LifeSituations: []CategoryOut{}, Audiences: make([]AudienceOut, 0, len(d.Audiences)),
		Mode: s.Mode, Channels: s.Channels, Assurance: s.Assurance, Popularity: s.Popularity,
		LastReviewed: s.LastReviewed, OnlineStartURL: s.OnlineStartURL, OnlineForm: d.FormVersion > 0,
		Fees: make([]FeeOut, 0, len(s.Fees)), ProcessingTimes: make([]ProcessingTimeOut, 0, len(s.ProcessingTimes)),
		Requirements: make([]string, 0, len(s.Requirements)), LegalBasis: make([]LegalBasisOut, 0, len(s.LegalBasis)),
		Privacy:  PrivacyOut{Data: s.Privacy.Data.In(lang), Purpose: s.Privacy.Purpose.In(lang), Retention: s.Privacy.Retention.In(lang), Recipients: s.Privacy.Recipients.In(lang)},
		Contacts: make([]ContactOut, 0, len(s.Contacts)), Related: make([]RelatedOut, 0, len(d.Related)),
		Keywords: s.Keywords.In(lang), Synonyms: s.Synonyms.In(lang), UpdatedAt: d.UpdatedAt.UTC(),
	}
	for _, c := range d.Categories {
		if c.Kind == catalog.KindTopic {
			out.Categories = append(out.Categories, categoryOut(c, 0, lang))
		} else {
			out.LifeSituations = append(out.LifeSituations, categoryOut(c, 0, lang))
		}
	}
	for _, a := range d.Audiences {
		out.Audiences = append(out.Audiences, AudienceOut{Slug: a.Slug, Title: a.Title.In(lang)})
	}
	for _, f := range s.Fees {
		out.Fees = append(out.Fees, FeeOut{AmountRappen: f.AmountRappen, Label: f.Label.In(lang), Condition: catalog.InPtr(f.Condition, lang)})
	}
	for _, p := range s.ProcessingTimes {
		out.ProcessingTimes = append(out.ProcessingTimes, ProcessingTimeOut{Channel: p.Channel, DaysMin: p.DaysMin, DaysMax: p.DaysMax, Note: catalog.InPtr(p.Note, lang)})
	}
	for _, r := range s.Requirements {
		out.Requirements = append(out.Requirements, r.In(lang))
	}
	for _, l := range s.LegalBasis {
		out.LegalBasis = append(out.LegalBasis, LegalBasisOut(l))
	}
	for _, c := range s.Contacts {
		out.Contacts = append(out.Contacts, ContactOut{Kind: c.Kind, Value: c.Value, Label: catalog.InPtr(c.Label, lang)})
	}
	for _, r := range d.Related {
		out.Related = append(out.Related, RelatedOut{Slug: r.Slug, Title: r.Title.In(lang), Summary: r.Summary.In(lang)})
	}
	return out
}
