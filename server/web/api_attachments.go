package web

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
)

// maxAttachment is the largest document a resident or officer may add.
const maxAttachment = 10 << 20

// attachmentTypes are the document types accepted, by sniffed type.
var attachmentTypes = map[string]string{
	"image/jpeg":      ".jpg",
	"image/png":       ".png",
	"application/pdf": ".pdf",
}

// handleAttachmentCreate: POST /service-requests/:id/attachments, multipart
// field "file": a photo or PDF of a document.
func (s *Server) handleAttachmentCreate(c echo.Context) error {
	a, err := s.saveAttachment(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, attachmentJSON{ID: a.ID, Name: a.Name, ContentType: a.ContentType, Size: a.Size, URL: "/api/v1/attachments/" + itoa64(a.ID), CreatedAt: a.CreatedAt})
}

// saveAttachment stores the uploaded document of the request :id. The type
// comes from the bytes, not the name.
func (s *Server) saveAttachment(c echo.Context) (*app.Attachment, error) {
	id, err := idParam(c)
	if err != nil {
		return nil, err
	}
	scope, err := requestScope(c)
	if err != nil {
		return nil, err
	}
	ctx := c.Request().Context()
	r, err := s.store.FindRequest(ctx, id, scope)
	if err != nil {
		return nil, err
	}
	fh, err := c.FormFile("file")
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, app.Errorf(app.ETOOLARGE, "a document may be at most 10 MB")
		}
		return nil, app.Errorf(app.EINVALID, "send the document as multipart form field \"file\"")
	}
	if fh.Size > maxAttachment {
		return nil, app.Errorf(app.ETOOLARGE, "a document may be at most 10 MB")
	}
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }() // read only
	data, err := io.ReadAll(io.LimitReader(f, maxAttachment+1))
	if err != nil {
		return nil, err
	}
	ctype := http.DetectContentType(data)
	ext, ok := attachmentTypes[ctype]
	if !ok {
		return nil, app.Errorf(app.EUNSUPPORTED, "a document must be a JPEG or PNG photo or a PDF")
	}
	if data, err = cleanDocument(ctype, data); err != nil {
		return nil, err
	}
	name := cleanFileName(fh.Filename, ext)
	suffix := make([]byte, 8)
	_, _ = rand.Read(suffix)
	key := path.Join("attachments", itoa64(r.StationID), itoa64(r.ID), hex.EncodeToString(suffix)+ext)
	if err := s.bucket.WriteAll(ctx, key, data, nil); err != nil {
		return nil, err
	}
	a := &app.Attachment{RequestID: r.ID, StationID: r.StationID, UploaderID: caller(c).UserID, BlobKey: key, ContentType: ctype, Size: int64(len(data)), Name: name}
	if err := s.store.AddAttachment(ctx, scope, a); err != nil {
		_ = s.bucket.Delete(ctx, key) // nothing refers to it
		return nil, err
	}
	return a, nil
}

// cleanFileName keeps a readable name without paths or control characters.
func cleanFileName(name, ext string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' {
			return -1
		}
		return r
	}, name)
	if !utf8.ValidString(name) || name == "." || name == "/" || name == "" {
		name = "document"
	}
	if len([]rune(name)) > 100 {
		name = string([]rune(name)[:100])
	}
	if !strings.HasSuffix(strings.ToLower(name), ext) {
		name += ext
	}
	return name
}

// handleAttachmentGet: GET /attachments/:id, to the owner and station staff.
func (s *Server) handleAttachmentGet(c echo.Context) error {
	id, err := parseID(c.Param("id"))
	if err != nil {
		return app.ErrNotFound
	}
	scope, err := requestScope(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	a, err := s.store.FindAttachment(ctx, id, scope)
	if err != nil {
		return err
	}
	rd, err := s.bucket.NewReader(ctx, a.BlobKey, nil)
	if err != nil {
		return err
	}
	defer func() { _ = rd.Close() }() // read only
	h := c.Response().Header()
	h.Set(echo.HeaderCacheControl, "private, no-store")
	h.Set("Content-Disposition", `inline; filename="attachment`+attachmentTypes[a.ContentType]+`"`)
	return c.Stream(http.StatusOK, a.ContentType, rd)
}
