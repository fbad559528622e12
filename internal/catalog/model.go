// Package catalog is the domain of the public service catalogue (the
// "Onlineschalter"): services, the offices responsible for them, and the
// taxonomy (topics, life situations, audiences) they are filed under.
//
// It holds the types, their validation and rendering, and nothing that
// talks to a database or to HTTP. The JSON form of Service is the exchange
// format: the seed files, the admin import and export, and what the store
// keeps as the document of record all use it.
package catalog

// Languages the catalogue carries, the first being the default and the
// fallback of every text.
var Languages = []string{"de", "fr", "it", "en"}

// DefaultLanguage is de (de-CH: Swiss Standard German, written without ß).
const DefaultLanguage = "de"

// Localized is a text in the catalogue's languages. German is required and
// is the fallback for the others.
type Localized struct {
	De string `json:"de"`
	Fr string `json:"fr,omitempty"`
	It string `json:"it,omitempty"`
	En string `json:"en,omitempty"`
}

// Get returns the text in lang, empty when it has none.
func (l Localized) Get(lang string) string {
	switch lang {
	case "de":
		return l.De
	case "fr":
		return l.Fr
	case "it":
		return l.It
	case "en":
		return l.En
	}
	return ""
}

// In returns the text in lang, falling back to German.
func (l Localized) In(lang string) string {
	if s := l.Get(lang); s != "" {
		return s
	}
	return l.De
}

// InPtr is In for optional texts: nil stays empty.
func InPtr(l *Localized, lang string) string {
	if l == nil {
		return ""
	}
	return l.In(lang)
}

// Set stores s as the text in lang.
func (l *Localized) Set(lang, s string) {
	switch lang {
	case "de":
		l.De = s
	case "fr":
		l.Fr = s
	case "it":
		l.It = s
	case "en":
		l.En = s
	}
}

// WordLists are per-language lists of keywords or synonyms.
type WordLists struct {
	De []string `json:"de,omitempty"`
	Fr []string `json:"fr,omitempty"`
	It []string `json:"it,omitempty"`
	En []string `json:"en,omitempty"`
}

// In returns the words for lang plus the German ones, without duplicates:
// a French speaker may still type the German name of a service.
func (w WordLists) In(lang string) []string {
	var own []string
	switch lang {
	case "fr":
		own = w.Fr
	case "it":
		own = w.It
	case "en":
		own = w.En
	}
	out := make([]string, 0, len(own)+len(w.De))
	seen := map[string]bool{}
	for _, list := range [][]string{own, w.De} {
		for _, s := range list {
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	return out
}

// Publication states.
const (
	StateDraft     = "draft"
	StatePublished = "published"
	StateArchived  = "archived"
)

// Service is one service of the catalogue, in its exchange form.
type Service struct {
	Slug            string           `json:"slug"`
	State           string           `json:"state"`
	Office          string           `json:"office"`
	Categories      []string         `json:"categories"`
	LifeSituations  []string         `json:"life_situations,omitempty"`
	Audiences       []string         `json:"audiences"`
	Mode            string           `json:"mode"`
	Channels        []string         `json:"channels"`
	Assurance       string           `json:"assurance"`
	Popularity      int              `json:"popularity"`
	LastReviewed    string           `json:"last_reviewed"`
	OnlineStartURL  string           `json:"online_start_url,omitempty"`
	Title           Localized        `json:"title"`
	Summary         Localized        `json:"summary"`
	Description     Localized        `json:"description"`
	Fees            []Fee            `json:"fees"`
	ProcessingTimes []ProcessingTime `json:"processing_times"`
	Requirements    []Localized      `json:"requirements"`
	LegalBasis      []LegalBasis     `json:"legal_basis,omitempty"`
	Privacy         Privacy          `json:"privacy"`
	Contacts        []Contact        `json:"contacts"`
	Related         []string         `json:"related,omitempty"`
	Keywords        WordLists        `json:"keywords,omitzero"`
	Synonyms        WordLists        `json:"synonyms,omitzero"`
}

// Fee is one fee of a service, in Rappen (CHF 1.00 = 100), so that no
// amount is ever a float.
type Fee struct {
	AmountRappen int        `json:"amount_rappen"`
	Label        Localized  `json:"label"`
	Condition    *Localized `json:"condition,omitempty"`
}

// ProcessingTime is how long a channel takes, in working days.
type ProcessingTime struct {
	Channel string     `json:"channel"`
	DaysMin int        `json:"days_min"`
	DaysMax int        `json:"days_max"`
	Note    *Localized `json:"note,omitempty"`
}

// LegalBasis names a law or ordinance the service rests on.
type LegalBasis struct {
	Title string `json:"title"`
	URL   string `json:"url,omitempty"`
}

// Privacy is the notice a resident reads before handing over data.
type Privacy struct {
	Data       Localized `json:"data"`
	Purpose    Localized `json:"purpose"`
	Retention  Localized `json:"retention"`
	Recipients Localized `json:"recipients"`
}

// Contact is one way to reach the people behind a service.
type Contact struct {
	Kind  string     `json:"kind"`
	Value string     `json:"value"`
	Label *Localized `json:"label,omitempty"`
}

// Office is an organisational unit of the city that services belong to.
type Office struct {
	Slug             string         `json:"slug"`
	Name             Localized      `json:"name"`
	Description      *Localized     `json:"description,omitempty"`
	Address          Address        `json:"address"`
	Phone            string         `json:"phone"`
	Email            string         `json:"email"`
	Website          string         `json:"website,omitempty"`
	ContactFormURL   string         `json:"contact_form_url,omitempty"`
	Location         Location       `json:"location"`
	OpeningHours     []OpeningHours `json:"opening_hours"`
	OpeningHoursNote *Localized     `json:"opening_hours_note,omitempty"`
}

// Address is a Swiss postal address.
type Address struct {
	Building   string `json:"building,omitempty"`
	Street     string `json:"street"`
	PostalCode string `json:"postal_code"`
	City       string `json:"city"`
}

// Location is a WGS84 point.
type Location struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// OpeningHours is one opening interval on one weekday (mo…su, 24h "08:00").
type OpeningHours struct {
	Weekday string `json:"weekday"`
	Opens   string `json:"opens"`
	Closes  string `json:"closes"`
}

// Category kinds: topics (Themen) and life situations (Lebenslagen).
const (
	KindTopic         = "topic"
	KindLifeSituation = "life_situation"
)

// Category is a topic or a life situation.
type Category struct {
	Slug  string    `json:"slug"`
	Kind  string    `json:"kind"`
	Icon  string    `json:"icon"`
	Title Localized `json:"title"`
}

// Audience is a group of people a service addresses.
type Audience struct {
	Slug  string    `json:"slug"`
	Title Localized `json:"title"`
}

// Taxonomy is the set of categories and audiences services refer to.
type Taxonomy struct {
	Categories []Category `json:"categories"`
	Audiences  []Audience `json:"audiences"`
}
