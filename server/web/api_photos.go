package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"gocloud.dev/gcerrors"

	"policebooth/server/app"
	"policebooth/server/photo"
)

// consentJSON is a guardian's consent as the API shows it.
type consentJSON struct {
	ID            int64      `json:"id,string"`
	RequestID     int64      `json:"request_id,string"`
	Guardian      string     `json:"guardian"`
	Relation      string     `json:"relation"`
	KeepInAccount bool       `json:"keep_in_account"`
	WelcomeBoard  bool       `json:"welcome_board"`
	RecordedBy    int64      `json:"recorded_by,string"`
	CreatedAt     time.Time  `json:"created_at"`
	WithdrawnAt   *time.Time `json:"withdrawn_at,omitempty"`
}

func toConsentJSON(c *app.PhotoConsent) consentJSON {
	return consentJSON{ID: c.ID, RequestID: c.RequestID, Guardian: c.GuardianName, Relation: c.GuardianRelation,
		KeepInAccount: c.KeepInAccount, WelcomeBoard: c.WelcomeBoard, RecordedBy: c.RecordedBy, CreatedAt: c.CreatedAt, WithdrawnAt: c.WithdrawnAt}
}

// photoJSON is a photo as the API shows it, with the URLs of its copies.
type photoJSON struct {
	ID          int64     `json:"id,string"`
	RequestID   int64     `json:"request_id,string"`
	Width       int       `json:"width"`
	Height      int       `json:"height"`
	Size        int64     `json:"size"`
	Keep        bool      `json:"keep"`
	CreatedAt   time.Time `json:"created_at"`
	DeleteAfter time.Time `json:"delete_after"`
	URL         string    `json:"url"`
	FullURL     string    `json:"full_url"`
	ThumbURL    string    `json:"thumb_url"`
}

func toPhotoJSON(p *app.Photo) photoJSON {
	u := "/api/v1/photos/" + itoa64(p.ID)
	return photoJSON{ID: p.ID, RequestID: p.RequestID, Width: p.Width, Height: p.Height, Size: p.Size, Keep: p.Keep,
		CreatedAt: p.CreatedAt, DeleteAfter: p.DeleteAfter, URL: u, FullURL: u + "?size=full", ThumbURL: u + "/thumb"}
}

