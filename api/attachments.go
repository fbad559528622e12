package api

import (
	"context"
	"encoding/hex"
	"net/http"
	"strconv"

	"github.com/danielgtaylor/huma/v2"

	"github.com/schalter-ch/schalter/internal/attachments"
)

// Attachments (internal/attachments): files for a form's file fields,
// uploaded on their own and named in the draft by their id. Owned like
// drafts (session account, else guest cookie).

// AttachmentInput addresses an attachment.
type AttachmentInput struct {
	GuestInput
	ID string `path:"id" pattern:"^att_[A-Za-z0-9_-]{22}$" example:"att_3q2-7wAAAAAAAAAAAAAAAA"`
}

// UploadAttachmentInput is a file.
type UploadAttachmentInput struct {
	GuestInput
	Filename string `query:"filename" maxLength:"255" doc:"The file's name on the person's device, kept for display (cleaned)." example:"strassenlampe.jpg"`
	RawBody  []byte
}

// AttachmentOut is a stored file.
type AttachmentOut struct {
	ID          string `json:"id" example:"att_3q2-7wAAAAAAAAAAAAAAAA" doc:"Put it into the form's file field."`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type" enum:"image/jpeg,image/png,image/webp,image/heic,application/pdf" doc:"As found in the content, whatever the name or the upload claimed."`
	Size        int    `json:"size"`
	SHA256      string `json:"sha256"`
}

// AttachmentWritten answers an upload, maybe with a new guest cookie.
type AttachmentWritten struct {
	SetCookie http.Cookie `header:"Set-Cookie"`
	Body      AttachmentOut
}

// attachmentFile serves a file so that no browser runs it: as an
// attachment, with its sniffed type, nosniff (set for every answer) and
// a sandbox policy.
type attachmentFile struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	ContentSecurity    string `header:"Content-Security-Policy"`
	CacheControl       string `header:"Cache-Control"`
	Body               []byte
}

func attachmentOut(a attachments.Attachment) AttachmentOut {
	return AttachmentOut{ID: a.ID, Filename: a.Filename, ContentType: a.ContentType, Size: a.Size, SHA256: hex.EncodeToString(a.SHA256)}
}

func serveAttachment(a attachments.Attachment, body []byte) *attachmentFile {
	return &attachmentFile{a.ContentType, `attachment; filename="` + a.Filename + `"`, "sandbox; default-src 'none'", "private, no-store", body}
}

func (s *Server) registerAttachments(api huma.API) {
	fileBody := &huma.Schema{Type: "string", Format: "binary"}
	files := map[string]*huma.MediaType{}
	for _, t := range []string{"image/jpeg", "image/png", "image/webp", "image/heic", "application/pdf"} {
		files[t] = &huma.MediaType{Schema: fileBody}
	}
	huma.Register(api, huma.Operation{
		OperationID: "uploadAttachment", Security: guestSecurity, Method: http.MethodPost, Path: "/api/v1/attachments", Tags: []string{tagDrafts},
		Summary: "Attach a file",
		Description: "A photo (JPEG, PNG, WebP, HEIC) or a PDF of at most " + strconv.Itoa(attachments.MaxBytes>>20) + " MiB, checked by its content. " +
			"Answers with the id to put into the form's file field. Owned like drafts; kept until a submission takes it or the drafts' retention ends.",
		DefaultStatus: http.StatusCreated,
		MaxBodyBytes:  attachments.MaxBytes,
		RequestBody:   &huma.RequestBody{Required: true, Content: files},
		Errors:        []int{http.StatusForbidden, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}, func(ctx context.Context, in *UploadAttachmentInput) (*AttachmentWritten, error) {
		out := &AttachmentWritten{}
		owner := s.draftWriterCookie(ctx, in.GuestInput, &out.SetCookie)
		a, err := s.attachments.Upload(ctx, owner, in.Filename, in.RawBody)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out.Body = attachmentOut(a)
		return out, nil
	})

	fileResponse := map[string]*huma.Response{"200": {Description: "The file", Content: files}}
	huma.Register(api, huma.Operation{
		OperationID: "downloadAttachment", Security: guestSecurity, Method: http.MethodGet, Path: "/api/v1/attachments/{id}", Tags: []string{tagDrafts},
		Summary: "Download one of my attachments", Description: "As an attachment with its checked type; anyone else's is 404.",
		Responses: fileResponse, Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}, func(ctx context.Context, in *AttachmentInput) (*attachmentFile, error) {
		a, body, err := s.attachments.Download(ctx, s.draftOwner(ctx, in.GuestInput), in.ID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return serveAttachment(a, body), nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "officeDownloadAttachment", Security: staffSecurity, Method: http.MethodGet, Path: "/api/v1/office/attachments/{id}", Tags: []string{tagCases},
		Summary: "Download a case's attachment (staff)", Description: "For staff of the office handling the case; written to the person's transparency log. Another office's: 404.",
		Responses: fileResponse, Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}, func(ctx context.Context, in *AttachmentInput) (*attachmentFile, error) {
		me, _ := s.sessionAccount(ctx)
		a, body, err := s.attachments.StaffDownload(ctx, me, in.ID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return serveAttachment(a, body), nil
	})
}
