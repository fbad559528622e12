package api

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/privacy"
)

// AccountExport is everything Schalter stores about an account. The
// readable document is rendered from the same value, so a field added
// here appears in both.
type AccountExport struct {
	ExportedAt time.Time `json:"exported_at"`
	Account    struct {
		ID              uuid.UUID  `json:"id"`
		Email           string     `json:"email"`
		EmailVerifiedAt *time.Time `json:"email_verified_at,omitempty"`
		CreatedAt       time.Time  `json:"created_at"`
		UpdatedAt       time.Time  `json:"updated_at"`
	} `json:"account"`
	Roles []RoleOut `json:"roles"`
	Login struct {
		Password          bool       `json:"password" doc:"Whether a password is set (the hash itself is not exported)."`
		AuthenticatorApp  bool       `json:"authenticator_app"`
		RecoveryCodesLeft int        `json:"recovery_codes_left"`
		SMS               *SMSExport `json:"sms,omitempty" doc:"The number for SMS codes, if one is set up or being confirmed."`
	} `json:"login"`
	Passkeys     []PasskeyExport   `json:"passkeys" doc:"The account's passkeys (their keys and ids are not exported)."`
	EIDs         []EIDExport       `json:"eid_identities" doc:"State eID identities linked to the account."`
	Profile      ProfileOut        `json:"profile"`
	Consents     []ConsentOut      `json:"consents"`
	Favourites   []FavouriteExport `json:"favourites"`
	Drafts       []DraftExport     `json:"drafts" doc:"Order drafts not yet submitted, with what was entered."`
	Cases        []CaseExport      `json:"cases" doc:"Submitted orders, with what was submitted."`
	Documents    []DocumentExport  `json:"documents" doc:"Documents delivered into the account (download each at /api/v1/me/documents/{id})."`
	Sessions     []DeviceOut       `json:"sessions"`
	KnownDevices []KnownDeviceOut  `json:"known_devices" doc:"Browsers and systems the account logged in from, for the new-device notice."`
	Transparency []AccessEntryOut  `json:"transparency" doc:"Every recorded read or disclosure of the person's data."`
}