// shareLinkJSON is a share link; URL (with its token) only when just made.
type shareLinkJSON struct {
	ID        int64     `json:"id,string"`
	PhotoID   int64     `json:"photo_id,string"`
	URL       string    `json:"url,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// photoScope is whose photos the caller may reach.
func photoScope(c echo.Context) (app.PhotoScope, error) {
	p := caller(c)
	switch {
	case p.Role == app.RoleResident:
		return app.PhotoScope{ResidentID: p.UserID}, nil
	case p.Role.Staff() && p.StationID != nil:
		return app.PhotoScope{StationID: *p.StationID}, nil
	}
	return app.PhotoScope{}, app.Errorf(app.EFORBIDDEN, "only the family and station staff see photos")
}

type consentRequest struct {
	Guardian      string `json:"guardian"`
	KeepInAccount *bool  `json:"keep_in_account"`
	WelcomeBoard  bool   `json:"welcome_board"`
}

// handlePhotoConsentCreate: POST /service-requests/:id/photo-consents, an
// officer records a guardian's consent before the photo.
func (s *Server) handlePhotoConsentCreate(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var in consentRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	consent, err := s.recordConsent(c, id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toConsentJSON(consent))
}

func (s *Server) recordConsent(c echo.Context, requestID int64, in consentRequest) (*app.PhotoConsent, error) {
	station, ok := caller(c).stationOf()
	if !ok {
		return nil, app.ErrNotFound
	}
	consent := &app.PhotoConsent{RequestID: requestID, GuardianName: in.Guardian, KeepInAccount: in.KeepInAccount != nil && *in.KeepInAccount, WelcomeBoard: in.WelcomeBoard}
	if err := s.store.RecordPhotoConsent(c.Request().Context(), actorOf(c), station, consent); err != nil {
		return nil, err
	}
	return consent, nil
}

// handlePhotoConsentWithdraw: POST /photo-consents/:id/withdrawal, the
// family withdraws a consent: no photo is taken under it any more.
func (s *Server) handlePhotoConsentWithdraw(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	consent, err := s.store.WithdrawPhotoConsent(c.Request().Context(), caller(c).UserID, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toConsentJSON(consent))
}

// handlePhotoCreate: POST /service-requests/:id/photos, multipart field
// "photo": the officer's photo of the family.
func (s *Server) handlePhotoCreate(c echo.Context) error {
	p, err := s.savePhoto(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toPhotoJSON(p))
}

// savePhoto checks, processes and stores the photo uploaded for the
// request :id of the officer's station. Consent is checked before any work.
func (s *Server) savePhoto(c echo.Context) (*app.Photo, error) {
	id, err := idParam(c)
	if err != nil {
		return nil, err
	}
	station, ok := caller(c).stationOf()
	if !ok {
		return nil, app.ErrNotFound
	}
	ctx := c.Request().Context()
	r, err := s.store.FindRequest(ctx, id, app.RequestFilter{StationID: station})
	if err != nil {
		return nil, err
	}
	if r.Newborn == nil {
		return nil, app.Errorf(app.EINVALID, "photos go with newborn registrations only")
	}
	consents, err := s.store.ListPhotoConsents(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	inForce := false
	for i := range consents {
		inForce = inForce || consents[i].InForce()
	}
	if !inForce {
		return nil, app.Errorf(app.EINVALID, "no photo without consent: record a guardian's consent first")
	}
	res, err := s.processUpload(c, "photo")
	if err != nil {
		return nil, err
	}
	suffix := make([]byte, 12)
	_, _ = rand.Read(suffix)
	base := path.Join("photos", itoa64(r.StationID), itoa64(r.ID), hex.EncodeToString(suffix))
	p := &app.Photo{RequestID: r.ID, FullKey: base + ".jpg", DisplayKey: base + "-display.jpg", ThumbKey: base + "-thumb.jpg",
		Width: res.Width, Height: res.Height, Size: int64(len(res.Full))}
	for key, b := range map[string][]byte{p.FullKey: res.Full, p.DisplayKey: res.Display, p.ThumbKey: res.Thumb} {
		if err := s.bucket.WriteAll(ctx, key, b, nil); err != nil {
			s.removeBlobs(context.WithoutCancel(ctx), p.BlobKeys())
			return nil, err
		}
	}
	if err := s.store.AddPhoto(ctx, actorOf(c), station, p); err != nil {
		s.removeBlobs(context.WithoutCancel(ctx), p.BlobKeys()) // nothing refers to them
		return nil, err
	}
	return p, nil
}

// processUpload reads the picture sent as multipart field and puts it
// through the photo pipeline: type from the bytes, pixel bombs refused,
// orientation applied, metadata stripped, display copy and thumbnail made.
func (s *Server) processUpload(c echo.Context, field string) (*photo.Result, error) {
	fh, err := c.FormFile(field)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, app.Errorf(app.ETOOLARGE, "a photo may be at most %d MB", photo.MaxBytes>>20)
		}
		return nil, app.Errorf(app.EINVALID, "send the photo as multipart form field %q", field)
	}
	if fh.Size > photo.MaxBytes {
		return nil, app.Errorf(app.ETOOLARGE, "a photo may be at most %d MB", photo.MaxBytes>>20)
	}
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }() // read only
	data, err := io.ReadAll(io.LimitReader(f, photo.MaxBytes+1))
	if err != nil {
		return nil, err
	}
	return s.photos.Process(c.Request().Context(), data)
}

// removeBlobs deletes blobs, a missing one counting as deleted, and returns
// those that are gone.
func (s *Server) removeBlobs(ctx context.Context, keys []string) []string {
	var gone []string
	for _, k := range keys {
		if err := s.bucket.Delete(ctx, k); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
			s.log.Warn("blob not deleted; retried later", "key", k, "err", err)
			continue
		}
		gone = append(gone, k)
	}
	return gone
}

// purgePendingBlobs removes the blobs queued for removal, a hundred at a
// time, until none are left or one fails (the next run retries it).
func (s *Server) purgePendingBlobs(ctx context.Context) error {
	for {
		pending, err := s.store.PendingBlobPurges(ctx, 100)
		if err != nil {
			return err
		}
		gone := s.removeBlobs(ctx, pending)
		if err := s.store.BlobsPurged(ctx, gone); err != nil {
			return err
		}
		if len(gone) < len(pending) {
			return fmt.Errorf("web: %d of %d blobs not removed; retried on the next run", len(pending)-len(gone), len(pending))
		}
		if len(pending) < 100 {
			return nil
		}
	}
}

// purgeBlobs removes the blobs of deleted records and forgets those removed.
func (s *Server) purgeBlobs(ctx context.Context, keys []string) {
	if err := s.store.BlobsPurged(ctx, s.removeBlobs(ctx, keys)); err != nil {
		s.log.Warn("blob purges not recorded", "err", err)
	}
}

// handlePhotoList: GET /photos, the family's photos or the station's
// (?request_id=&cursor=&limit=).
func (s *Server) handlePhotoList(c echo.Context) error {
	scope, err := photoScope(c)
	if err != nil {
		return err
	}
	var requestID, before int64
	if v := c.QueryParam("request_id"); v != "" {
		if requestID, err = parseID(v); err != nil {
			return app.Errorf(app.EINVALID, "request_id: not an id")
		}
	}
	if v := c.QueryParam("cursor"); v != "" {
		if before, err = parseID(v); err != nil {
			return app.Errorf(app.EINVALID, "cursor: not a cursor from this list")
		}
	}
	limit := 50
	if v := c.QueryParam("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 100 {
			return app.Errorf(app.EINVALID, "limit must be 1 to 100")
		}
	}
	photos, err := s.store.ListPhotos(c.Request().Context(), scope, requestID, before, limit)
	if err != nil {
		return err
	}
	out := list[photoJSON]{Items: make([]photoJSON, 0, len(photos))}
	for i := range photos {
		out.Items = append(out.Items, toPhotoJSON(&photos[i]))
	}
	if len(photos) == limit {
		out.NextCursor = itoa64(photos[len(photos)-1].ID)
	}
	return c.JSON(http.StatusOK, out)
}

// handlePhotoGet: GET /photos/:id, the display copy (?size=full: the
// full-size copy as a download), to the family and station staff.
func (s *Server) handlePhotoGet(c echo.Context) error {
	switch c.QueryParam("size") {
	case "full":
		return s.servePhoto(c, "full")
	case "":
		return s.servePhoto(c, "display")
	}
	return app.Errorf(app.EINVALID, "size: full, or leave it out for the display copy")
}

// handlePhotoThumb: GET /photos/:id/thumb.
func (s *Server) handlePhotoThumb(c echo.Context) error { return s.servePhoto(c, "thumb") }

// servePhoto sends one copy of a photo in the caller's scope. Every view by
// staff is audited.
func (s *Server) servePhoto(c echo.Context, copyName string) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	scope, err := photoScope(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	p, err := s.store.FindPhoto(ctx, id, scope)
	if err != nil {
		return err
	}
	if scope.StationID != 0 {
		err := s.store.Audit(ctx, &app.AuditEntry{StationID: &p.StationID, ActorID: &caller(c).UserID, IP: c.RealIP(),
			Action: "photo.view", Target: fmt.Sprintf("photo/%d", p.ID), Detail: copyName})
		if err != nil {
			return err
		}
	}
	return s.sendPhotoCopy(c, p, copyName)
}

// sendPhotoCopy streams a stored copy; the full size as a download.
func (s *Server) sendPhotoCopy(c echo.Context, p *app.Photo, copyName string) error {
	key := p.DisplayKey
	switch copyName {
	case "full":
		key = p.FullKey
		c.Response().Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="photo-%d.jpg"`, p.ID))
	case "thumb":
		key = p.ThumbKey
	}
	return s.streamJPEG(c, key)
}

