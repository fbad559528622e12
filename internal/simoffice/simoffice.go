// Package simoffice is a simulated Betreibungsamt: a stand-in for an
// office's own system that speaks to Schalter only through the real
// connector, over HTTP. It receives deliveries (checking their signature
// and replay window, de-duplicating by case number), and after a delay
// works each one as the office would: it sets the case in progress,
// announces the extract, renders it as PDF with the verification QR code
// Schalter gave it, uploads it and closes the case. `make run` starts it
// (`schalter sim betreibungsamt`), and the tests run it in-process.
//
// With NoStatusCallback it is a system that cannot call back statuses: it
// keeps them, and answers Schalter's status poll (Status) from them; its
// documents still go through the office API's upload.
package simoffice

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/schalter-ch/schalter/internal/connector"
)

// Development credentials shared by `make run`'s Schalter and its
// simulated office; never valid in production (the server refuses the
// demo connector there).
const (
	DevSecret = "dev-only-betreibungsamt-secret"
	DevAPIKey = connector.APIKeyPrefix + "dev-only-betreibungsamt-api-key"
)

// Office is the simulated office.
type Office struct {
	Secret []byte
	APIKey string
	// Delay is how long the office takes before it starts on a case.
	Delay  time.Duration
	Log    *slog.Logger
	Client *http.Client
	// Now is the clock for the replay window (tests move it).
	Now func() time.Time
	// NoStatusCallback keeps the statuses for Schalter's poll instead of
	// setting them through the office API.
	NoStatusCallback bool

	mu     sync.Mutex
	seen   map[string]bool
	status map[string]connector.CaseStatus // the office's own status of each case it worked on
	wg     sync.WaitGroup
}

// ServeHTTP receives a delivery.
func (o *Office) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, ok := o.signedBody(w, r, "POST deliveries here")
	if !ok {
		return
	}
	var d connector.Delivery
	if err := json.Unmarshal(body, &d); err != nil || d.Number == "" || d.CallbackURL == "" {
		http.Error(w, "not a delivery", http.StatusBadRequest)
		return
	}
	o.mu.Lock()
	if o.seen == nil {
		o.seen = map[string]bool{}
	}
	known := o.seen[d.Number]
	o.seen[d.Number] = true
	o.mu.Unlock()
	if known {
		w.WriteHeader(http.StatusOK) // a retry after a lost answer: one case here
		return
	}
	w.WriteHeader(http.StatusAccepted)
	o.wg.Add(1)
	go func() {
		defer o.wg.Done()
		time.Sleep(o.Delay)
		if err := o.work(context.Background(), d); err != nil {
			o.Log.Error("simulated Betreibungsamt: working the case failed", "case", d.Number, "err", err)
		}
	}()
}

func (o *Office) verify(r *http.Request, body []byte) error {
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	return connector.Verify(r.Header.Get(connector.SignatureHeader), o.Secret, body, now(), connector.ReplayWindow)
}

// signedBody reads a POST from Schalter (at most 1 MiB) and checks its
// signature; otherwise it answers the refusal and reports false.
func (o *Office) signedBody(w http.ResponseWriter, r *http.Request, wrongMethod string) ([]byte, bool) {
	if r.Method != http.MethodPost {
		http.Error(w, wrongMethod, http.StatusMethodNotAllowed)
		return nil, false
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "unreadable body", http.StatusBadRequest)
		return nil, false
	}
	if err := o.verify(r, body); err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return nil, false
	}
	return body, true
}

// Status answers Schalter's status poll (docs/connectors.md) from the
// office's own state: the cases asked about that it has worked on; the
// others it leaves out.
func (o *Office) Status(w http.ResponseWriter, r *http.Request) {
	body, ok := o.signedBody(w, r, "POST status polls here")
	if !ok {
		return
	}
	var req connector.StatusRequest
	if err := json.Unmarshal(body, &req); err != nil {
		http.Error(w, "not a status poll", http.StatusBadRequest)
		return
	}
	answer := connector.StatusAnswer{Cases: []connector.CaseStatus{}}
	o.mu.Lock()
	for _, n := range req.Cases {
		if st, ok := o.status[n]; ok {
			answer.Cases = append(answer.Cases, st)
		}
	}
	o.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(answer)
}