// PasskeyExport is a passkey in the export.
type PasskeyExport struct {
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

// KnownDeviceOut is a browser and system the account logged in from.
type KnownDeviceOut struct {
	Label     string    `json:"label" example:"Firefox auf Windows"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
}

// FavouriteExport is a favourite in the export.
type FavouriteExport struct {
	Service string    `json:"service"`
	AddedAt time.Time `json:"added_at"`
}

// DraftExport is an order draft in the export.
type DraftExport struct {
	Service   string          `json:"service"`
	Data      json.RawMessage `json:"data"`
	UpdatedAt time.Time       `json:"updated_at"`
	ExpiresAt time.Time       `json:"expires_at"`
}

// CaseExport is a case in the export.
type CaseExport struct {
	Number      string          `json:"number"`
	Service     string          `json:"service"`
	Status      string          `json:"status"`
	SubmittedAt time.Time       `json:"submitted_at"`
	Data        json.RawMessage `json:"data"`
}

// DocumentExport is a delivered document in the export.
type DocumentExport struct {
	ID         string    `json:"id"`
	Title      string    `json:"title"`
	CaseNumber string    `json:"case_number"`
	IssuedAt   time.Time `json:"issued_at"`
	SHA256     string    `json:"sha256"`
}

// exportOut shapes the export (privacy.Export) for the wire.
func exportOut(x *privacy.Export) *AccountExport {
	d := x.Account
	out := &AccountExport{ExportedAt: time.Now().UTC().Truncate(time.Second), Roles: mapAll(x.Roles, roleOut)}
	out.Account.ID, out.Account.Email, out.Account.EmailVerifiedAt = d.ID, d.Email, utcPtr(d.EmailVerifiedAt)
	out.Account.CreatedAt, out.Account.UpdatedAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	out.Login.Password, out.Login.AuthenticatorApp, out.Login.RecoveryCodesLeft = d.HasPassword, d.HasTOTP, d.RecoveryCodesLeft
	if x.SMS != nil {
		out.Login.SMS = &SMSExport{Phone: x.SMS.Phone, ConfirmedAt: x.SMS.ConfirmedAt}
	}
	out.EIDs = mapAll(x.EIDs, func(l privacy.EIDIdentity) EIDExport {
		return EIDExport{Issuer: l.Issuer, Subject: l.Subject, ACR: l.ACR, LinkedAt: l.LinkedAt.UTC(), LastUsedAt: l.LastUsedAt.UTC()}
	})
	out.Passkeys = mapAll(x.Passkeys, func(k account.Passkey) PasskeyExport {
		pk := passkeyOut(&k)
		return PasskeyExport{Name: pk.Name, CreatedAt: pk.CreatedAt, LastUsedAt: pk.LastUsedAt}
	})
	out.Profile = profileOut(x.Profile)
	out.Consents = mapAll(x.Consents, consentOut)
	out.Favourites = mapAll(x.Favourites, func(f privacy.Favourite) FavouriteExport {
		return FavouriteExport{Service: f.Slug, AddedAt: f.AddedAt.UTC()}
	})
	out.Drafts = mapAll(x.Drafts, func(d privacy.Draft) DraftExport {
		return DraftExport{Service: d.Service, Data: d.Data, UpdatedAt: d.UpdatedAt.UTC(), ExpiresAt: d.ExpiresAt.UTC()}
	})
	out.Cases = mapAll(x.Cases, func(c privacy.Case) CaseExport {
		return CaseExport{Number: c.Number, Service: c.Service, Status: c.Status, SubmittedAt: c.SubmittedAt.UTC(), Data: c.Data}
	})
	out.Documents = mapAll(x.Documents, func(d privacy.Document) DocumentExport {
		return DocumentExport{ID: d.ID.String(), Title: d.Title, CaseNumber: d.CaseNumber, IssuedAt: d.IssuedAt.UTC(), SHA256: hex.EncodeToString(d.SHA256)}
	})
	out.Sessions = mapAll(x.Sessions, func(dv account.Device) DeviceOut {
		return DeviceOut{ID: dv.ID, Device: dv.UserAgent, Methods: strings.Split(dv.Methods, ","), CreatedAt: dv.CreatedAt.UTC(), ExpiresAt: dv.Expiry.UTC()}
	})
	out.KnownDevices = mapAll(x.KnownDevices, func(k privacy.KnownDevice) KnownDeviceOut {
		return KnownDeviceOut{Label: k.Label, FirstSeen: k.FirstSeen.UTC(), LastSeen: k.LastSeen.UTC()}
	})
	out.Transparency = mapAll(x.Transparency, accessEntryOut)
	return out
}

// MyExportInput chooses the export's format.
type MyExportInput struct {
	Format string `query:"format" enum:"json,html" default:"json" doc:"json: machine-readable; html: a readable document to print or save as PDF."`
}

// fileResponse is a file as a download: the data export, a PDF.
type fileResponse struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	CacheControl       string `header:"Cache-Control"`
	Body               []byte
}

func (s *Server) registerExport(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "exportMyData", Method: http.MethodGet, Path: "/api/v1/me/export", Tags: []string{tagAccount}, Security: sessionSecurity,
		Summary: "Export my data",
		Description: "Everything Schalter stores about the account — account, roles, login methods, linked eID identities, profile, consents, favourites, order drafts, cases, documents, " +
			"sessions and the transparency log — as JSON or as a readable HTML document (format=html) to print or save.",
		Responses: map[string]*huma.Response{"200": {Description: "The export", Content: map[string]*huma.MediaType{
			"application/json": {Schema: huma.SchemaFromType(api.OpenAPI().Components.Schemas, reflect.TypeFor[AccountExport]())},
			"text/html":        {Schema: &huma.Schema{Type: "string", Description: "A readable document in German."}},
		}}},
		Errors: []int{http.StatusUnauthorized, http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}, func(ctx context.Context, in *MyExportInput) (*fileResponse, error) {
		// me, not just the session's id: an account deleted under a live
		// session ends that session with a 401, as everywhere else.
		me, err := s.me(ctx)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		x, err := s.privacy.Export(ctx, me.ID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		raw, err := json.MarshalIndent(exportOut(x), "", "  ")
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		if in.Format == "html" {
			return &fileResponse{"text/html; charset=utf-8", `attachment; filename="schalter-meine-daten.html"`, "no-store", exportDocument(raw, s.cfg.City.Name)}, nil
		}
		return &fileResponse{"application/json", `attachment; filename="schalter-meine-daten.json"`, "no-store", raw}, nil
	})
}

// exportLabels are the German headings of the document. A key without a
// label is shown as it is, so nothing in the export is ever left out.
var exportLabels = map[string]string{
	"exported_at": "Erstellt am", "account": "Konto", "id": "Kennung", "email": "E-Mail-Adresse",
	"email_verified_at": "E-Mail bestätigt am", "created_at": "Erstellt am", "updated_at": "Geändert am",
	"roles": "Rollen", "role": "Rolle", "office": "Amt", "login": "Anmeldung", "password": "Passwort gesetzt",
	"authenticator_app": "Authenticator-App", "recovery_codes_left": "Unbenutzte Wiederherstellungscodes",
	"passkeys": "Passkeys", "name": "Name", "last_used_at": "Zuletzt verwendet am",
	"profile": "Profil", "given_name": "Vorname", "family_name": "Nachname", "street": "Strasse und Nummer",
	"postal_code": "Postleitzahl", "locality": "Ort", "country": "Land", "phone": "Telefonnummer", "language": "Sprache",
	"notify_channels": "Benachrichtigungskanäle", "consents": "Einwilligungen zum Vorausfüllen", "service": "Leistung",
	"fields": "Angaben", "granted_at": "Erteilt am", "revoked_at": "Widerrufen am", "active": "Gültig",
	"favourites": "Favoriten", "added_at": "Hinzugefügt am", "drafts": "Angefangene Anträge (Entwürfe)", "cases": "Eingereichte Anträge", "number": "Fallnummer", "status": "Stand", "submitted_at": "Eingereicht am", "documents": "Amtliche Dokumente", "title": "Titel", "case_number": "Fallnummer", "issued_at": "Ausgestellt am", "sha256": "Prüfsumme (SHA-256)", "sessions": "Sitzungen und Geräte", "device": "Gerät",
	"methods": "Anmeldeart", "expires_at": "Läuft ab am", "current": "Diese Sitzung",
	"known_devices": "Geräte, von denen aus Sie sich angemeldet haben", "label": "Gerät", "first_seen": "Zuerst am", "last_seen": "Zuletzt am",
	"transparency": "Wer hat Ihre Daten gesehen (Datencockpit)", "seq": "Nr.", "occurred_at": "Zeitpunkt",
	"actor_kind": "Art", "actor": "Wer", "action": "Vorgang", "data": "Daten", "purpose": "Zweck",
	"legal_basis": "Rechtsgrundlage", "sealed": "Siegel intakt", "sms": "Codes per SMS", "confirmed_at": "Bestätigt am",
	"eid_identities": "Verbundene eID", "issuer": "Anbieter", "subject": "Ihre Kennung beim Anbieter",
	"acr": "Stufe (acr) der letzten Anmeldung", "linked_at": "Verbunden am",
}

// exportDocument renders the JSON export as a self-contained HTML page:
// objects as definition lists, lists of objects as tables. It stays at the
// edge, not in internal/privacy: it renders the wire format (its labels
// are keyed by JSON field names), so it changes with AccountExport.
func exportDocument(raw []byte, city string) []byte {
	var doc map[string]any
	_ = json.Unmarshal(raw, &doc)
	var b strings.Builder
	fmt.Fprintf(&b, `<!doctype html><html lang="de-CH"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`+
		`<title>Meine Daten – %[1]s</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}`+
		`table{border-collapse:collapse;width:100%%;font-size:.9rem}th,td{border:1px solid #767676;padding:.3rem .5rem;text-align:left;vertical-align:top}`+
		`dt{font-weight:600}dd{margin:0 0 .5rem 0}h2{margin-top:2rem;border-bottom:2px solid #1a1a1a}</style></head><body>`+
		`<h1>Meine Daten bei %[1]s</h1><p>Diese Auskunft enthält alle Daten, die der Online-Schalter über Ihr Konto speichert.</p>`, html.EscapeString(city))
	keys := []string{"exported_at", "account", "roles", "login", "passkeys", "eid_identities", "profile", "consents", "favourites", "drafts", "cases", "documents", "sessions", "known_devices", "transparency"}
	for k := range doc {
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		v, ok := doc[k]
		if !ok {
			continue
		}
		fmt.Fprintf(&b, "<section><h2>%s</h2>", label(k))
		renderValue(&b, v)
		b.WriteString("</section>")
	}
	b.WriteString("</body></html>")
	return []byte(b.String())
}

