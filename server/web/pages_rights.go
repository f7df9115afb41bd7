package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
	"policebooth/server/i18n"
	"policebooth/templates/pages"
	"policebooth/templates/view"
)

// keptRows lists the records the station would keep after the caller's
// account is deleted, as the pages show them.
func (s *Server) keptRows(c echo.Context) ([]view.KeptRow, error) {
	ctx := c.Request().Context()
	ex, err := s.store.ExportResident(ctx, caller(c).UserID, s.now())
	if err != nil {
		return nil, err
	}
	lang := i18n.Lang(ctx)
	zone := time.Local
	if p := caller(c); p.User.HomeBoothID != nil {
		if b, err := s.booth(ctx, *p.User.HomeBoothID); err == nil {
			if st, err := s.station(ctx, b.StationID); err == nil {
				if z, err := time.LoadLocation(st.TimeZone); err == nil {
					zone = z
				}
			}
		}
	}
	rows := []view.KeptRow{}
	for _, k := range ex.Kept {
		date := k.At.In(zone).Format("2006-01-02")
		label := t(c, "rights.kept_call", "ID", strconv.FormatInt(k.ID, 10), "Date", date)
		if k.Kind == "service_request" {
			label = t(c, "rights.kept_request", "Ticket", k.Label, "Date", date)
		}
		rows = append(rows, view.KeptRow{Label: label, Reason: k.Reason.In(lang)})
	}
	return rows, nil
}

// handleMyDataPage: GET /account/data, a resident's data rights.
func (s *Server) handleMyDataPage(c echo.Context) error {
	kept, err := s.keptRows(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, t(c, "rights.title"), pages.MyData(view.MyData{Kept: kept}))
}

// handleMyDataExport: GET /account/export, the resident's export as a
// download.
func (s *Server) handleMyDataExport(c echo.Context) error { return s.sendExport(c) }

// handleDeleteAccountPage: GET /account/delete, the confirmation step.
func (s *Server) handleDeleteAccountPage(c echo.Context) error {
	kept, err := s.keptRows(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, t(c, "rights.confirm_title"), pages.DeleteAccount(view.DeleteAccount{Kept: kept}))
}

// handleDeleteAccountSubmit: POST /account/delete erases the account after
// the password and the tick, signs the browser out and says so at sign-in.
func (s *Server) handleDeleteAccountSubmit(c echo.Context) error {
	v := view.DeleteAccount{Errors: view.Errors{}}
	if c.FormValue("confirm") == "" {
		v.Errors["confirm"] = t(c, "rights.confirm_required")
	}
	if c.FormValue("password") == "" {
		v.Errors["password"] = t(c, "rights.wrong_password")
	}
	status := http.StatusBadRequest
	if len(v.Errors) == 0 {
		_, err := s.eraseCaller(c, c.FormValue("password"))
		switch {
		case err == nil:
			s.clearSessionCookies(c)
			return c.Redirect(http.StatusSeeOther, "/login?deleted=1")
		case errors.Is(err, errWrongPassword):
			v.Errors["password"] = t(c, "rights.wrong_password")
		case app.ErrorCode(err) == app.ECONFLICT:
			v.Errors[""], status = t(c, "rights.open_call"), http.StatusConflict
		default:
			msg, st, err := s.formError(c, err)
			if err != nil {
				return err
			}
			v.Errors[""], status = msg, st
		}
	}
	if v.Errors[""] == "" {
		v.Errors[""] = t(c, "form.fix_below")
	}
	kept, err := s.keptRows(c)
	if err != nil {
		return err
	}
	v.Kept = kept
	return s.render(c, status, t(c, "rights.confirm_title"), pages.DeleteAccount(v))
}

// retentionPage builds a head's retention form from the stored periods.
func (s *Server) retentionPage(c echo.Context) (view.Retention, error) {
	ctx := c.Request().Context()
	id, _ := caller(c).stationOf()
	st, err := s.store.FindStation(ctx, id)
	if err != nil {
		return view.Retention{}, err
	}
	name := st.Name
	if i18n.Lang(ctx) == i18n.English && st.NameEn != "" {
		name = st.NameEn
	}
	return view.Retention{StationName: name, Location: strconv.Itoa(st.LocationRetentionDays),
		Photo: strconv.Itoa(st.PhotoRetentionDays), Attachment: strconv.Itoa(st.AttachmentRetentionDays)}, nil
}

// handleRetentionPage: GET /retention, a head's retention periods.
func (s *Server) handleRetentionPage(c echo.Context) error {
	v, err := s.retentionPage(c)
	if err != nil {
		return err
	}
	if c.QueryParam("done") != "" {
		v.Flash = t(c, "flash.saved")
	}
	return s.render(c, http.StatusOK, t(c, "retention.title"), pages.Retention(v))
}

// handleRetentionSubmit: POST /retention sets them; audited.
func (s *Server) handleRetentionSubmit(c echo.Context) error {
	v, err := s.retentionPage(c)
	if err != nil {
		return err
	}
	v.Errors = view.Errors{}
	field := func(name string, lo, hi int, shown *string) *int {
		*shown = c.FormValue(name)
		n, err := strconv.Atoi(*shown)
		if err != nil || n < lo || n > hi {
			v.Errors[name] = t(c, "retention.range", "Min", lo, "Max", hi)
			return nil
		}
		return &n
	}
	upd := app.RetentionUpdate{
		LocationDays:   field("location_retention_days", app.MinLocationRetentionDays, app.MaxLocationRetentionDays, &v.Location),
		PhotoDays:      field("photo_retention_days", app.MinPhotoRetentionDays, app.MaxPhotoRetentionDays, &v.Photo),
		AttachmentDays: field("attachment_retention_days", app.MinAttachmentRetentionDays, app.MaxAttachmentRetentionDays, &v.Attachment),
	}
	status := http.StatusBadRequest
	if len(v.Errors) == 0 {
		id, _ := caller(c).stationOf()
		_, err := s.store.SetRetention(c.Request().Context(), actorOf(c), id, upd)
		if err == nil {
			s.cache.stations.forget(id)
			return c.Redirect(http.StatusSeeOther, "/retention?done=1")
		}
		msg, st, err := s.formError(c, err)
		if err != nil {
			return err
		}
		v.Errors[""], status = msg, st
	} else {
		v.Errors[""] = t(c, "form.fix_below")
	}
	return s.render(c, status, t(c, "retention.title"), pages.Retention(v))
}
