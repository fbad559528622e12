package sms_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/sms"
)

const (
	token = "gateway-token-0123456789"
	text  = "Ihr Code für Schalter Uster: 482913. Gültig 5 Minuten. Niemandem weitergeben."
)

// gateway is a real HTTP server standing in for an SMS gateway: it records
// what it got and answers with the status it is told to.
type gateway struct {
	srv    *httptest.Server
	status int
	delay  time.Duration

	mu     sync.Mutex
	got    []http.Header
	paths  []string
	bodies []map[string]any
}

func (g *gateway) requests() ([]http.Header, []string, []map[string]any) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.got, g.paths, g.bodies
}

func newGateway(t *testing.T) *gateway {
	g := &gateway{status: http.StatusAccepted}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		g.mu.Lock()
		g.got, g.paths, g.bodies = append(g.got, r.Header.Clone()), append(g.paths, r.Method+" "+r.URL.Path), append(g.bodies, body)
		g.mu.Unlock()
		select {
		case <-time.After(g.delay):
		case <-r.Context().Done():
			return
		}
		if g.status/100 == 3 {
			w.Header().Set("Location", "/elsewhere")
		}
		w.WriteHeader(g.status)
		// A gateway that echoes the message must not get the code into errors.
		_, _ = w.Write([]byte(`{"error":"rejected","message":` + mustQuote(body["text"]) + `}`))
	}))
	t.Cleanup(g.srv.Close)
	return g
}

func mustQuote(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestHTTP(t *testing.T) {
	t.Parallel()
	t.Run("delivers JSON with the bearer token", func(t *testing.T) {
		t.Parallel()
		g := newGateway(t)
		s := &sms.HTTP{URL: g.srv.URL + "/v1/messages", Token: token, From: "Uster"}
		require.NoError(t, s.Send(context.Background(), "+41791234567", text))
		headers, paths, bodies := g.requests()
		require.Equal(t, []string{"POST /v1/messages"}, paths)
		require.Equal(t, "Bearer "+token, headers[0].Get("Authorization"))
		require.Equal(t, "application/json", headers[0].Get("Content-Type"))
		require.Equal(t, map[string]any{"to": "+41791234567", "text": text, "from": "Uster"}, bodies[0])
	})

	t.Run("no sender: the gateway's default", func(t *testing.T) {
		t.Parallel()
		g := newGateway(t)
		require.NoError(t, (&sms.HTTP{URL: g.srv.URL, Token: token}).Send(context.Background(), "+41791234567", text))
		_, _, bodies := g.requests()
		require.NotContains(t, bodies[0], "from")
	})

	for _, status := range []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway, http.StatusMovedPermanently} {
		t.Run("status "+http.StatusText(status), func(t *testing.T) {
			t.Parallel()
			g := newGateway(t)
			g.status = status
			err := (&sms.HTTP{URL: g.srv.URL, Token: token}).Send(context.Background(), "+41791234567", text)
			require.Error(t, err)
			require.Contains(t, err.Error(), http.StatusText(status))
			require.NotContains(t, err.Error(), "482913", "the code never appears in errors")
			require.NotContains(t, err.Error(), token)
			_, paths, _ := g.requests()
			require.Len(t, paths, 1, "no redirect is followed")
		})
	}

	t.Run("timeout", func(t *testing.T) {
		t.Parallel()
		g := newGateway(t)
		g.delay = 2 * time.Second
		start := time.Now()
		err := (&sms.HTTP{URL: g.srv.URL + "/?api_key=" + token, Token: token, Timeout: 100 * time.Millisecond}).Send(context.Background(), "+41791234567", text)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.Less(t, time.Since(start), time.Second)
		require.NotContains(t, err.Error(), token, "the URL (with a key in its query) is not quoted")
	})

	t.Run("unreachable or unset", func(t *testing.T) {
		t.Parallel()
		err := (&sms.HTTP{URL: "http://127.0.0.1:1/send", Token: token}).Send(context.Background(), "+41791234567", text)
		require.Error(t, err)
		require.True(t, strings.HasPrefix(err.Error(), "sms:"))
		require.ErrorIs(t, (&sms.HTTP{}).Send(context.Background(), "+41791234567", text), sms.ErrNotConfigured)
	})
}

func TestDevSink(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var logs bytes.Buffer
	d := &sms.DevSink{Log: slog.New(slog.NewTextHandler(&logs, nil)), Dir: dir}
	none, err := sms.ReadOutbox(dir)
	require.NoError(t, err)
	require.Empty(t, none)

	require.NoError(t, d.Send(context.Background(), "+41791234567", text))
	require.NoError(t, d.Send(context.Background(), "+41781112233", "zweite"))
	got, err := sms.ReadOutbox(dir)
	require.NoError(t, err)
	require.Len(t, got, 2)
	require.Equal(t, "+41791234567", got[0].To)
	require.Equal(t, text, got[0].Text)
	require.Equal(t, "zweite", got[1].Text)
	require.Equal(t, got, d.Messages())
	require.Contains(t, logs.String(), "dev SMS sink")
	require.Contains(t, logs.String(), "482913", "developers read codes in the log")

	mem := &sms.DevSink{}
	for i := range 150 {
		require.NoError(t, mem.Send(context.Background(), "+41791234567", strings.Repeat("x", i)))
	}
	require.Len(t, mem.Messages(), 100, "memory is bounded")
	require.Len(t, mem.Messages()[99].Text, 149, "the newest stay")
}
