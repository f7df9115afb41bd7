package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
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
}

// handleBoothsList lists every booth: residents pick their home booth from it.
func (s *Server) handleBoothsList(c echo.Context) error {
	booths, err := s.store.ListBooths(c.Request().Context())
	if err != nil {
		return err
	}
	items := make([]boothJSON, 0, len(booths))
	for _, b := range booths {
		items = append(items, boothJSON{ID: b.ID, Name: b.Name, NameEn: b.NameEn, StationID: b.StationID, Phone: b.Phone, Lat: b.Lat, Lng: b.Lng})
	}
	return c.JSON(http.StatusOK, list[boothJSON]{Items: items})
}

// list is the API's shape for every list.
type list[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}
