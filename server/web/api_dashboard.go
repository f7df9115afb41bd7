package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
)

// dashboardStation is the station a head's dashboard shows: their own. A
// station_id naming another station is not found, as any record of
// another station is.
func dashboardStation(c echo.Context) (int64, error) {
	own, err := ownStation(c)
	if err != nil {
		return 0, err
	}
	if v := c.QueryParam("station_id"); v != "" {
		id, err := parseID(v)
		if err != nil {
			return 0, app.Errorf(app.EINVALID, "station_id is not valid")
		}
		if id != own {
			return 0, app.ErrNotFound
		}
	}
	return own, nil
}

// handleDashboard: GET /dashboard (head), the station at a glance.
func (s *Server) handleDashboard(c echo.Context) error {
	station, err := dashboardStation(c)
	if err != nil {
		return err
	}
	d, err := s.store.Dashboard(c.Request().Context(), station, s.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}