// streamJPEG streams a stored JPEG copy of a photo, never cached.
func (s *Server) streamJPEG(c echo.Context, key string) error {
	rd, err := s.bucket.NewReader(c.Request().Context(), key, nil)
	if err != nil {
		if gcerrors.Code(err) == gcerrors.NotFound {
			return app.ErrNotFound
		}
		return err
	}
	defer func() { _ = rd.Close() }() // read only
	h := c.Response().Header()
	h.Set(echo.HeaderCacheControl, "private, no-store")
	h.Set(echo.HeaderContentLength, strconv.FormatInt(rd.Size(), 10))
	return c.Stream(http.StatusOK, "image/jpeg", rd)
}

type keepRequest struct {
	Keep *bool `json:"keep"`
}

// handlePhotoKeep: POST /photos/:id/keep {keep}, the family keeps a photo
// past the retention period (or no longer).
func (s *Server) handlePhotoKeep(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var in keepRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	if in.Keep == nil {
		return app.Errorf(app.EINVALID, "keep: true or false")
	}
	p, err := s.store.KeepPhoto(c.Request().Context(), caller(c).UserID, id, *in.Keep)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toPhotoJSON(p))
}

// handlePhotoDelete: DELETE /photos/:id, the family deletes a photo for
// good, every stored copy with it.
func (s *Server) handlePhotoDelete(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	keys, err := s.store.DeletePhoto(ctx, caller(c).UserID, id)
	if err != nil {
		return err
	}
	s.purgeBlobs(context.WithoutCancel(ctx), keys)
	return c.NoContent(http.StatusNoContent)
}