func renderValue(b *strings.Builder, v any) {
	switch t := v.(type) {
	case map[string]any:
		if len(t) == 0 {
			b.WriteString("<p>Keine Angaben.</p>")
			return
		}
		b.WriteString("<dl>")
		for _, k := range sortedKeys(t) {
			fmt.Fprintf(b, "<dt>%s</dt><dd>", label(k))
			renderValue(b, t[k])
			b.WriteString("</dd>")
		}
		b.WriteString("</dl>")
	case []any:
		if len(t) == 0 {
			b.WriteString("<p>Keine Einträge.</p>")
			return
		}
		if _, ok := t[0].(map[string]any); !ok {
			parts := make([]string, len(t))
			for i, x := range t {
				parts[i] = scalar(x)
			}
			b.WriteString(strings.Join(parts, ", "))
			return
		}
		var cols []string
		for _, row := range t {
			for k := range row.(map[string]any) {
				if !slices.Contains(cols, k) {
					cols = append(cols, k)
				}
			}
		}
		sort.Strings(cols)
		b.WriteString("<table><thead><tr>")
		for _, c := range cols {
			fmt.Fprintf(b, `<th scope="col">%s</th>`, label(c))
		}
		b.WriteString("</tr></thead><tbody>")
		for _, row := range t {
			b.WriteString("<tr>")
			for _, c := range cols {
				b.WriteString("<td>")
				if x, ok := row.(map[string]any)[c]; ok {
					renderValue(b, x)
				}
				b.WriteString("</td>")
			}
			b.WriteString("</tr>")
		}
		b.WriteString("</tbody></table>")
	default:
		b.WriteString(scalar(v))
	}
}

// scalar formats a JSON value for people: Ja/Nein, Swiss dates in the
// city's time zone, text escaped.
func scalar(v any) string {
	switch t := v.(type) {
	case nil:
		return "–"
	case bool:
		if t {
			return "Ja"
		}
		return "Nein"
	case float64:
		return fmt.Sprintf("%g", t)
	case string:
		if ts, err := time.Parse(time.RFC3339Nano, t); err == nil {
			return ts.In(account.Zurich).Format("02.01.2006 15:04")
		}
		return html.EscapeString(t)
	}
	return html.EscapeString(fmt.Sprint(v))
}

func label(k string) string {
	if l, ok := exportLabels[k]; ok {
		return html.EscapeString(l)
	}
	return html.EscapeString(k)
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
