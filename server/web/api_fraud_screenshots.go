package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"path"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"gocloud.dev/gcerrors"

	"policebooth/server/app"
)

// fraudScreenshotJSON is a screenshot as the API shows it, with where to
// fetch it.
type fraudScreenshotJSON struct {
	ID        string    `json:"id"`
	ReportID  string    `json:"report_id"`
	Width     int       `json:"width"`
	Height    int       `json:"height"`
	Size      int64     `json:"size"`
	CreatedAt time.Time `json:"created_at"`
	URL       string    `json:"url"`
	ThumbURL  string    `json:"thumb_url"`
}

func screenshotJSON(sc *app.FraudScreenshot) fraudScreenshotJSON {
	url := "/api/v1/fraud-screenshots/" + itoa64(sc.ID)
	return fraudScreenshotJSON{ID: itoa64(sc.ID), ReportID: itoa64(sc.ReportID), Width: sc.Width, Height: sc.Height, Size: sc.Size,
		CreatedAt: sc.CreatedAt, URL: url, ThumbURL: url + "?size=thumb"}
}

// handleFraudScreenshotCreate: POST /fraud-reports/:id/screenshots,
// multipart field "screenshot": the reporter adds a screenshot of the scam.
func (s *Server) handleFraudScreenshotCreate(c echo.Context) error {
	sc, err := s.saveFraudScreenshot(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, screenshotJSON(sc))
}

// saveFraudScreenshot puts the upload through the photo pipeline and keeps
// its full-size copy and thumbnail on the reporter's report :id.
func (s *Server) saveFraudScreenshot(c echo.Context) (*app.FraudScreenshot, error) {
	id, err := idParam(c)
	if err != nil {
		return nil, err
	}
	ctx := c.Request().Context()
	me := caller(c).UserID
	r, err := s.store.FindFraudReport(ctx, id, app.FraudScope{ReporterID: me})
	if err != nil {
		return nil, err
	}
	res, err := s.processUpload(c, "screenshot")
	if err != nil {
		return nil, err
	}
	suffix := make([]byte, 12)
	_, _ = rand.Read(suffix)
	base := path.Join("fraud", itoa64(r.StationID), itoa64(r.ID), hex.EncodeToString(suffix))
	sc := &app.FraudScreenshot{ReportID: r.ID, BlobKey: base + ".jpg", ThumbKey: base + "-thumb.jpg", Width: res.Width, Height: res.Height, Size: int64(len(res.Full))}
	keys := []string{sc.BlobKey, sc.ThumbKey}
	for key, b := range map[string][]byte{sc.BlobKey: res.Full, sc.ThumbKey: res.Thumb} {
		if err := s.bucket.WriteAll(ctx, key, b, nil); err != nil {
			s.removeBlobs(context.WithoutCancel(ctx), keys)
			return nil, err
		}
	}
	if err := s.store.AddFraudScreenshot(ctx, me, sc); err != nil {
		s.removeBlobs(context.WithoutCancel(ctx), keys) // nothing refers to them
		return nil, err
	}
	return sc, nil
}

// handleFraudScreenshotGet: GET /fraud-screenshots/:id (?size=thumb), to
// the reporter and the station's staff.
func (s *Server) handleFraudScreenshotGet(c echo.Context) error {
	thumb := false
	switch c.QueryParam("size") {
	case "thumb":
		thumb = true
	case "":
	default:
		return app.Errorf(app.EINVALID, "size: thumb, or leave it out for the screenshot")
	}
	id, err := parseID(c.Param("id"))
	if err != nil {
		return app.ErrNotFound
	}
	scope, err := fraudScope(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	sc, err := s.store.FindFraudScreenshot(ctx, id, scope)
	if err != nil {
		return err
	}
	key := sc.BlobKey
	if thumb {
		key = sc.ThumbKey
	}
	rd, err := s.bucket.NewReader(ctx, key, nil)
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

// fraudReportJSON is a report with its screenshots.
type fraudReportJSON struct {
	*app.FraudReport
	Screenshots []fraudScreenshotJSON `json:"screenshots"`
}

// withScreenshots adds a report's screenshots for an answer.
func (s *Server) withScreenshots(c echo.Context, r *app.FraudReport) (fraudReportJSON, error) {
	list, err := s.store.ListFraudScreenshots(c.Request().Context(), r.ID)
	if err != nil {
		return fraudReportJSON{}, err
	}
	out := fraudReportJSON{FraudReport: r, Screenshots: make([]fraudScreenshotJSON, len(list))}
	for i := range list {
		out.Screenshots[i] = screenshotJSON(&list[i])
	}
	return out, nil
}
