package api_test

import (
	"bytes"
	"image"
	"image/png"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestAttachments: the upload is judged by its content, not the type the
// browser claims; the file comes back only to its owner, as an
// attachment no browser runs.
func TestAttachments(t *testing.T) {
	t.Parallel()
	b := setup(t, true)
	var photo bytes.Buffer
	require.NoError(t, png.Encode(&photo, image.NewRGBA(image.Rect(0, 0, 2, 2))))
	up := func(h map[string]string, contentType string, body []byte) resp {
		return b.do(t, req{method: http.MethodPost, path: "/api/v1/attachments?filename=lampe.jpg", header: with(h, "Content-Type", contentType), body: string(body)})
	}
	requireProblem(t, up(nil, "image/jpeg", []byte("<html><script>alert(1)</script></html>")), http.StatusUnprocessableEntity, "body")
	ok := up(nil, "image/jpeg", photo.Bytes())
	require.Equal(t, http.StatusCreated, ok.status, string(ok.body))
	g := guestOf(t, ok)
	a := ok.json(t)
	require.Equal(t, "image/png", a["content_type"], "what the content is, not what was claimed")
	require.Equal(t, "lampe.jpg", a["filename"])

	path := "/api/v1/attachments/" + a["id"].(string)
	got := b.do(t, req{path: path, header: g})
	require.Equal(t, http.StatusOK, got.status)
	require.Equal(t, "image/png", got.header.Get("Content-Type"))
	require.Equal(t, `attachment; filename="lampe.jpg"`, got.header.Get("Content-Disposition"))
	require.Equal(t, "nosniff", got.header.Get("X-Content-Type-Options"))
	require.Contains(t, got.header.Get("Content-Security-Policy"), "sandbox")
	require.Equal(t, photo.Bytes(), got.body)
	requireProblem(t, b.do(t, req{path: path}), http.StatusNotFound)
	requireProblem(t, b.do(t, req{path: path, header: loginAs(t, b, "bruno@example.ch")}), http.StatusNotFound)
	requireProblem(t, b.do(t, req{path: "/api/v1/attachments/not-an-id", header: g}), http.StatusUnprocessableEntity)
}
