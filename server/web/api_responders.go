package web

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
)

// responderCallJSON is a call as a guard or volunteer sees it: what
// happened and how far from their booth, never who called, their profile,
// photos, position or messages.
type responderCallJSON struct {
	ID        int64          `json:"id,string"`
	Status    app.CallStatus `json:"status"`
	Category  string         `json:"category"`
	Message   string         `json:"message,omitempty"`
	DistanceM *int           `json:"distance_m,omitempty"` // from the booth, to the nearest 10 m, when the caller's phone gave a position
	CreatedAt time.Time      `json:"created_at"`
}

// responderCalls shapes calls for a guard or volunteer of booth.
func (s *Server) responderCalls(c echo.Context, calls []app.AssistanceCall, boothID int64) ([]responderCallJSON, error) {
	b, err := s.booth(c.Request().Context(), boothID)
	if err != nil {
		return nil, err
	}
	out := make([]responderCallJSON, 0, len(calls))
	for _, call := range calls {
		r := responderCallJSON{ID: call.ID, Status: call.Status, Category: call.Category, Message: call.Message, CreatedAt: call.CreatedAt}
		if call.Lat != nil && call.Lng != nil {
			d := int(math.Round(app.DistanceM(b.Lat, b.Lng, *call.Lat, *call.Lng)/10) * 10)
			r.DistanceM = &d
		}
		out = append(out, r)
	}
	return out, nil
}

// handleResponderCallList: GET /assistance-calls for a guard or volunteer,
// their booth's open calls while they are available.
func (s *Server) handleResponderCallList(c echo.Context) error {
	p := caller(c)
	calls, err := s.store.ResponderCalls(c.Request().Context(), p.UserID)
	if err != nil {
		return err
	}
	items, err := s.responderCalls(c, calls, *p.User.BoothID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list[responderCallJSON]{Items: items})
}

type availabilityJSON struct {
	Available *bool `json:"available"`
}

// handleAvailabilityPut: PUT /me/availability, a guard or volunteer ready
// to help now, or not. Their open event stream ends so that it comes back
// with what they may now see.
func (s *Server) handleAvailabilityPut(c echo.Context) error {
	var r availabilityJSON
	if err := bind(c, &r); err != nil {
		return err
	}
	if r.Available == nil {
		return app.Errorf(app.EINVALID, "available: true or false")
	}
	p := caller(c)
	u, err := s.store.SetAvailability(c.Request().Context(), p.UserID, *r.Available)
	if err != nil {
		return err
	}
	s.sessions.forget(p.SessionID)
	s.streams.end(p.SessionID)
	return c.JSON(http.StatusOK, toUserJSON(u))
}

type assistJSON struct {
	Status app.AssistStatus `json:"status"`
}

// handleCallAssist: POST /assistance-calls/:id/assists, a guard's or
// volunteer's answer to an open call of their booth.
func (s *Server) handleCallAssist(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var r assistJSON
	if err := bind(c, &r); err != nil {
		return err
	}
	a, err := s.store.AssistCall(c.Request().Context(), id, caller(c).UserID, r.Status, s.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"call_id": strconv.FormatInt(id, 10), "status": a.Status, "at": a.CreatedAt})
}

type volunteersVisibleJSON struct {
	Visible *bool `json:"visible"`
}

// handleVolunteersVisible: PUT /booths/:id/volunteers-visible, whether the
// booth's callers see that a community volunteer is on the way (the
// station's officers and head decide).
func (s *Server) handleVolunteersVisible(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var r volunteersVisibleJSON
	if err := bind(c, &r); err != nil {
		return err
	}
	if r.Visible == nil {
		return app.Errorf(app.EINVALID, "visible: true or false")
	}
	station, err := ownStation(c)
	if err != nil {
		return err
	}
	b, err := s.store.SetVolunteersVisible(c.Request().Context(), actorOf(c), station, id, *r.Visible)
	if err != nil {
		return err
	}
	s.cache.booths.forgetAll()
	return c.JSON(http.StatusOK, map[string]any{"id": strconv.FormatInt(b.ID, 10), "volunteers_visible": b.VolunteersVisible})
}

// residentCallJSON is a call as its caller sees it: with whether a
// community volunteer is on the way, where the booth lets callers know.
type residentCallJSON struct {
	callJSON
	VolunteerOnTheWay bool `json:"volunteer_on_the_way"`
}

// volunteerOnTheWay reports whether the caller of call may be told that a
// community volunteer is coming: the booth allows it and one answered.
func (s *Server) volunteerOnTheWay(c echo.Context, call *app.AssistanceCall) (bool, error) {
	ctx := c.Request().Context()
	b, err := s.booth(ctx, call.BoothID)
	if err != nil || !b.VolunteersVisible || !call.Status.Open() {
		return false, err
	}
	assists, err := s.store.CallAssists(ctx, call.ID)
	return len(assists) > 0, err
}
