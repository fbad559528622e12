package connector

// The rules for the URLs Schalter calls (an office's delivery endpoint and
// status URL) and for how it calls them. A delivery carries a person's
// submitted data and both requests are signed, so they go over TLS, to the
// URL the administrator configured and nowhere else:
//
//   - https, or plain http to a loopback host only (127.0.0.0/8, ::1,
//     localhost: development and the simulated office);
//   - no user name or password in the URL (the office knows Schalter by
//     its signature, and credentials in a URL end up in logs);
//   - no fragment (never sent, so it only misleads);
//   - redirects are not followed: a 3xx answer is a refusal, since
//     following it would re-send the signed request wherever the office's
//     system points.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/schalter-ch/schalter/internal/store"
)

// CheckEndpoint says why raw is not a URL Schalter calls, or nil when it
// is (the rules above). The error's text is for the administrator.
func CheckEndpoint(raw string) error {
	if strings.Contains(raw, "#") {
		return errors.New("must not have a fragment (#…)")
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Opaque != "" || u.Hostname() == "" {
		return errors.New("must be an absolute https URL, such as https://fachanwendung.example.ch/schalter/cases")
	}
	if u.User != nil {
		return errors.New("must not contain a user name or password (user:pass@): the office's system verifies Schalter's signature instead")
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("must use https: plain http is allowed only to a loopback host (127.0.0.1, ::1, localhost), not to %s", u.Hostname())
	default:
		return fmt.Errorf("must be an https URL, not %s", u.Scheme)
	}
}

// isLoopback is true for localhost and the loopback addresses
// (127.0.0.0/8, ::1), which never leave the machine.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// refuseRedirect is the connector client's CheckRedirect: the 3xx answer
// itself is returned, and refused by the caller (redirectError).
func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// errNotCalled marks a request not sent because its URL breaks the rules
// above (configured before them) or makes no request: no retry helps,
// the administrator configures the URL anew.
var errNotCalled = errors.New("connector: not called")

// post sends body as JSON to rawURL of conn's office, signed with secret
// (Schalter-Signature over time and body, with the key id), with the extra
// headers, never following a redirect. A URL the rules refuse is an error
// wrapping errNotCalled; a network failure is returned as it is.
func (s *Service) post(ctx context.Context, conn store.Connector, rawURL string, secret, body []byte, extra http.Header) (*http.Response, error) {
	if err := CheckEndpoint(rawURL); err != nil {
		return nil, fmt.Errorf("%w: the URL of %s %v", errNotCalled, conn.Office, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errNotCalled, err)
	}
	for k, v := range extra {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(KeyIDHeader, conn.KeyID)
	req.Header.Set(SignatureHeader, Sign(secret, time.Now(), body))
	return s.do(req)
}

// do sends req with the shared client, never following a redirect, even
// when the client was replaced (tests) without CheckRedirect.
func (s *Service) do(req *http.Request) (*http.Response, error) {
	c := *s.Client
	c.CheckRedirect = refuseRedirect
	return c.Do(req)
}

// retryable is true for answers that say "not now": a timeout, too many
// requests, a server error. Anything else but success is a refusal.
func retryable(resp *http.Response) bool {
	return resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500
}

// isRedirect is true for an answer that points elsewhere (304 included:
// Schalter never asks conditionally, so it is no answer either).
func isRedirect(resp *http.Response) bool { return resp.StatusCode >= 300 && resp.StatusCode < 400 }

// redirectError describes a 3xx answer for the job's error and the log.
func redirectError(resp *http.Response) string {
	to := "without a Location"
	if loc := resp.Header.Get("Location"); loc != "" {
		if len(loc) > 200 {
			loc = loc[:200] + "…"
		}
		to = fmt.Sprintf("to %q", loc)
	}
	return fmt.Sprintf("the office's system answered %d, a redirect %s; Schalter does not follow redirects: configure the URL that answers itself", resp.StatusCode, to)
}