type shareRequest struct {
	Days int `json:"days"`
}

// handleShareLinkCreate: POST /photos/:id/share-links {days?}, the family
// makes a link to one photo that expires (7 days unless asked, at most 30).
func (s *Server) handleShareLinkCreate(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var in shareRequest
	if c.Request().ContentLength != 0 {
		if err := bind(c, &in); err != nil {
			return err
		}
	}
	l, url, err := s.createShareLink(c, id, in.Days)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, shareLinkJSON{ID: l.ID, PhotoID: l.PhotoID, URL: url, CreatedAt: l.CreatedAt, ExpiresAt: l.ExpiresAt})
}

func (s *Server) createShareLink(c echo.Context, photoID int64, days int) (*app.ShareLink, string, error) {
	token := rand.Text() + rand.Text()
	l, err := s.store.CreateShareLink(c.Request().Context(), caller(c).UserID, photoID, days, token)
	if err != nil {
		return nil, "", err
	}
	return l, s.cfg.BaseURL.JoinPath("shared", token).String(), nil // #nosec G125 -- the token is rand.Text(): base32 letters and digits
}

// handleShareLinkRevoke: DELETE /share-links/:id, the family ends a link.
func (s *Server) handleShareLinkRevoke(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := s.store.RevokeShareLink(c.Request().Context(), caller(c).UserID, id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type familyInvite struct {
	Phone string `json:"phone"`
}

// handleFamilyInvite: POST /service-requests/:id/family {phone}, the
// resident who filed a newborn registration offers the holder of a number
// (the second guardian) its photos; they see them once they accept. The
// answer is the same whether or not that number has an account: it never
// names anyone.
func (s *Server) handleFamilyInvite(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var in familyInvite
	if err := bind(c, &in); err != nil {
		return err
	}
	if err := s.store.InviteFamily(c.Request().Context(), caller(c).UserID, id, in.Phone); err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]string{"status": "invited"})
}

// handleSharedImage: GET /shared/:token/image, the one photo a share link
// opens (its display copy), to anyone holding the link.
func (s *Server) handleSharedImage(c echo.Context) error {
	p, _, err := s.store.SharedPhoto(c.Request().Context(), c.Param("token"), s.now())
	if err != nil {
		return err
	}
	c.Response().Header().Set("Referrer-Policy", "no-referrer")
	return s.sendPhotoCopy(c, p, "display")
}

// RunPhotoRetention is one run of the retain_photos job as of now: it
// queues the texts to families whose photos go within a week and deletes
// the photos whose retention ended, with their files.
func (s *Server) RunPhotoRetention(ctx context.Context, now time.Time) error {
	if _, err := s.store.ClaimRetentionNotices(ctx, now); err != nil { // the texts are queued with the claims
		return err
	}
	for {
		keys, err := s.store.PurgeExpiredPhotos(ctx, now, 100)
		if err != nil {
			return err
		}
		if len(keys) == 0 {
			break
		}
		s.log.Info("photos past their retention deleted", "copies", len(keys))
		s.purgeBlobs(ctx, keys)
	}
	return nil
}
