// Package meili is the Meilisearch implementation of search.Engine, used
// when SCHALTER_MEILI_URL is set.
//
// Every published service is one Meilisearch document (primary key slug)
// with per-language fields (title_de, keywords_fr, …) and copies of them
// folded by search.Fold (title_de_folded, …), because Meilisearch folds
// "ä" to "a" but does not know that Swiss residents also write "ae". Queries
// are folded the same way and searched on both the raw and the folded fields
// of their language.
//
// Every write is an asynchronous Meilisearch task: the adapter waits for it
// (polling with backoff, bounded by the context and WithTaskTimeout) and
// turns a failed task into an error carrying Meilisearch's code and message.
//
// It needs Meilisearch 1.15 or newer: the client sends
// typoTolerance.disableOnNumbers (new in 1.15), and earlier versions
// reported the length of a match position in characters instead of bytes
// (meilisearch/meilisearch#5429), which would shift highlights after an
// umlaut.
package meili

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"github.com/schalter-ch/schalter/search"
)

// DefaultIndex is the index the engine uses unless WithIndex says otherwise.
const DefaultIndex = "schalter-services"

const (
	primaryKey     = "slug"
	defaultTimeout = 10 * time.Second
	// defaultTaskTimeout bounds the wait for one task when the caller's
	// context has no earlier deadline. Indexing the whole catalogue of a
	// city takes well under a second.
	defaultTaskTimeout = 2 * time.Minute
	// Task polling starts fast (a small settings or document task is done
	// in milliseconds) and backs off to pollMax.
	defaultPollMin = 10 * time.Millisecond
	defaultPollMax = time.Second
)

// Engine is a search.Engine on one Meilisearch index. It is safe for
// concurrent use.
type Engine struct {
	ms          meilisearch.ServiceManager
	index       string
	taskTimeout time.Duration
	pollMin     time.Duration
	pollMax     time.Duration
}

var _ search.Engine = (*Engine)(nil)

type config struct {
	index       string
	client      *http.Client
	timeout     time.Duration
	taskTimeout time.Duration
}

// Option configures New.
type Option func(*config)

// WithIndex sets the index name (default DefaultIndex): 1 to 400
// characters among a-z, A-Z, 0-9, "-" and "_".
func WithIndex(name string) Option { return func(c *config) { c.index = name } }

// WithHTTPClient replaces the HTTP client; WithTimeout is then ignored and
// the client's own timeouts apply.
func WithHTTPClient(client *http.Client) Option { return func(c *config) { c.client = client } }

// WithTimeout bounds every HTTP request of the default client (default
// 10 s). A request that times out counts as search.ErrUnavailable.
func WithTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// WithTaskTimeout bounds the wait for one asynchronous task (default 2 min)
// when the caller's context has no earlier deadline. The task goes on in
// Meilisearch after the wait is given up.
func WithTaskTimeout(d time.Duration) Option { return func(c *config) { c.taskTimeout = d } }

