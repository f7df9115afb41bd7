package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"path"
	"time"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
)

// Photos in a call (issue 21): the caller and the officer who took the
// call add them while it is open, through the photo pipeline (metadata
// stripped, bombs refused); the call's staff and the caller see them.

// callPhotoJSON is a call's photo as the API shows it, with the URLs of
// its copies.
type callPhotoJSON struct {
	*app.CallPhoto
	URL      string `json:"url"`
	FullURL  string `json:"full_url"`
	ThumbURL string `json:"thumb_url"`
}

func toCallPhotoJSON(p *app.CallPhoto) callPhotoJSON {
	u := callPhotoURL(p)
	return callPhotoJSON{CallPhoto: p, URL: u, FullURL: u + "?size=full", ThumbURL: u + "/thumb"}
}

// callPhotoURL is where a call photo's display copy is read.
func callPhotoURL(p *app.CallPhoto) string {
	return "/api/v1/assistance-calls/" + itoa64(p.CallID) + "/photos/" + itoa64(p.ID)
}

// handleCallPhotoCreate: POST /assistance-calls/:id/photos, multipart field
// "photo".
func (s *Server) handleCallPhotoCreate(c echo.Context) error {
	p, err := s.saveCallPhoto(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toCallPhotoJSON(p))
}

// saveCallPhoto checks that the call :id is open and in the caller's
// scope before any work, processes the upload, writes its copies and
// records it; the copies go again if the record is refused.
func (s *Server) saveCallPhoto(c echo.Context) (*app.CallPhoto, error) {
	call, err := s.findCall(c)
	if err != nil {
		return nil, err
	}
	scope, err := callScope(c)
	if err != nil {
		return nil, err
	}
	if err := app.CheckCallPhoto(call, caller(c).UserID, scope.CallerID != 0); err != nil {
		return nil, err
	}
	ctx := c.Request().Context()
	res, err := s.processUpload(c, "photo")
	if err != nil {
		return nil, err
	}
	suffix := make([]byte, 12)
	_, _ = rand.Read(suffix)
	base := path.Join("calls", itoa64(call.StationID), itoa64(call.ID), hex.EncodeToString(suffix))
	p := &app.CallPhoto{FullKey: base + ".jpg", DisplayKey: base + "-display.jpg", ThumbKey: base + "-thumb.jpg",
		Width: res.Width, Height: res.Height, Size: int64(len(res.Full))}
	for key, b := range map[string][]byte{p.FullKey: res.Full, p.DisplayKey: res.Display, p.ThumbKey: res.Thumb} {
		if err := s.bucket.WriteAll(ctx, key, b, nil); err != nil {
			s.removeBlobs(context.WithoutCancel(ctx), p.BlobKeys())
			return nil, err
		}
	}
	if err := s.store.AddCallPhoto(ctx, call.ID, scope, caller(c).UserID, p); err != nil {
		s.removeBlobs(context.WithoutCancel(ctx), p.BlobKeys()) // nothing refers to them
		return nil, err
	}
	return p, nil
}

// handleCallPhotoList: GET /assistance-calls/:id/photos.
func (s *Server) handleCallPhotoList(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	scope, err := callScope(c)
	if err != nil {
		return err
	}
	photos, err := s.store.ListCallPhotos(c.Request().Context(), id, scope)
	if err != nil {
		return err
	}
	out := list[callPhotoJSON]{Items: make([]callPhotoJSON, 0, len(photos))}
	for i := range photos {
		out.Items = append(out.Items, toCallPhotoJSON(&photos[i]))
	}
	return c.JSON(http.StatusOK, out)
}

// handleCallPhotoGet: GET /assistance-calls/:id/photos/:photo_id, the
// display copy (?size=full: the full-size copy as a download).
func (s *Server) handleCallPhotoGet(c echo.Context) error {
	switch c.QueryParam("size") {
	case "full":
		return s.serveCallPhoto(c, "full")
	case "":
		return s.serveCallPhoto(c, "display")
	}
	return app.Errorf(app.EINVALID, "size: full, or leave it out for the display copy")
}

// handleCallPhotoThumb: GET /assistance-calls/:id/photos/:photo_id/thumb.
func (s *Server) handleCallPhotoThumb(c echo.Context) error { return s.serveCallPhoto(c, "thumb") }

// serveCallPhoto sends one copy of a call's photo in the caller's scope.
// Staff opening a photo is audited; thumbnails appear on the call page,
// whose view is audited already.
func (s *Server) serveCallPhoto(c echo.Context, copyName string) error {
	callID, err := idParam(c)
	if err != nil {
		return err
	}
	photoID, err := parseID(c.Param("photo_id"))
	if err != nil {
		return app.ErrNotFound
	}
	scope, err := callScope(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	p, err := s.store.FindCallPhoto(ctx, callID, photoID, scope)
	if err != nil {
		return err
	}
	if scope.StationID != 0 && copyName != "thumb" {
		err := s.store.Audit(ctx, &app.AuditEntry{StationID: &p.StationID, ActorID: &caller(c).UserID, IP: c.RealIP(),
			Action: "call_photo.view", Target: fmt.Sprintf("call/%d/photo/%d", p.CallID, p.ID), Detail: copyName})
		if err != nil {
			return err
		}
	}
	key := p.DisplayKey
	switch copyName {
	case "full":
		key = p.FullKey
		c.Response().Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="call-%d-photo-%d.jpg"`, p.CallID, p.ID))
	case "thumb":
		key = p.ThumbKey
	}
	return s.streamJPEG(c, key)
}

// handleCallPagePhoto: POST /calls/:id/photos, the call page's photo form
// (multipart field photo); back to the call, or the call with the problem.
func (s *Server) handleCallPagePhoto(c echo.Context) error {
	_, err := s.saveCallPhoto(c)
	switch app.ErrorCode(err) {
	case app.EUNSUPPORTED:
		err = app.Errorf(app.EINVALID, "%s", t(c, "ph.err_type"))
	case app.ETOOLARGE:
		err = app.Errorf(app.EINVALID, "%s", t(c, "ph.err_size"))
	}
	return s.afterCall(c, err)
}

// retainCallPhotos is part of the retain_locations job: a call's photos
// are kept as long as its location, then deleted and their files queued
// for purge_blobs.
func (s *Server) retainCallPhotos(ctx context.Context, now time.Time) error {
	n, err := s.store.PurgeCallPhotos(ctx, now)
	if n > 0 {
		s.log.Info("retention: call photos deleted", "photos", n)
	}
	return err
}
