package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"gocloud.dev/gcerrors"

	"policebooth/server/app"
)

// exportReadme opens every export archive: what it holds, in both languages.
const exportReadme = `社区警务亭 · 个人信息副本
本压缩包包含警务亭保存的、与您本人有关的全部信息：
  data.json  账号、登录会话、接收通知的设备、业务办理记录（含办理进度和材料清单）、求助记录（含留言和尚未清除的位置）；
             "kept_after_deletion" 列出注销账号后警务亭依法继续保存的记录及原因。
  files/     您和民警上传的材料原件。

Community Police Booth · Copy of your personal data
This archive holds everything the booth keeps about you:
  data.json  your account, sign-in sessions, devices that get alerts, service requests (with their
             timelines and documents), calls for help (with messages and any location still held);
             "kept_after_deletion" lists the records the booth must keep by law after you delete your
             account, and why.
  files/     the documents you and the officers uploaded.
`

// writeExport writes an export as a zip: README.txt, data.json with one
// key per section in order, and the files, each read from the blob store
// as it is copied, so a large export is never held in memory.
func (s *Server) writeExport(ctx context.Context, w io.Writer, ex *app.DataExport) error {
	z := zip.NewWriter(w)
	create := func(name string, method uint16) (io.Writer, error) {
		return z.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: ex.ExportedAt})
	}
	readme, err := create("README.txt", zip.Deflate)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(readme, exportReadme); err != nil {
		return err
	}
	var data bytes.Buffer
	fmt.Fprintf(&data, "{\n  \"exported_at\": %q", ex.ExportedAt.Format(time.RFC3339))
	for _, sec := range ex.Sections {
		b, err := json.MarshalIndent(sec.Records, "  ", "  ")
		if err != nil {
			return fmt.Errorf("web: export %s: %w", sec.Name, err)
		}
		fmt.Fprintf(&data, ",\n  %q: %s", sec.Name, b)
	}
	data.WriteString("\n}\n")
	dw, err := create("data.json", zip.Deflate)
	if err != nil {
		return err
	}
	if _, err := dw.Write(data.Bytes()); err != nil {
		return err
	}
	for _, f := range ex.Files {
		rd, err := s.bucket.NewReader(ctx, f.BlobKey, nil)
		if gcerrors.Code(err) == gcerrors.NotFound {
			continue // deleted by retention since the records were read
		}
		if err != nil {
			return fmt.Errorf("web: export file %s: %w", f.Path, err)
		}
		fw, err := create(f.Path, zip.Store) // photos and PDFs are compressed already
		if err == nil {
			_, err = io.Copy(fw, rd)
		}
		_ = rd.Close() // read only: the copy's error is the one that matters
		if err != nil {
			return fmt.Errorf("web: export file %s: %w", f.Path, err)
		}
	}
	return z.Close()
}

// sendExport answers with the caller's export as a zip download. Once the
// records are read the archive streams out; a file that then fails to
// read cuts the download short, which the client sees as a broken zip.
func (s *Server) sendExport(c echo.Context) error {
	p := caller(c)
	ctx := c.Request().Context()
	if err := s.throttle(c, 10, time.Hour, "export:user:"+itoa64(p.UserID)); err != nil {
		return err
	}
	now := s.now()
	ex, err := s.store.ExportResident(ctx, p.UserID, now)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "application/zip")
	h.Set(echo.HeaderCacheControl, "private, no-store")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="policebooth-data-%s.zip"`, now.UTC().Format("20060102")))
	c.Response().WriteHeader(http.StatusOK)
	if err := s.writeExport(ctx, c.Response(), ex); err != nil {
		s.log.Warn("export cut short", "user_id", p.UserID, "err", err)
	}
	return nil
}

// handleMeExport: GET /me/export, everything the booth holds about the
// calling resident, as a zip of data.json and the files.
func (s *Server) handleMeExport(c echo.Context) error { return s.sendExport(c) }

type meDelete struct {
	Password string `json:"password"`
}

// handleMeDelete: DELETE /me {password} deletes the calling resident's
// account; every session ends.
func (s *Server) handleMeDelete(c echo.Context) error {
	var r meDelete
	if err := bind(c, &r); err != nil {
		return err
	}
	e, err := s.eraseCaller(c, r.Password)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, erasureJSON{Status: "deleted", Kept: e.Kept})
}

type erasureJSON struct {
	Status string           `json:"status"`
	Kept   []app.KeptRecord `json:"kept"`
}

// errWrongPassword is the answer to a deletion with the wrong password.
var errWrongPassword = app.Errorf(app.EINVALID, "the password is wrong")

// eraseCaller checks the caller's password again and erases their account:
// their tokens and live streams stop at once.
func (s *Server) eraseCaller(c echo.Context, password string) (*app.Erasure, error) {
	p := caller(c)
	if err := s.throttle(c, 10, 15*time.Minute, "password:user:"+itoa64(p.UserID)); err != nil {
		return nil, err
	}
	if password == "" {
		return nil, errWrongPassword
	}
	if ok, err := s.checkPassword(c, password, p.User.PasswordHash); err != nil {
		return nil, err
	} else if !ok {
		return nil, errWrongPassword
	}
	e, err := s.store.EraseResident(c.Request().Context(), p.UserID)
	if err != nil {
		return nil, err
	}
	s.purgeBlobs(c.Request().Context(), e.Blobs) // after the commit; the purge_blobs job retries what fails
	for _, id := range append(e.Sessions, p.SessionID) {
		s.sessions.forget(id)
		s.streams.end(id)
	}
	s.log.Info("resident account deleted", "user_id", p.UserID, "kept", len(e.Kept))
	return e, nil
}

// retentionJSON is a station's retention periods in days.
type retentionJSON struct {
	StationID      int64 `json:"station_id,string"`
	LocationDays   int   `json:"location_retention_days"`
	PhotoDays      int   `json:"photo_retention_days"`
	AttachmentDays int   `json:"attachment_retention_days"`
}

func toRetentionJSON(st *app.Station) retentionJSON {
	return retentionJSON{StationID: st.ID, LocationDays: st.LocationRetentionDays, PhotoDays: st.PhotoRetentionDays, AttachmentDays: st.AttachmentRetentionDays}
}

// handleRetentionGet: GET /stations/:id/retention, the head's own station.
func (s *Server) handleRetentionGet(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if own, _ := caller(c).stationOf(); own != id {
		return app.ErrNotFound
	}
	st, err := s.store.FindStation(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toRetentionJSON(st))
}

// handleRetentionUpdate: PATCH /stations/:id/retention sets the head's
// station's retention periods; audited.
func (s *Server) handleRetentionUpdate(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var r app.RetentionUpdate
	if err := bind(c, &r); err != nil {
		return err
	}
	st, err := s.store.SetRetention(c.Request().Context(), actorOf(c), id, r)
	if err != nil {
		return err
	}
	s.cache.stations.forget(id)
	return c.JSON(http.StatusOK, toRetentionJSON(st))
}
