// Package mail sends e-mail to residents. Sender is the interface the rest
// of Schalter uses; SMTP is the real implementation. In development `make
// run` points it at Mailpit, a local SMTP sink with a web inbox, so every
// mail can be read offline; tests use a real SMTP server in process.
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/smtp"
	"strings"
	"time"
)

// Message is a plain-text mail.
type Message struct {
	To      string
	Subject string
	Text    string
}

// Sender delivers messages.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// SMTP delivers through an SMTP server (STARTTLS when offered, AUTH PLAIN
// when a user is set).
type SMTP struct {
	Addr     string // host:port
	From     string // e.g. "Stadt Uster <noreply@uster.ch>"
	Username string
	Password string
	Timeout  time.Duration
}

// errRefused marks a message Schalter will not send as it is; retrying
// cannot help.
var errRefused = errors.New("mail: refused")

// ErrNotConfigured means no SMTP server is configured.
var ErrNotConfigured = errors.New("mail: no SMTP server configured (SCHALTER_SMTP_ADDR)")

// Send implements Sender.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	if s == nil || s.Addr == "" {
		return ErrNotConfigured
	}
	if strings.ContainsAny(m.To, "\r\n") || strings.ContainsAny(m.Subject, "\r\n") {
		return fmt.Errorf("%w: header injection", errRefused)
	}
	from, err := parseAddr(s.From)
	if err != nil {
		return err
	}
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	_ = conn.SetDeadline(time.Now().Add(timeout))
	host, _, _ := net.SplitHostPort(s.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("mail: %w", err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(tlsConfig(host)); err != nil {
			return fmt.Errorf("mail: starttls: %w", err)
		}
	}
	if s.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, host)); err != nil {
			return fmt.Errorf("mail: auth: %w", err)
		}
	}
	if err := c.Mail(from); err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	if err := c.Rcpt(m.To); err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	if _, err := w.Write(s.compose(m)); err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	return c.Quit()
}

func parseAddr(from string) (string, error) {
	if i := strings.LastIndex(from, "<"); i >= 0 && strings.HasSuffix(from, ">") {
		return from[i+1 : len(from)-1], nil
	}
	if strings.Contains(from, "@") {
		return from, nil
	}
	return "", fmt.Errorf("%w: bad sender %q", errRefused, from)
}

func (s *SMTP) compose(m Message) []byte {
	var id [12]byte
	_, _ = rand.Read(id[:])
	domain := "schalter.invalid"
	if addr, err := parseAddr(s.From); err == nil {
		domain = addr[strings.LastIndex(addr, "@")+1:]
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\n", s.From)
	fmt.Fprintf(&b, "To: %s\r\n", m.To)
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", m.Subject))
	fmt.Fprintf(&b, "Date: %s\r\n", time.Now().Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%s@%s>\r\n", hex.EncodeToString(id[:]), domain)
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	qp := quotedprintable.NewWriter(&b)
	_, _ = qp.Write([]byte(strings.ReplaceAll(m.Text, "\n", "\r\n")))
	_ = qp.Close()
	return b.Bytes()
}