func (o *Office) setStatus(number, status, message string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.status == nil {
		o.status = map[string]connector.CaseStatus{}
	}
	o.status[number] = connector.CaseStatus{Number: number, Status: status, Message: message}
}

// Received counts the cases the office has.
func (o *Office) Received() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.seen)
}

// Wait waits for the cases being worked.
func (o *Office) Wait() { o.wg.Wait() }

// work is the office working one case.
func (o *Office) work(ctx context.Context, d connector.Delivery) error {
	var form struct {
		GivenName  string `json:"given_name"`
		FamilyName string `json:"family_name"`
		BirthDate  string `json:"birth_date"`
		Street     string `json:"street"`
		PostalCode string `json:"postal_code"`
		Locality   string `json:"locality"`
		SameFive   string `json:"same_address_5_years"`
	}
	if err := json.Unmarshal(d.Data, &form); err != nil {
		return err
	}
	base := strings.TrimRight(d.CallbackURL, "/")
	status := func(s, msg string) error {
		if !o.NoStatusCallback {
			if err := o.call(ctx, http.MethodPost, base+"/cases/"+d.Number+"/status", "application/json", map[string]string{"status": s, "message": msg}, nil); err != nil {
				return err
			}
		}
		// Kept after Schalter has it, so that a poll never races the call.
		o.setStatus(d.Number, s, msg)
		return nil
	}
	if err := status("in_progress", "Das Betreibungsamt stellt Ihren Auszug aus."); err != nil {
		return err
	}
	if d.Service != "betreibungsregisterauszug-bestellen" {
		return status("rejected", "Das Betreibungsamt stellt über diesen Weg nur Betreibungsregisterauszüge aus.")
	}
	if d.Delivery == "post" {
		return status("done", "Ihr Auszug ist ausgestellt und geht heute per Post an die angegebene Adresse.")
	}
	var ann struct {
		ID        string `json:"id"`
		VerifyURL string `json:"verify_url"`
	}
	if err := o.call(ctx, http.MethodPost, base+"/cases/"+d.Number+"/documents", "application/json", map[string]string{
		"kind": "betreibungsregisterauszug", "title": "Auszug aus dem Betreibungsregister", "filename": "betreibungsregisterauszug.pdf"}, &ann); err != nil {
		return err
	}
	pdf, err := Extract(Person{GivenName: form.GivenName, FamilyName: form.FamilyName, BirthDate: form.BirthDate,
		Address: fmt.Sprintf("%s, %s %s", form.Street, form.PostalCode, form.Locality), MovedIn: form.SameFive == "no"}, d.Number, ann.VerifyURL, time.Now())
	if err != nil {
		return err
	}
	if err := o.call(ctx, http.MethodPut, base+"/documents/"+ann.ID, "application/pdf", pdf, nil); err != nil {
		return err
	}
	return status("done", "Ihr Auszug liegt unter «Meine amtlichen Dokumente» bereit.")
}

// call makes one request to Schalter, retried a few times like any
// office system would.
func (o *Office) call(ctx context.Context, method, url, contentType string, body any, out any) error {
	var raw []byte
	switch b := body.(type) {
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			return err
		}
	}
	var last error
	for attempt := range 5 {
		if attempt > 0 {
			time.Sleep(time.Duration(attempt) * 500 * time.Millisecond)
		}
		req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(raw))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Authorization", "Bearer "+o.APIKey)
		resp, err := o.Client.Do(req)
		if err != nil {
			last = err
			continue
		}
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
			last = fmt.Errorf("%s %s: %d %s", method, url, resp.StatusCode, b)
			continue
		}
		if resp.StatusCode >= 300 {
			return fmt.Errorf("%s %s: %d %s", method, url, resp.StatusCode, b)
		}
		if out != nil {
			return json.Unmarshal(b, out)
		}
		return nil
	}
	return last
}
