package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
	"policebooth/server/i18n"
	"policebooth/templates/pages"
	"policebooth/templates/view"
)

// cataloguePage builds a head's catalogue and slots page.
func (s *Server) cataloguePage(c echo.Context, errs view.Errors, flash string) (view.CataloguePage, error) {
	ctx := c.Request().Context()
	station, _ := caller(c).stationOf()
	_, types, err := s.catalogue(c, station)
	if err != nil {
		return view.CataloguePage{}, err
	}
	lang := i18n.Lang(ctx)
	v := view.CataloguePage{Errors: errs, Flash: flash}
	for _, ty := range types {
		v.Types = append(v.Types, view.CatalogueRow{Code: ty.Code, Name: ty.Name.In(lang), Enabled: ty.Enabled,
			TargetMinutes: strconv.Itoa(ty.TargetMinutes), NoteZh: ty.Note.Zh, NoteEn: ty.Note.En})
	}
	booths, err := s.booths(ctx)
	if err != nil {
		return v, err
	}
	loc := s.stationLocation(c, station)
	for _, b := range booths {
		if b.StationID != station {
			continue
		}
		v.Booths = append(v.Booths, view.Option{Value: itoa64(b.ID), Label: b.Name})
		slots, err := s.store.ListSlots(ctx, b.ID, s.now(), 50)
		if err != nil {
			return v, err
		}
		for _, sl := range slots {
			v.Slots = append(v.Slots, view.SlotRow{Booth: b.Name, Starts: sl.StartsAt.In(loc).Format("2006-01-02 15:04"), Ends: sl.EndsAt.In(loc).Format("15:04"), Capacity: sl.Capacity, Booked: sl.Booked})
		}
	}
	return v, nil
}

func (s *Server) renderCatalogue(c echo.Context, status int, errs view.Errors, flash string) error {
	v, err := s.cataloguePage(c, errs, flash)
	if err != nil {
		return err
	}
	return s.render(c, status, t(c, "cat.title"), pages.Catalogue(v))
}

// handleCataloguePage: GET /catalogue (head).
func (s *Server) handleCataloguePage(c echo.Context) error {
	flash := ""
	if c.QueryParam("done") != "" {
		flash = t(c, "req.saved")
	}
	return s.renderCatalogue(c, http.StatusOK, view.Errors{}, flash)
}

// afterCatalogue answers a catalogue form.
func (s *Server) afterCatalogue(c echo.Context, err error) error {
	if err == nil {
		return c.Redirect(http.StatusSeeOther, "/catalogue?done=1")
	}
	msg, status, err := s.formError(c, err)
	if err != nil {
		return err
	}
	return s.renderCatalogue(c, status, view.Errors{"": msg}, "")
}

// handleCatalogueUpdate: POST /catalogue/:code saves one service's settings.
func (s *Server) handleCatalogueUpdate(c echo.Context) error {
	station, _ := caller(c).stationOf()
	enabled := c.FormValue("enabled") != ""
	setting := app.ServiceSetting{StationID: station, Code: c.Param("code"), Enabled: &enabled,
		Note: &app.Text{Zh: strings.TrimSpace(c.FormValue("note_zh")), En: strings.TrimSpace(c.FormValue("note_en"))}}
	if v := strings.TrimSpace(c.FormValue("target_minutes")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return s.afterCatalogue(c, app.Errorf(app.EINVALID, "%s", t(c, "req.err_number")))
		}
		setting.TargetMinutes = &n
	}
	err := s.store.SetServiceSetting(c.Request().Context(), actorOf(c), setting)
	s.cache.catalogue.forgetAll()
	return s.afterCatalogue(c, err)
}

// handleCatalogueSlot: POST /catalogue/slots opens a bookable time.
func (s *Server) handleCatalogueSlot(c echo.Context) error {
	station, _ := caller(c).stationOf()
	loc := s.stationLocation(c, station)
	booth, err := parseID(c.FormValue("booth_id"))
	if err != nil {
		return s.afterCatalogue(c, app.Errorf(app.EINVALID, "%s", t(c, "err.booth_required")))
	}
	starts, err := time.ParseInLocation("2006-01-02T15:04", c.FormValue("starts_at"), loc)
	if err != nil {
		return s.afterCatalogue(c, app.Errorf(app.EINVALID, "%s", t(c, "req.err_date")))
	}
	minutes, err1 := strconv.Atoi(strings.TrimSpace(c.FormValue("minutes")))
	capacity, err2 := strconv.Atoi(strings.TrimSpace(c.FormValue("capacity")))
	if err1 != nil || err2 != nil {
		return s.afterCatalogue(c, app.Errorf(app.EINVALID, "%s", t(c, "req.err_number")))
	}
	sl := &app.Slot{StationID: station, BoothID: booth, StartsAt: starts, EndsAt: starts.Add(time.Duration(minutes) * time.Minute), Capacity: capacity}
	return s.afterCatalogue(c, s.store.CreateSlot(c.Request().Context(), actorOf(c), sl))
}
