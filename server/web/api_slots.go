package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
)

type slotJSON struct {
	ID       int64     `json:"id,string"`
	BoothID  int64     `json:"booth_id,string"`
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
	Capacity int       `json:"capacity"`
	Booked   int       `json:"booked"`
}

func toSlotJSON(sl app.Slot, loc *time.Location) slotJSON {
	return slotJSON{ID: sl.ID, BoothID: sl.BoothID, StartsAt: sl.StartsAt.In(loc), EndsAt: sl.EndsAt.In(loc), Capacity: sl.Capacity, Booked: sl.Booked}
}

// handleSlotsList: GET /slots?booth_id= lists a booth's coming slots.
func (s *Server) handleSlotsList(c echo.Context) error {
	id, err := parseID(c.QueryParam("booth_id"))
	if err != nil {
		return app.Errorf(app.EINVALID, "booth_id is required")
	}
	ctx := c.Request().Context()
	b, err := s.booth(ctx, id)
	if err != nil {
		return err
	}
	slots, err := s.store.ListSlots(ctx, id, s.now(), 100)
	if err != nil {
		return err
	}
	loc := s.stationLocation(c, b.StationID)
	out := list[slotJSON]{Items: make([]slotJSON, 0, len(slots))}
	for _, sl := range slots {
		out.Items = append(out.Items, toSlotJSON(sl, loc))
	}
	return c.JSON(http.StatusOK, out)
}

type newSlotRequest struct {
	BoothID  string    `json:"booth_id"`
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
	Capacity int       `json:"capacity"`
}

// handleSlotCreate: POST /slots, a head opens a bookable time.
func (s *Server) handleSlotCreate(c echo.Context) error {
	var r newSlotRequest
	if err := bind(c, &r); err != nil {
		return err
	}
	booth, err := parseID(r.BoothID)
	if err != nil {
		return app.Errorf(app.EINVALID, "booth_id is required")
	}
	station, _ := caller(c).stationOf()
	sl := &app.Slot{StationID: station, BoothID: booth, StartsAt: r.StartsAt, EndsAt: r.EndsAt, Capacity: r.Capacity}
	if err := s.store.CreateSlot(c.Request().Context(), actorOf(c), sl); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toSlotJSON(*sl, s.stationLocation(c, station)))
}
