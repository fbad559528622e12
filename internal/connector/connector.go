// Package connector links Schalter to the offices' own systems.
//
// Outbound: a submitted case is delivered to its office's endpoint by a
// job on the durable queue, enqueued in the submission's transaction, as
// JSON signed with HMAC-SHA256 (signature.go), retried with backoff;
// after a few failed tries the person's timeline says the transmission
// is delayed, and a job that can never succeed lands among the dead
// letters, where administrators resend it (`schalter jobs retry`, River
// UI). The office's side de-duplicates by case number (the request
// carries it as Idempotency-Key), so a retry after a lost answer makes
// no second case there.
//
// Inbound: the office's system calls Schalter with its API key, which
// reaches that office's cases and nothing else: it reads a case (logged
// as a disclosure in the person's transparency log), moves its status
// with a message, and delivers documents in two steps, announcing one
// (which gives it the id and verification link its QR code prints) and
// uploading the PDF, which Schalter signs with the office's key.
package connector

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/cases"
	"github.com/schalter-ch/schalter/internal/documents"
	"github.com/schalter-ch/schalter/internal/secretbox"
	"github.com/schalter-ch/schalter/internal/store"
	"github.com/schalter-ch/schalter/internal/transparency"
)

// Connector is an office's configured connector.
type Connector = store.Connector

// sealContext binds sealed connector secrets to their column.
var sealContext = []byte("connector-secret")

// APIKeyPrefix starts every office API key, so a leaked one is
// recognisable (secret scanners, logs).
const APIKeyPrefix = "sco_"

// Service runs the connectors.
type Service struct {
	st    *store.Store
	box   *secretbox.Box
	cases *cases.Service
	docs  *documents.Service
	// Client sends the deliveries and status polls: one shared client,
	// connections reused. Redirects are never followed (endpoint.go),
	// whatever its CheckRedirect.
	Client *http.Client
	// APIURL is where offices' systems call back (PUBLIC_URL/api/v1/connector).
	APIURL string
	// PollBatch is how many cases one status request asks about
	// (default PollBatch; tests use fewer).
	PollBatch int
}

// New returns the connectors service.
func New(st *store.Store, box *secretbox.Box, c *cases.Service, d *documents.Service, publicURL string) *Service {
	return &Service{st: st, box: box, cases: c, docs: d, Client: &http.Client{Timeout: 30 * time.Second, CheckRedirect: refuseRedirect},
		APIURL: strings.TrimRight(publicURL, "/") + "/api/v1/connector"}
}

// Credentials are what an office's system needs, shown once.
type Credentials struct {
	Office string
	KeyID  string
	Secret string // verifies Schalter's deliveries
	APIKey string // authenticates the office's calls
}

// Endpoints are where Schalter reaches an office's system.
type Endpoints struct {
	// Delivery receives each new case.
	Delivery string
	// Status, when set, is asked for the status of the office's cases
	// (poll.go): for systems that cannot call back.
	Status string
}

// Configure connects an office's system with new credentials (a new
// secret and API key each time: the old ones stop working).
func (s *Service) Configure(ctx context.Context, office string, e Endpoints) (Credentials, error) {
	return s.ConfigureEndpoints(ctx, office, e, random(32), APIKeyPrefix+random(32))
}

// ConfigureWith connects an office's delivery endpoint, without a status
// URL, with given credentials (the demo's simulated office and tests,
// whose secrets are fixed values).
func (s *Service) ConfigureWith(ctx context.Context, office, endpoint, secret, apiKey string) (Credentials, error) {
	return s.ConfigureEndpoints(ctx, office, Endpoints{Delivery: endpoint}, secret, apiKey)
}

// ConfigureEndpoints connects an office's system with given credentials.
func (s *Service) ConfigureEndpoints(ctx context.Context, office string, e Endpoints, secret, apiKey string) (Credentials, error) {
	if s.box == nil {
		return Credentials{}, apperr.New(apperr.Unavailable, "connectors need the server's secret key (SCHALTER_SECRET_KEY)")
	}
	var bad []apperr.FieldError
	if err := CheckEndpoint(e.Delivery); err != nil {
		bad = append(bad, apperr.FieldError{Path: "body.endpoint_url", Message: err.Error()})
	}
	if e.Status != "" {
		if err := CheckEndpoint(e.Status); err != nil {
			bad = append(bad, apperr.FieldError{Path: "body.status_url", Message: err.Error()})
		}
	}
	if len(bad) > 0 {
		return Credentials{}, apperr.InvalidFields("the office system's URLs are refused: https only (plain http to a loopback host), without user:pass@ or #fragment", bad...)
	}
	if !strings.HasPrefix(apiKey, APIKeyPrefix) || len(apiKey) < 24 || len(secret) < 16 {
		return Credentials{}, apperr.InvalidFields("weak credentials", apperr.FieldError{Path: "body", Message: "the secret needs 16 characters, the API key sco_ and 20 more"})
	}
	c := Credentials{Office: office, KeyID: office + "-" + time.Now().UTC().Format("20060102150405"), Secret: secret, APIKey: apiKey}
	err := s.st.PutConnector(ctx, store.Connector{Office: office, EndpointURL: e.Delivery, StatusURL: e.Status, KeyID: c.KeyID,
		SecretSealed: s.box.Seal([]byte(secret), sealContext), APIKeyHash: keyHash(apiKey)})
	return c, err
}

