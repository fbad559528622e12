package api_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkGetService measures one service read through the whole handler
// stack (middleware, huma, snapshot, JSON, gzip) without the network.
func BenchmarkGetService(b *testing.B) {
	tb := setup(&testing.T{}, true)
	h := tb.srv.Config.Handler
	req := httptest.NewRequest(http.MethodGet, "/api/v1/services/hund-anmelden", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}
