package catalog

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Record is a stored service with the version its ETag derives from.
type Record struct {
	Service
	Version   int
	UpdatedAt time.Time
}

// ETag is the strong entity tag of the stored document, used by editors for
// optimistic locking (If-Match).
func (r Record) ETag() string { return fmt.Sprintf(`"v%d"`, r.Version) }

// Summary is a service as lists show it.
type Summary struct {
	Slug           string
	Title          Localized
	Summary        Localized
	Mode           string
	Assurance      string
	OnlineStartURL string
	Categories     []string
	LifeSituations []string
	Audiences      []string
	Channels       []string
	Popularity     int
	OfficeSlug     string
	OfficeName     Localized
	// FormVersion is the published version of the service's online form;
	// 0 when it cannot be ordered online.
	FormVersion int
}

// RelatedRef is a related service as the service page shows it.
type RelatedRef struct {
	Slug    string    `json:"slug"`
	Title   Localized `json:"title"`
	Summary Localized `json:"summary"`
}

// Detail is everything the public service page shows.
type Detail struct {
	Service
	DescriptionHTML Localized
	Office          OfficeView
	Related         []RelatedRef
	Categories      []Category // topics and life situations, resolved
	Audiences       []Audience
	UpdatedAt       time.Time
	// FormVersion is the published version of the online form (0: none).
	FormVersion int
	// Fingerprint changes whenever anything shown changes; the API turns it
	// (with the language) into the ETag.
	Fingerprint string
}

// OfficeView is an office with the number of its published services.
type OfficeView struct {
	Office
	ServiceCount int
	UpdatedAt    time.Time
}

// CategoryView is a category with the number of its published services.
type CategoryView struct {
	Category
	ServiceCount int
}

// ListFilter selects services for a list.
type ListFilter struct {
	States   []string
	Category string
	Audience string
	Channel  string
	Office   string
	After    *Cursor
	Limit    int
}

// Page is one page of a service list.
type Page struct {
	Items       []Summary
	Total       int
	Next        *Cursor
	Fingerprint string
}

// Cursor marks the last row of a page in the list order (popularity
// descending, then slug).
type Cursor struct {
	Popularity int
	Slug       string
}

// String encodes the cursor opaquely for clients.
func (c Cursor) String() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(c.Popularity) + ":" + c.Slug))
}

// ParseCursor decodes a cursor made by Cursor.String.
func ParseCursor(s string) (*Cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("malformed cursor")
	}
	pop, slug, ok := strings.Cut(string(b), ":")
	n, err := strconv.Atoi(pop)
	if !ok || err != nil || n < 0 || n > 100 || !slugRE.MatchString(slug) {
		return nil, fmt.Errorf("malformed cursor")
	}
	return &Cursor{Popularity: n, Slug: slug}, nil
}
