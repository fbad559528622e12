package attachments_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/attachments"
	"github.com/schalter-ch/schalter/internal/cases"
	"github.com/schalter-ch/schalter/internal/drafts"
	"github.com/schalter-ch/schalter/internal/forms"
	"github.com/schalter-ch/schalter/internal/guest"
	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/internal/store"
)

func pngBytes(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 4, 4))))
	return b.Bytes()
}

func TestSniff(t *testing.T) {
	t.Parallel()
	heic := append([]byte{0, 0, 0, 0x18}, []byte("ftypheic\x00\x00\x00\x00mif1heic")...)
	for _, tc := range []struct {
		name string
		body []byte
		want string
	}{
		{"PNG", pngBytes(t), "image/png"},
		{"JPEG", append([]byte{0xff, 0xd8, 0xff, 0xe0}, make([]byte, 16)...), "image/jpeg"},
		{"WebP", append([]byte("RIFF\x00\x00\x00\x00WEBPVP8 "), make([]byte, 8)...), "image/webp"},
		{"HEIC from an iPhone", heic, "image/heic"},
		{"PDF", []byte("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"), "application/pdf"},
		{"a truncated PDF", []byte("%PDF-1.7\n1 0 obj"), ""},
		{"HTML called foto.jpg", []byte("<!doctype html><script>alert(document.cookie)</script>"), ""},
		{"SVG (scripts inside)", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), ""},
		{"a Windows program", append([]byte("MZ"), make([]byte, 64)...), ""},
		{"text", []byte("just text"), ""},
	} {
		require.Equal(t, tc.want, attachments.Sniff(tc.body), tc.name)
	}
}

type bundle struct {
	st    *store.Store
	svc   *attachments.Service
	forms *forms.Service
	d     *drafts.Service
	cases *cases.Service
}

func setup(t *testing.T) *bundle {
	t.Helper()
	st := pgtest.Store(t, pgtest.Options{Seed: true})
	f := forms.New(st, account.ProfileFields)
	d := drafts.New(st, f)
	return &bundle{st: st, svc: attachments.New(st, attachments.PGBlobs{}), forms: f, d: d, cases: cases.New(st, f, "UST")}
}

func (b *bundle) account(t *testing.T, email string, roles ...store.Role) uuid.UUID {
	t.Helper()
	acc, err := b.st.CreateAccount(context.Background(), email, email, "", nil, roles...)
	require.NoError(t, err)
	return acc.ID
}

// TestUploadAndSubmit: a guest photographs a broken street light, logs
// in, submits; the office sees the photo, with a log entry; nobody else
// does.
func TestUploadAndSubmit(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	gid := guest.New()
	g := drafts.Guest(gid)
	photo := pngBytes(t)

	a, err := b.svc.Upload(ctx, g, `C:\Users\tamara\Bilder\Lampe kaputt!.png`, photo)
	require.NoError(t, err)
	require.Regexp(t, `^att_[A-Za-z0-9_-]{22}$`, a.ID)
	require.Equal(t, "image/png", a.ContentType)
	require.Equal(t, "Lampe_kaputt.png", a.Filename)
	for name, body := range map[string][]byte{"empty": {}, "HTML": []byte("<html><script>x</script>"), "too large": append(photo, make([]byte, attachments.MaxBytes)...)} {
		_, err := b.svc.Upload(ctx, g, "x.png", body)
		require.Equal(t, apperr.Invalid, apperr.CodeOf(err), name)
	}
	_, got, err := b.svc.Download(ctx, g, a.ID)
	require.NoError(t, err)
	require.Equal(t, photo, got)
	_, _, err = b.svc.Download(ctx, drafts.Guest(guest.New()), a.ID)
	require.Equal(t, apperr.NotFound, apperr.CodeOf(err), "another guest")

	tamara := b.account(t, "tamara@files.example")
	n, err := b.svc.AdoptGuest(ctx, gid, tamara)
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
	_, _, err = b.svc.Download(ctx, drafts.Account(tamara), a.ID)
	require.NoError(t, err, "the file moved with the login")

	report := func(photos ...string) (*cases.Case, error) {
		data, _ := json.Marshal(map[string]any{"kind": "street_light", "description": "Die Lampe vor Haus 12 ist dunkel.",
			"position": map[string]float64{"lat": 47.35, "lon": 8.72}, "anonymous": true, "photos": photos})
		dr, err := b.d.Create(ctx, drafts.Account(tamara), "schaden-strasse-beleuchtung-melden", data, "")
		require.NoError(t, err)
		return b.cases.Submit(ctx, cases.Submission{Account: tamara, Email: "tamara@files.example", Level: account.LevelAccount, Draft: dr.ID, Language: "de"})
	}
	bruno := b.account(t, "bruno@files.example")
	theirs, err := b.svc.Upload(ctx, drafts.Account(bruno), "b.png", photo)
	require.NoError(t, err)
	_, err = report(theirs.ID)
	require.Equal(t, apperr.Invalid, apperr.CodeOf(err), "someone else's file")
	e, _ := apperr.As(err)
	require.Equal(t, "body.data.photos", e.Fields[0].Path)

	c, err := report(a.ID)
	require.NoError(t, err)
	_, err = report(a.ID)
	require.Equal(t, apperr.Invalid, apperr.CodeOf(err), "a file belongs to one case")

	works := b.account(t, "tiefbau@files.example", store.Role{Role: account.RoleStaff, Office: "tiefbau"})
	tax := b.account(t, "steuern@files.example", store.Role{Role: account.RoleStaff, Office: "steueramt"})
	_, _, err = b.svc.StaffDownload(ctx, tax, a.ID)
	require.Equal(t, apperr.NotFound, apperr.CodeOf(err))
	_, _, err = b.svc.StaffDownload(ctx, bruno, a.ID)
	require.Equal(t, apperr.Forbidden, apperr.CodeOf(err))
	_, got, err = b.svc.StaffDownload(ctx, works, a.ID)
	require.NoError(t, err)
	require.Equal(t, photo, got)
	var logged int
	require.NoError(t, b.st.Pool().QueryRow(ctx, "SELECT count(*) FROM transparency_log WHERE subject = $1 AND $2 = ANY(data)", tamara,
		"Anhang Lampe_kaputt.png zu Antrag "+c.Number).Scan(&logged))
	require.Equal(t, 1, logged)

	// Files no submission took go with the drafts' retention; the case's stay.
	_, err = b.st.Pool().Exec(ctx, "UPDATE attachment SET created_at = now() - interval '31 days'")
	require.NoError(t, err)
	pruned, err := b.svc.Prune(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 1, pruned, "Bruno's loose file")
	_, _, err = b.svc.StaffDownload(ctx, works, a.ID)
	require.NoError(t, err)
}
