package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
)

// callJSON is an assistance call as the API shows it.
type callJSON struct {
	*app.AssistanceCall
}

// callScope is what the caller may see: a resident their own calls, staff
// their station's.
func callScope(c echo.Context) (app.CallScope, error) {
	p := caller(c)
	switch {
	case p.Role == app.RoleResident:
		return app.CallScope{CallerID: p.UserID}, nil
	case p.Role.Staff() && p.StationID != nil:
		return app.CallScope{StationID: *p.StationID}, nil
	}
	return app.CallScope{}, app.Errorf(app.EFORBIDDEN, "only residents and station staff have assistance calls")
}

type newCallJSON struct {
	Category  string     `json:"category"`
	Message   string     `json:"message"`
	Silent    bool       `json:"silent"`
	Lat       *float64   `json:"lat"`
	Lng       *float64   `json:"lng"`
	AccuracyM *float64   `json:"accuracy_m"`
	BoothID   string     `json:"booth_id"`
	WrittenAt *time.Time `json:"written_at"`
}

// handleCallCreate: POST /assistance-calls (resident).
func (s *Server) handleCallCreate(c echo.Context) error {
	var r newCallJSON
	if err := bind(c, &r); err != nil {
		return err
	}
	nc := app.NewCall{CallerID: caller(c).UserID, Category: r.Category, Message: strings.TrimSpace(r.Message), Silent: r.Silent,
		Lat: r.Lat, Lng: r.Lng, AccuracyM: r.AccuracyM, WrittenAt: r.WrittenAt}
	if r.BoothID != "" {
		id, err := parseID(r.BoothID)
		if err != nil {
			return app.Errorf(app.EINVALID, "booth_id is not a booth id")
		}
		nc.BoothID = id
	}
	call, err := s.createCall(c, nc)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, callJSON{call})
}

// createCall stores a call; one raised while nobody is on duty has
// escalated at once. The store queues with it the pushes to the station's
// staff and the texts to the caller's contacts and, then, to the heads
// (send_messages delivers them: the caller's answer never waits on the SMS
// gateway or a push service).
func (s *Server) createCall(c echo.Context, nc app.NewCall) (*app.AssistanceCall, error) {
	now := s.now()
	if nc.WrittenAt != nil {
		if err := app.CheckDeviceTime("written_at", *nc.WrittenAt, caller(c).User.CreatedAt, now); err != nil {
			return nil, err
		}
	}
	call, err := s.store.CreateCall(c.Request().Context(), nc, now)
	if err != nil {
		return nil, err
	}
	if call.EscalationLevel > 0 {
		s.ops.escalations.Inc()
		s.log.Warn("assistance call raised with nobody on duty", "call_id", call.ID, "booth_id", call.BoothID)
	}
	return call, nil
}

// handleCallList: GET /assistance-calls (?open=1 for open ones only).
func (s *Server) handleCallList(c echo.Context) error {
	if caller(c).Role.Responder() {
		return s.handleResponderCallList(c)
	}
	scope, err := callScope(c)
	if err != nil {
		return err
	}
	open := false
	if v := c.QueryParam("open"); v != "" {
		if open, err = strconv.ParseBool(v); err != nil {
			return app.Errorf(app.EINVALID, "open must be true or false")
		}
	}
	var before int64
	if v := c.QueryParam("cursor"); v != "" {
		if before, err = parseID(v); err != nil {
			return app.Errorf(app.EINVALID, "cursor is not valid")
		}
	}
	limit := 100
	if v := c.QueryParam("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 100 {
			return app.Errorf(app.EINVALID, "limit must be 1 to 100")
		}
	}
	calls, err := s.store.ListCalls(c.Request().Context(), scope, open, before, limit)
	if err != nil {
		return err
	}
	out := list[callJSON]{Items: make([]callJSON, 0, len(calls))}
	for i := range calls {
		out.Items = append(out.Items, callJSON{&calls[i]})
	}
	if len(calls) == limit {
		out.NextCursor = strconv.FormatInt(calls[len(calls)-1].ID, 10)
	}
	return c.JSON(http.StatusOK, out)
}

// handleCallGet: GET /assistance-calls/:id.
func (s *Server) handleCallGet(c echo.Context) error {
	call, err := s.findCall(c)
	if err != nil {
		return err
	}
	if caller(c).Role.Staff() {
		out, err := s.staffCall(c, call)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, out)
	}
	coming, err := s.volunteerOnTheWay(c, call)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, residentCallJSON{callJSON: callJSON{call}, VolunteerOnTheWay: coming})
}

func (s *Server) findCall(c echo.Context) (*app.AssistanceCall, error) {
	id, err := idParam(c)
	if err != nil {
		return nil, err
	}
	scope, err := callScope(c)
	if err != nil {
		return nil, err
	}
	return s.store.FindCall(c.Request().Context(), id, scope)
}

type locationJSON struct {
	Lat       *float64 `json:"lat"`
	Lng       *float64 `json:"lng"`
	AccuracyM *float64 `json:"accuracy_m"`
}

// handleCallLocation: POST /assistance-calls/:id/location, the caller's
// newer position.
func (s *Server) handleCallLocation(c echo.Context) error {
	var r locationJSON
	if err := bind(c, &r); err != nil {
		return err
	}
	if r.Lat == nil || r.Lng == nil || r.AccuracyM == nil {
		return app.Errorf(app.EINVALID, "lat, lng and accuracy_m are required")
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := s.store.UpdateLocation(c.Request().Context(), id, caller(c).UserID, *r.Lat, *r.Lng, *r.AccuracyM, s.now()); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "recorded"})
}

// handleCallMessage: POST /assistance-calls/:id/messages.
func (s *Server) handleCallMessage(c echo.Context) error {
	var r noteRequest
	if err := bind(c, &r); err != nil {
		return err
	}
	m, err := s.addCallMessage(c, r.Text)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, m)
}

func (s *Server) addCallMessage(c echo.Context, text string) (*app.CallMessage, error) {
	id, err := idParam(c)
	if err != nil {
		return nil, err
	}
	scope, err := callScope(c)
	if err != nil {
		return nil, err
	}
	return s.store.AddCallMessage(c.Request().Context(), id, scope, caller(c).UserID, text, s.now())
}

// handleCallTransition: POST /assistance-calls/:id/transitions.
func (s *Server) handleCallTransition(c echo.Context) error {
	var r transitionRequest
	if err := bind(c, &r); err != nil {
		return err
	}
	call, err := s.moveCall(c, app.CallStatus(r.To), r.Note)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, callJSON{call})
}

func (s *Server) moveCall(c echo.Context, to app.CallStatus, note string) (*app.AssistanceCall, error) {
	id, err := idParam(c)
	if err != nil {
		return nil, err
	}
	scope, err := callScope(c)
	if err != nil {
		return nil, err
	}
	call, err := s.store.MoveCall(c.Request().Context(), id, scope, caller(c).UserID, to, strings.TrimSpace(note), s.now())
	if err == nil && to == app.CallAcknowledged {
		s.ops.acknowledged(call)
	}
	return call, err
}
