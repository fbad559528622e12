// Package sms sends one-time codes to residents' phones. Sender is the
// interface the rest of Schalter uses; HTTP is the real implementation (a
// JSON POST to an SMS gateway) and DevSink the one of development and
// tests, which keeps messages on the machine: in memory, in the log and in
// SCHALTER_DATA_DIR/sms-outbox.jsonl, where `make run` users read codes.
package sms

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Sender delivers a text to a phone number in E.164 form (+41791234567).
type Sender interface {
	Send(ctx context.Context, to, text string) error
}

// HTTP delivers through an SMS gateway: one POST of
//
//	{"to": "+41791234567", "text": "…", "from": "Uster"}
//
// as JSON to URL with "Authorization: Bearer <Token>"; any 2xx answer means
// the gateway took the message. Neither the token nor the text (it holds the
// code) ever appears in an error, so callers may log errors as they are.
type HTTP struct {
	URL     string
	Token   string
	From    string        // sender name or number; omitted when empty (the gateway's default)
	Timeout time.Duration // per message; 10 s when zero
	Client  *http.Client  // one that follows no redirects when nil
}

// noRedirects treats a redirect as the gateway's answer (an error): a POST
// that is followed turns into a GET, and the token would go along.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

type gatewayMessage struct {
	To   string `json:"to"`
	Text string `json:"text"`
	From string `json:"from,omitempty"`
}

// ErrNotConfigured means no gateway URL is set.
var ErrNotConfigured = errors.New("sms: no gateway configured (SCHALTER_SMS_URL)")

// Send implements Sender.
func (h *HTTP) Send(ctx context.Context, to, text string) error {
	if h == nil || h.URL == "" {
		return ErrNotConfigured
	}
	body, err := json.Marshal(gatewayMessage{To: to, Text: text, From: h.From})
	if err != nil {
		return fmt.Errorf("sms: %w", err)
	}
	timeout := h.Timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("sms: bad gateway URL: %w", unwrapURL(err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "Schalter")
	if h.Token != "" {
		req.Header.Set("Authorization", "Bearer "+h.Token)
	}
	client := h.Client
	if client == nil {
		client = noRedirects
	}
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("sms: gateway %s: %w", req.URL.Host, unwrapURL(err))
	}
	defer res.Body.Close()
	// Drain a little so the connection can be reused; the body is not
	// quoted in errors because a gateway may echo the message (the code).
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("sms: gateway %s answered %s", req.URL.Host, res.Status)
	}
	return nil
}

// unwrapURL drops the *url.Error wrapper, whose text quotes the whole URL:
// some gateways take credentials in the query string.
func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// Message is one text the DevSink received.
type Message struct {
	To     string    `json:"to"`
	Text   string    `json:"text"`
	SentAt time.Time `json:"sent_at"`
}

// OutboxFile is the name of the DevSink's file in its directory.
const OutboxFile = "sms-outbox.jsonl"

// keep is how many messages the DevSink holds in memory.
const keep = 100

// DevSink is the Sender when no gateway is configured outside production:
// nothing leaves the machine. Each message is logged ("dev SMS sink") and
// appended as one JSON line to Dir/sms-outbox.jsonl (when Dir is set), so a
// developer can read the code; the newest ones are kept in memory too.
type DevSink struct {
	Log *slog.Logger
	Dir string

	mu   sync.Mutex
	last []Message
}

// Send implements Sender.
func (d *DevSink) Send(ctx context.Context, to, text string) error {
	m := Message{To: to, Text: text, SentAt: time.Now().UTC()}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.last = append(d.last, m)
	if len(d.last) > keep {
		d.last = d.last[len(d.last)-keep:]
	}
	if d.Log != nil {
		d.Log.InfoContext(ctx, "dev SMS sink: message not sent, kept locally", "to", to, "text", text)
	}
	if d.Dir == "" {
		return nil
	}
	line, err := json.Marshal(m)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(d.Dir, OutboxFile), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("sms: dev sink: %w", err)
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("sms: dev sink: %w", err)
	}
	return f.Close()
}

// Messages returns the newest messages, oldest first.
func (d *DevSink) Messages() []Message {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]Message(nil), d.last...)
}

// ReadOutbox reads the messages a DevSink wrote to dir, oldest first; no
// file means no messages.
func ReadOutbox(dir string) ([]Message, error) {
	f, err := os.Open(filepath.Join(dir, OutboxFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Message
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var m Message
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			return nil, fmt.Errorf("sms: %s: %w", OutboxFile, err)
		}
		out = append(out, m)
	}
	return out, sc.Err()
}