var indexUID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,400}$`)

// New returns an engine talking to the Meilisearch server at rawURL
// (e.g. "http://localhost:7700") with the API key key (empty for a server
// without a master key). It does not contact the server; Health does.
func New(rawURL, key string, opts ...Option) (*Engine, error) {
	cfg := config{index: DefaultIndex, timeout: defaultTimeout, taskTimeout: defaultTaskTimeout}
	for _, o := range opts {
		o(&cfg)
	}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("meilisearch: URL %q: want http(s)://host[:port]", rawURL)
	}
	if !indexUID.MatchString(cfg.index) {
		return nil, fmt.Errorf("meilisearch: index name %q: want 1 to 400 of a-z A-Z 0-9 - _", cfg.index)
	}
	client := cfg.client
	if client == nil {
		client = newHTTPClient(cfg.timeout)
	}
	msOpts := []meilisearch.Option{
		meilisearch.WithCustomClient(client),
		// The library's retries sleep 1 s, 2 s, 3 s on 502/503/504: too slow
		// for search as you type. An unavailable engine is reported at once
		// (the API answers 503 with Retry-After).
		meilisearch.DisableRetries(),
	}
	if key != "" {
		msOpts = append(msOpts, meilisearch.WithAPIKey(key))
	}
	return &Engine{
		ms:          meilisearch.New(strings.TrimRight(u.String(), "/"), msOpts...),
		index:       cfg.index,
		taskTimeout: cfg.taskTimeout,
		pollMin:     defaultPollMin,
		pollMax:     defaultPollMax,
	}, nil
}

func newHTTPClient(timeout time.Duration) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: 3 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = 5 * time.Second
	t.ResponseHeaderTimeout = timeout
	t.MaxIdleConnsPerHost = 32
	return &http.Client{Transport: t, Timeout: timeout}
}

// Name implements search.Engine.
func (e *Engine) Name() string { return "meilisearch" }

// IndexName returns the name of the engine's Meilisearch index.
func (e *Engine) IndexName() string { return e.index }

// Health implements search.Engine: GET /health must answer "available".
func (e *Engine) Health(ctx context.Context) error {
	h, err := e.ms.HealthWithContext(ctx)
	if err != nil {
		return e.fail("health", err)
	}
	if h.Status != "available" {
		return fmt.Errorf("meilisearch: health: status %q: %w", h.Status, search.ErrUnavailable)
	}
	return nil
}

// Close implements search.Engine; it closes idle connections.
func (e *Engine) Close() error {
	e.ms.Close()
	return nil
}

// DeleteIndex deletes the engine's index with its documents and settings
// (tests and operators use it; Schalter itself never does). A missing
// index is no error.
func (e *Engine) DeleteIndex(ctx context.Context) error {
	info, err := e.ms.DeleteIndexWithContext(ctx, e.index)
	if err == nil {
		err = e.wait(ctx, "delete index", info)
	} else {
		err = e.fail("delete index", err)
	}
	if isCode(err, codeIndexNotFound) {
		return nil
	}
	return err
}

// APIError is an error reported by Meilisearch: an error response, or the
// error of a failed task (Status 0). Errors of the engine wrap it; those
// that mean Meilisearch cannot serve now (5xx, 429, internal and system
// errors) also wrap search.ErrUnavailable.
type APIError struct {
	Status  int    // HTTP status; 0 for a failed task
	Code    string // e.g. "invalid_search_filter"
	Type    string // invalid_request, auth, internal or system
	Message string
}

func (e *APIError) Error() string {
	code := e.Code
	if code == "" {
		code = "no code"
	}
	if e.Status != 0 {
		return fmt.Sprintf("%s (%s, HTTP %d)", e.Message, code, e.Status)
	}
	return fmt.Sprintf("%s (%s)", e.Message, code)
}

func (e *APIError) unavailable() bool {
	return e.Status >= 500 || e.Status == http.StatusTooManyRequests || e.Type == "internal" || e.Type == "system"
}

const (
	codeIndexNotFound      = "index_not_found"
	codeIndexAlreadyExists = "index_already_exists"
)

// isCode tells whether err carries a Meilisearch error with that code.
func isCode(err error, code string) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Code == code
}

// fail turns an error of the meilisearch-go client into the engine's error
// for the operation op: network errors, timeouts, 5xx and 429 wrap
// search.ErrUnavailable; other error responses wrap an *APIError.
func (e *Engine) fail(op string, err error) error {
	var me *meilisearch.Error
	if !errors.As(err, &me) {
		return fmt.Errorf("meilisearch: %s: %w", op, err)
	}
	switch me.ErrCode {
	case meilisearch.MeilisearchCommunicationError, meilisearch.MeilisearchTimeoutError, meilisearch.MeilisearchMaxRetriesExceeded:
		cause := me.OriginError
		if cause == nil {
			cause = errors.New("no answer")
		}
		if errors.Is(cause, context.Canceled) {
			// The caller gave up; Meilisearch may well be fine.
			return fmt.Errorf("meilisearch: %s: %w", op, cause)
		}
		return fmt.Errorf("meilisearch: %s: %w: %w", op, search.ErrUnavailable, cause)
	case meilisearch.MeilisearchApiError, meilisearch.MeilisearchApiErrorWithoutMessage:
		ae := &APIError{
			Status:  me.StatusCode,
			Code:    me.MeilisearchApiError.Code,
			Type:    me.MeilisearchApiError.Type,
			Message: me.MeilisearchApiError.Message,
		}
		if ae.Code == "" {
			// Not Meilisearch's JSON error (a proxy's page, an empty body).
			ae.Message = strings.TrimSpace(me.ResponseToString)
			if len(ae.Message) > 200 {
				ae.Message = ae.Message[:200] + "…"
			}
			if ae.Message == "" || ae.Message == "empty response" {
				ae.Message = http.StatusText(me.StatusCode)
			}
		}
		if ae.unavailable() {
			return fmt.Errorf("meilisearch: %s: %w: %w", op, search.ErrUnavailable, ae)
		}
		return fmt.Errorf("meilisearch: %s: %w", op, ae)
	default:
		return fmt.Errorf("meilisearch: %s: %w", op, err)
	}
}

// wait polls the task until it is done, with backoff from pollMin to
// pollMax, and returns its failure as an error.
func (e *Engine) wait(ctx context.Context, op string, info *meilisearch.TaskInfo) error {
	if e.taskTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, e.taskTimeout)
		defer cancel()
	}
	delay := e.pollMin
	for {
		task, err := e.ms.GetTaskWithContext(ctx, info.TaskUID)
		if err != nil {
			return e.fail(op+": task status", err)
		}
		switch task.Status {
		case meilisearch.TaskStatusSucceeded:
			return nil
		case meilisearch.TaskStatusFailed, meilisearch.TaskStatusCanceled:
			ae := &APIError{Code: task.Error.Code, Type: task.Error.Type, Message: task.Error.Message}
			if ae.Message == "" {
				ae.Message = "task " + string(task.Status)
			}
			if ae.unavailable() {
				return fmt.Errorf("meilisearch: %s: task %d %s: %w: %w", op, info.TaskUID, task.Status, search.ErrUnavailable, ae)
			}
			return fmt.Errorf("meilisearch: %s: task %d %s: %w", op, info.TaskUID, task.Status, ae)
		}
		timer := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			timer.Stop()
			if errors.Is(ctx.Err(), context.Canceled) {
				return fmt.Errorf("meilisearch: %s: task %d still %s: %w", op, info.TaskUID, task.Status, ctx.Err())
			}
			return fmt.Errorf("meilisearch: %s: task %d still %s: %w: %w", op, info.TaskUID, task.Status, search.ErrUnavailable, ctx.Err())
		case <-timer.C:
		}
		delay = min(2*delay, e.pollMax)
	}
}
