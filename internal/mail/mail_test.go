package mail_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/mail"
	"github.com/schalter-ch/schalter/internal/mailtest"
)

func TestSMTP(t *testing.T) {
	t.Parallel()
	sink := mailtest.Start(t)
	s := &mail.SMTP{Addr: sink.SMTPAddr, From: "Stadt Uster <noreply@uster.ch>"}
	err := s.Send(context.Background(), mail.Message{To: "anna@example.ch", Subject: "Grüezi und Willkommen", Text: "Zeile eins\nZeile zwei mit Umlauten: äöü"})
	require.NoError(t, err)
	msgs := sink.Messages(t)
	require.Len(t, msgs, 1)
	require.Equal(t, "anna@example.ch", msgs[0].To)
	require.Equal(t, "Grüezi und Willkommen", msgs[0].Subject)
	require.Contains(t, msgs[0].Text, "Zeile zwei mit Umlauten: äöü")

	require.Error(t, s.Send(context.Background(), mail.Message{To: "a@b.ch\r\nBcc: x@y.ch", Subject: "x", Text: "x"}), "header injection")
	require.ErrorIs(t, (&mail.SMTP{}).Send(context.Background(), mail.Message{To: "a@b.ch"}), mail.ErrNotConfigured)
	err = (&mail.SMTP{Addr: "127.0.0.1:1", From: "x@y.ch"}).Send(context.Background(), mail.Message{To: "a@b.ch", Subject: "x", Text: "x"})
	require.Error(t, err)
	require.True(t, strings.HasPrefix(err.Error(), "mail:"))
}
