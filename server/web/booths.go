package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
)

// boothJSON is a booth as the API shows it.
type boothJSON struct {
	ID        int64   `json:"id,string"`
	Name      string  `json:"name"`
	NameEn    string  `json:"name_en"`
	StationID int64   `json:"station_id,string"`
	Phone     string  `json:"phone"`
	Lat       float64 `json:"lat"`
	Lng       float64 `json:"lng"`
	AckLimit  int     `json:"ack_limit_seconds"`
}

// handleBoothsList lists every booth: residents pick their home booth from it.
func (s *Server) handleBoothsList(c echo.Context) error {
	booths, err := s.store.ListBooths(c.Request().Context())
	if err != nil {
		return err
	}
	items := make([]boothJSON, 0, len(booths))
	for _, b := range booths {
		items = append(items, boothJSON{ID: b.ID, Name: b.Name, NameEn: b.NameEn, StationID: b.StationID, Phone: b.Phone, Lat: b.Lat, Lng: b.Lng, AckLimit: b.AckLimitSeconds})
	}
	return c.JSON(http.StatusOK, list[boothJSON]{Items: items})
}

// list is the API's shape for every list.
type list[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

type boothUpdate struct {
	AckLimitSeconds int `json:"ack_limit_seconds"`
}

// handleBoothUpdate: PATCH /booths/:id, a head sets how long a call may
// wait for an acknowledgement before it escalates.
func (s *Server) handleBoothUpdate(c echo.Context) error {
	id, err := parseID(c.Param("id"))
	if err != nil {
		return app.ErrNotFound
	}
	var r boothUpdate
	if err := bind(c, &r); err != nil {
		return err
	}
	if err := s.store.SetAckLimit(c.Request().Context(), actorOf(c), id, r.AckLimitSeconds); err != nil {
		return err
	}
	s.cache.booths.forgetAll()
	b, err := s.store.FindBooth(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, boothJSON{ID: b.ID, Name: b.Name, NameEn: b.NameEn, StationID: b.StationID, Phone: b.Phone, Lat: b.Lat, Lng: b.Lng, AckLimit: b.AckLimitSeconds})
}
