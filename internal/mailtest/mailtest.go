// Package mailtest starts Mailpit (pinned as a Go tool) for a test: a real
// SMTP server and its REST API to read what arrived. Nothing is mocked.
package mailtest

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/schalter-ch/schalter/internal/pgtest"
)

// Sink is a running Mailpit.
type Sink struct {
	SMTPAddr string
	api      string
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Start runs Mailpit until the test ends.
func Start(t testing.TB) *Sink {
	t.Helper()
	smtpPort, httpPort := freePort(t), freePort(t)
	s := &Sink{SMTPAddr: "127.0.0.1:" + strconv.Itoa(smtpPort), api: "http://127.0.0.1:" + strconv.Itoa(httpPort)}
	cmd := exec.Command("go", "tool", "mailpit", "--smtp", s.SMTPAddr, "--listen", "127.0.0.1:"+strconv.Itoa(httpPort),
		"--disable-version-check", "--quiet", "--smtp-auth-accept-any", "--smtp-auth-allow-insecure")
	cmd.Dir = pgtest.RepoRoot()
	// `go tool` starts mailpit as a child: give both a process group of
	// their own and end the group, so no mailpit outlives the test.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("mailtest: starting mailpit: %v", err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		_ = cmd.Wait()
	})
	deadline := time.Now().Add(60 * time.Second) // the first run builds the tool
	for {
		res, err := http.Get(s.api + "/api/v1/messages")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailtest: mailpit did not start: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Message is a received mail.
type Message struct {
	ID      string
	To      string
	Subject string
	Text    string
}

// Messages returns the received mails, newest first, with their text.
func (s *Sink) Messages(t testing.TB) []Message {
	t.Helper()
	var list struct {
		Messages []struct {
			ID      string `json:"ID"`
			Subject string `json:"Subject"`
			To      []struct {
				Address string `json:"Address"`
			} `json:"To"`
		} `json:"messages"`
	}
	s.get(t, "/api/v1/messages", &list)
	out := make([]Message, 0, len(list.Messages))
	for _, m := range list.Messages {
		var full struct {
			Text string `json:"Text"`
		}
		s.get(t, "/api/v1/message/"+m.ID, &full)
		to := ""
		if len(m.To) > 0 {
			to = m.To[0].Address
		}
		out = append(out, Message{ID: m.ID, To: to, Subject: m.Subject, Text: full.Text})
	}
	return out
}

func (s *Sink) get(t testing.TB, path string, v any) {
	t.Helper()
	res, err := http.Get(s.api + path)
	if err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("mailtest: %s: %s", path, res.Status)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatalf("mailtest: %v", fmt.Errorf("decoding %s: %w", path, err))
	}
}
