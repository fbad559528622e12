package devidp

import (
	"embed"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// The login page: server-rendered, no scripts (Schalter's Content Security
// Policy forbids inline scripts, and a form needs none), labelled fields,
// so a person with a screen reader and a browser test alike can use it.

//go:embed login.html
var pages embed.FS

var loginTemplate = template.Must(template.ParseFS(pages, "login.html"))

type option struct {
	Value, Label string
	Selected     bool
}

type personView struct {
	Person
	Label, Detail string
}

type loginView struct {
	Action, ID, Client string
	Requested          string
	People             []personView
	ACRs               []option
	Error              string
}

// qoa names an AGOV acr by its number ("acr 30"), else by its value.
func qoa(acr string) string {
	if n, ok := strings.CutPrefix(acr, "urn:qoa.eiam.admin.ch:names:tc:ac:classes:"); ok {
		return "acr " + n
	}
	return acr
}

func (p *Provider) loginPage(w http.ResponseWriter, r *http.Request) {
	a, err := p.storage.request(r.URL.Query().Get("id"))
	if err != nil {
		p.render(w, http.StatusBadRequest, loginView{Error: "Diese Anmeldung ist unbekannt oder abgelaufen. Bitte beginnen Sie von vorne."})
		return
	}
	v := loginView{Action: p.prefix + "/login", ID: a.id, Client: a.req.ClientID, Requested: "keine"}
	if len(a.req.ACRValues) > 0 {
		names := make([]string, 0, len(a.req.ACRValues))
		for _, acr := range a.req.ACRValues {
			names = append(names, qoa(acr))
		}
		v.Requested = strings.Join(names, ", ")
	}
	for _, person := range People {
		pv := personView{Person: person, Label: person.Name + " (" + qoa(person.ACR) + ")", Detail: "keine E-Mail-Adresse"}
		if person.Email != "" {
			pv.Detail = person.Email + map[bool]string{true: ", bestätigt", false: ", nicht bestätigt"}[person.EmailVerified]
		}
		v.People = append(v.People, pv)
	}
	v.ACRs = append(v.ACRs, option{Value: "", Label: "wie bei der Person angegeben", Selected: true})
	for _, acr := range ACRs {
		label := qoa(acr) + " (" + acr + ")"
		if acr == UnknownACR {
			label = "unbekannte Stufe (" + acr + "): Schalter lehnt sie ab"
		}
		v.ACRs = append(v.ACRs, option{Value: acr, Label: label})
	}
	p.render(w, http.StatusOK, v)
}

func (p *Provider) render(w http.ResponseWriter, status int, v loginView) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = loginTemplate.Execute(w, v)
}

// login completes or cancels a login from the page's form. A completed
// login goes back to the op package's callback, which redirects to the
// client with a code; a cancelled one redirects with error=access_denied.
func (p *Provider) login(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		p.render(w, http.StatusBadRequest, loginView{Error: "Das Formular war unlesbar."})
		return
	}
	id := r.PostForm.Get("id")
	a, err := p.storage.request(id)
	if err != nil {
		p.render(w, http.StatusBadRequest, loginView{Error: "Diese Anmeldung ist unbekannt oder abgelaufen. Bitte beginnen Sie von vorne."})
		return
	}
	if r.PostForm.Get("action") == "cancel" {
		_ = p.storage.DeleteAuthRequest(r.Context(), id)
		op.AuthRequestError(w, r, a, oidc.ErrAccessDenied().WithDescription("the person cancelled the login"), p.op)
		return
	}
	who, ok := person(r.PostForm.Get("person"))
	acr := r.PostForm.Get("acr")
	if acr == "" {
		acr = who.ACR
	}
	if !ok || !slices.Contains(ACRs, acr) {
		p.render(w, http.StatusBadRequest, loginView{Error: "Unbekannte Person oder Stufe."})
		return
	}
	if !p.storage.complete(id, who.Subject, acr) {
		p.render(w, http.StatusBadRequest, loginView{Error: "Diese Anmeldung ist schon abgeschlossen."})
		return
	}
	http.Redirect(w, r, op.AuthCallbackURL(p.op)(r.Context(), id), http.StatusFound)
}

// complete marks a login done by a person at an acr, once.
func (s *storage) complete(id, subject, acr string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.requests[id]
	if !ok || a.done {
		return false
	}
	a.done, a.subject, a.acr, a.authTime = true, subject, acr, time.Now()
	return true
}