// Connectors lists the configured connectors, without secrets.
func (s *Service) Connectors(ctx context.Context) ([]store.Connector, error) {
	return s.st.Connectors(ctx)
}

func random(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func keyHash(key string) []byte {
	sum := sha256.Sum256([]byte(key))
	return sum[:]
}

// Office is the office an API key belongs to; Unauthorized for any other
// key, and Unavailable when the database cannot say.
func (s *Service) Office(ctx context.Context, apiKey string) (string, error) {
	if !strings.HasPrefix(apiKey, APIKeyPrefix) {
		return "", apperr.New(apperr.Unauthorized, "an office API key is required")
	}
	c, err := s.st.ConnectorByKey(ctx, keyHash(apiKey))
	if apperr.CodeOf(err) == apperr.NotFound {
		return "", apperr.New(apperr.Unauthorized, "unknown office API key")
	}
	return c.Office, err
}

// DeliverArgs is the job that delivers a case to its office.
type DeliverArgs struct {
	Case uuid.UUID `json:"case"`
}

// Kind names the job in River.
func (DeliverArgs) Kind() string { return "connector_deliver" }

// InsertOpts: River's backoff (attempt⁴ seconds) over 20 tries spans
// about two days, an office's long weekend outage included.
func (DeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 20, Queue: river.QueueDefault}
}

// DelayedAfter is the try after which the person is told the
// transmission is delayed (about a minute and a half of retries).
const DelayedAfter = 4

// Enqueue is cases.Service.OnSubmit: it enqueues the delivery of new
// cases (or of cases a payment released) in the transaction that made
// them, for those whose office has a connector; a bank file's thousands
// in two statements.
func (s *Service) Enqueue(ctx context.Context, q *store.Queries, cs ...store.Case) error {
	var offices []string
	for _, c := range cs {
		if !slices.Contains(offices, c.Office) {
			offices = append(offices, c.Office)
		}
	}
	// Offices without one work in the back office only.
	connected, err := q.OfficesWithConnector(ctx, offices)
	if err != nil {
		return err
	}
	var jobs []river.JobArgs
	for _, c := range cs {
		if slices.Contains(connected, c.Office) {
			jobs = append(jobs, DeliverArgs{Case: c.ID})
		}
	}
	return q.EnqueueMany(ctx, jobs)
}

// Delivery is what an office's endpoint receives.
type Delivery struct {
	Number      string          `json:"number"`
	Service     string          `json:"service"`
	FormVersion int             `json:"form_version"`
	Office      string          `json:"office"`
	Language    string          `json:"language"`
	Delivery    string          `json:"delivery"`
	SubmittedAt time.Time       `json:"submitted_at"`
	Data        json.RawMessage `json:"data"`
	// CallbackURL is where the office's system reports back.
	CallbackURL string `json:"callback_url"`
}

// Worker delivers cases to their offices.
type Worker struct {
	river.WorkerDefaults[DeliverArgs]
	Service *Service
	// DelayedAfter overrides the package's DelayedAfter (tests).
	DelayedAfter int
}

// Work implements river.Worker.
func (w *Worker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	s := w.Service
	c, err := s.st.CaseByID(ctx, job.Args.Case)
	if err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			return river.JobCancel(err)
		}
		return err
	}
	conn, err := s.st.OfficeConnector(ctx, c.Office)
	if err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			return river.JobCancel(err) // the connector was removed: the back office has the case
		}
		return err
	}
	secret, err := s.box.Open(conn.SecretSealed, sealContext)
	if err != nil {
		return river.JobCancel(fmt.Errorf("connector: opening the secret of %s: %w", c.Office, err))
	}
	sendErr := s.send(ctx, conn, secret, c)
	if sendErr == nil {
		return s.st.InTx(ctx, func(q *store.Queries) error {
			if err := cases.Note(ctx, q, c.ID, "connector:"+c.Office, "An das zuständige Amt übermittelt."); err != nil {
				return err
			}
			if err := q.HandOver(ctx, c.ID); err != nil {
				return err
			}
			return disclose(ctx, q, c)
		})
	}
	if errors.Is(sendErr, errPermanent) {
		return river.JobCancel(sendErr)
	}
	delayed := DelayedAfter
	if w.DelayedAfter > 0 {
		delayed = w.DelayedAfter
	}
	if job.Attempt == delayed {
		if err := s.st.InTx(ctx, func(q *store.Queries) error {
			return cases.Note(ctx, q, c.ID, "connector:"+c.Office, "Die Übermittlung an das Amt verzögert sich; wir versuchen es weiter. Ihr Antrag ist sicher gespeichert.")
		}); err != nil {
			return errors.Join(sendErr, err)
		}
	}
	return sendErr
}

