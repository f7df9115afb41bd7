package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
	"policebooth/templates/pages"
	"policebooth/templates/view"
)

// adminPage lists every station with its booths and heads.
func (s *Server) adminPage(c echo.Context, errs view.Errors, flash string) (view.AdminPage, error) {
	ctx := c.Request().Context()
	stations, err := s.store.ListStations(ctx)
	if err != nil {
		return view.AdminPage{}, err
	}
	booths, err := s.booths(ctx)
	if err != nil {
		return view.AdminPage{}, err
	}
	v := view.AdminPage{Errors: errs, Flash: flash}
	for _, st := range stations {
		row := view.StationRow{ID: itoa64(st.ID), Name: st.Name, NameEn: st.NameEn, TimeZone: st.TimeZone}
		for _, b := range booths {
			if b.StationID == st.ID {
				row.Booths = append(row.Booths, b.Name)
			}
		}
		staff, err := s.store.ListStaff(ctx, st.ID)
		if err != nil {
			return view.AdminPage{}, err
		}
		for _, u := range staff {
			if u.Role == app.RoleHead {
				row.Heads = append(row.Heads, u.Name)
			}
		}
		v.Stations = append(v.Stations, row)
		label := st.Name
		if st.NameEn != "" {
			label += " / " + st.NameEn
		}
		v.Options = append(v.Options, view.Option{Value: row.ID, Label: label})
	}
	return v, nil
}

// handleAdminPage: GET /admin (and the admin's home).
func (s *Server) handleAdminPage(c echo.Context) error {
	flash := ""
	if c.QueryParam("done") != "" {
		flash = t(c, "flash.saved")
	}
	v, err := s.adminPage(c, view.Errors{}, flash)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, t(c, "admin.title"), pages.Admin(v))
}

// handleAdminCreate: POST /admin/(stations|booths|heads) from the admin page.
func (s *Server) handleAdminCreate(c echo.Context) error {
	ctx := c.Request().Context()
	var err error
	switch c.Param("what") {
	case "stations":
		st := &app.Station{Name: c.FormValue("name"), NameEn: c.FormValue("name_en"), TimeZone: strings.TrimSpace(c.FormValue("time_zone")), Phone: c.FormValue("phone")}
		err = s.store.CreateStation(ctx, actorOf(c), st)
		s.cache.stations.forgetAll()
	case "booths":
		b := &app.Booth{Name: c.FormValue("name"), NameEn: c.FormValue("name"), Phone: c.FormValue("phone")}
		var perr error
		if b.StationID, perr = parseID(c.FormValue("station_id")); perr != nil {
			err = app.Errorf(app.EINVALID, "choose a station")
			break
		}
		b.Lat, _ = strconv.ParseFloat(strings.TrimSpace(c.FormValue("lat")), 64)
		b.Lng, _ = strconv.ParseFloat(strings.TrimSpace(c.FormValue("lng")), 64)
		err = s.store.CreateBooth(ctx, actorOf(c), b)
		s.cache.booths.forgetAll()
	case "heads":
		_, err = s.createStaff(c, staffRequest{
			Phone: c.FormValue("phone"), Name: c.FormValue("name"), Password: c.FormValue("password"),
			Role: string(app.RoleHead), StationID: c.FormValue("station_id"),
		})
	default:
		return echo.ErrNotFound
	}
	if err == nil {
		return c.Redirect(http.StatusSeeOther, "/admin?done=1")
	}
	msg, status, err := s.formError(c, err)
	if err != nil {
		return err
	}
	v, err := s.adminPage(c, view.Errors{"": msg}, "")
	if err != nil {
		return err
	}
	return s.render(c, status, t(c, "admin.title"), pages.Admin(v))
}
