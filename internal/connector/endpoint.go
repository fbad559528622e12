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
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
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

// do sends req with the shared client, never following a redirect, even
// when the client was replaced (tests) without CheckRedirect.
func (s *Service) do(req *http.Request) (*http.Response, error) {
	c := *s.Client
	c.CheckRedirect = refuseRedirect
	return c.Do(req)
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