// errPermanent marks an answer no retry changes (the office refused the
// request itself); the job goes to the dead letters for a person to look.
var errPermanent = errors.New("connector: the office refused the delivery")

func (s *Service) send(ctx context.Context, conn store.Connector, secret []byte, c store.Case) error {
	body, err := json.Marshal(Delivery{Number: c.Number, Service: c.Service, FormVersion: c.FormVersion, Office: c.Office, Language: c.Language,
		Delivery: c.Delivery, SubmittedAt: c.SubmittedAt.UTC(), Data: c.Data, CallbackURL: s.APIURL})
	if err != nil {
		return err
	}
	resp, err := s.post(ctx, conn, conn.EndpointURL, secret, body, http.Header{"Idempotency-Key": {c.Number}})
	if errors.Is(err, errNotCalled) {
		return fmt.Errorf("%w: %v", errPermanent, err)
	}
	if err != nil {
		return fmt.Errorf("connector: delivering %s to %s: %w", c.Number, c.Office, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode < 300, resp.StatusCode == http.StatusConflict: // 409: the office has it already
		return nil
	case isRedirect(resp):
		return fmt.Errorf("%w: %s for %s", errPermanent, redirectError(resp), c.Number)
	case retryable(resp):
		return fmt.Errorf("connector: %s answered %d for %s", c.Office, resp.StatusCode, c.Number)
	default:
		return fmt.Errorf("%w: %d for %s", errPermanent, resp.StatusCode, c.Number)
	}
}

// Case is case number for the office's system, logged as a disclosure to
// the office's system in the person's transparency log. The system has
// the case from now on, so a status poll asks about it.
func (s *Service) Case(ctx context.Context, office, number string) (*cases.Case, error) {
	c, err := s.cases.ForOffice(ctx, office, number)
	if err != nil {
		return nil, err
	}
	return c, s.st.InTx(ctx, func(q *store.Queries) error {
		if err := q.HandOver(ctx, c.ID); err != nil {
			return err
		}
		return disclose(ctx, q, c.Record)
	})
}

// disclose writes the case's handing to the office's system to the
// person's transparency log (nobody's once the account is deleted).
func disclose(ctx context.Context, q *store.Queries, c store.Case) error {
	if c.Account == nil {
		return nil
	}
	office := c.Office
	_, err := q.AppendAccess(ctx, store.AccessEntryNew{Subject: *c.Account, ActorKind: transparency.ActorConnector, Actor: "Fachanwendung " + office,
		Office: &office, Action: transparency.ActionDisclose, Data: []string{"Antrag " + c.Number},
		Purpose: "Bearbeitung Ihres Antrags im System des Amtes", LegalBasis: "Gesetzliche Aufgabe des zuständigen Amtes"})
	return err
}

// SetStatus moves a case of the office, as the office's system.
func (s *Service) SetStatus(ctx context.Context, office, number, status, message string) (*cases.Case, error) {
	var c *cases.Case
	err := s.st.InTx(ctx, func(q *store.Queries) error {
		var err error
		c, err = s.cases.MoveAsSystem(ctx, q, office, number, status, "Fachanwendung "+office, message)
		return err
	})
	return c, err
}

// Announcement is a document the office will upload.
type Announcement struct {
	ID        uuid.UUID
	VerifyURL string
}

// Announce reserves a document for a case of the office: its id and the
// verification link the PDF's QR code must print.
func (s *Service) Announce(ctx context.Context, office, number, kind, title, filename string) (Announcement, error) {
	c, err := s.cases.ForOffice(ctx, office, number)
	if err != nil {
		return Announcement{}, err
	}
	if c.Status == cases.Withdrawn || c.Status == cases.Rejected {
		return Announcement{}, apperr.New(apperr.Conflict, "the case is %s: no documents any more", c.Status)
	}
	id := uuid.New()
	err = s.st.AddReservation(ctx, store.Reservation{ID: id, Case: c.ID, Kind: kind, Title: title, Filename: filename})
	return Announcement{ID: id, VerifyURL: s.docs.VerifyURL(id)}, err
}

// Upload delivers the PDF of an announced document: Schalter signs it
// with the office's key and puts it into the person's account, once.
func (s *Service) Upload(ctx context.Context, office string, id uuid.UUID, body []byte) (documents.Document, error) {
	var d documents.Document
	err := s.st.InTx(ctx, func(q *store.Queries) error {
		r, err := q.TakeReservation(ctx, id)
		if err != nil {
			return err
		}
		c, err := q.CaseByID(ctx, r.Case)
		if err != nil {
			return err
		}
		if c.Office != office {
			return apperr.New(apperr.NotFound, "no such document announced, or it was uploaded already")
		}
		d, err = s.docs.IssueIn(ctx, q, documents.Issue{ID: id, Case: c, Kind: r.Kind, Title: r.Title, Filename: r.Filename,
			Render: func(uuid.UUID, string) ([]byte, error) { return body, nil }})
		if err != nil {
			return err
		}
		return cases.Note(ctx, q, c.ID, "connector:"+office, "Dokument bereit: "+r.Title)
	})
	return d, err
}
