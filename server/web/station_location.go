package web

import (
	"time"

	"github.com/labstack/echo/v4"
)

// stationLocation is the station's time zone, or the configured default.
func (s *Server) stationLocation(c echo.Context, station int64) *time.Location {
	loc, err := s.cache.zones.get(station, func() (*time.Location, error) {
		st, err := s.station(c.Request().Context(), station)
		if err != nil {
			return nil, err
		}
		return time.LoadLocation(st.TimeZone)
	})
	if err != nil {
		return s.cfg.TimeZone
	}
	return loc
}
