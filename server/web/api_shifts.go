package web

import (
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
)

type clockInJSON struct {
	BoothID string   `json:"booth_id"`
	Lat     *float64 `json:"lat"`
	Lng     *float64 `json:"lng"`
	Window  int      `json:"window"` // the counter window; default 1
}

// handleClockIn: POST /shifts/clock-in (officer).
func (s *Server) handleClockIn(c echo.Context) error {
	var r clockInJSON
	if err := bind(c, &r); err != nil {
		return err
	}
	booth, err := parseID(r.BoothID)
	if err != nil {
		return app.Errorf(app.EINVALID, "booth_id is not a booth id")
	}
	sh, err := s.clockIn(c, app.ClockIn{OfficerID: caller(c).UserID, BoothID: booth, Lat: r.Lat, Lng: r.Lng, Window: r.Window})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, sh)
}

// clockIn starts a shift; going on duty also starts the dark-tablet grace,
// since the board is about to open.
func (s *Server) clockIn(c echo.Context, in app.ClockIn) (*app.Shift, error) {
	ctx := c.Request().Context()
	now := s.now()
	sh, err := s.store.StartShift(ctx, in, now)
	if err != nil {
		return nil, err
	}
	if err := s.store.TouchStreams(ctx, []int64{in.OfficerID}, now); err != nil {
		return nil, err
	}
	return sh, nil
}

type clockOutJSON struct {
	HandoverNote string `json:"handover_note"`
}

// handleClockOut: POST /shifts/clock-out (officer).
func (s *Server) handleClockOut(c echo.Context) error {
	var r clockOutJSON
	if err := bind(c, &r); err != nil {
		return err
	}
	sh, err := s.store.EndShift(c.Request().Context(), caller(c).UserID, r.HandoverNote, s.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sh)
}

// currentShiftJSON is an officer's open shift and the handover waiting
// for them at its booth.
type currentShiftJSON struct {
	*app.Shift
	OpenHandover *app.Shift `json:"open_handover,omitempty"`
}

// handleShiftCurrent: GET /shifts/current (officer): 404 when off duty.
func (s *Server) handleShiftCurrent(c echo.Context) error {
	ctx := c.Request().Context()
	p := caller(c)
	sh, err := s.store.CurrentShift(ctx, p.UserID)
	if err != nil {
		return err
	}
	out := currentShiftJSON{Shift: sh}
	if h, err := s.store.OpenHandover(ctx, sh.BoothID, p.UserID); err == nil {
		out.OpenHandover = h
	} else if app.ErrorCode(err) != app.ENOTFOUND {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// shiftFilter reads ?booth_id=&officer_id=&from=&to=&cursor=&limit= for
// the caller's station; from and to are dates in the station's time zone,
// and the period defaults to the last 7 days.
func (s *Server) shiftFilter(c echo.Context) (app.ShiftFilter, error) {
	station, err := ownStation(c)
	if err != nil {
		return app.ShiftFilter{}, err
	}
	f := app.ShiftFilter{StationID: station, Limit: 50}
	q := c.QueryParams()
	for name, dst := range map[string]*int64{"booth_id": &f.BoothID, "officer_id": &f.OfficerID, "cursor": &f.Before} {
		if v := q.Get(name); v != "" {
			id, err := parseID(v)
			if err != nil {
				return f, app.Errorf(app.EINVALID, "%s is not valid", name)
			}
			*dst = id
		}
	}
	if f.From, f.To, err = s.period(c, station); err != nil {
		return f, err
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			return f, app.Errorf(app.EINVALID, "limit must be 1 to 200")
		}
		f.Limit = n
	}
	return f, nil
}

// period reads ?from=&to= as dates in the station's time zone (to
// included); by default the last 7 days up to today.
func (s *Server) period(c echo.Context, station int64) (from, to time.Time, err error) {
	loc := s.stationLocation(c, station)
	today := s.now().In(loc)
	to = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, loc).AddDate(0, 0, 1)
	from = to.AddDate(0, 0, -7)
	for name, dst := range map[string]*time.Time{"from": &from, "to": &to} {
		if v := c.QueryParam(name); v != "" {
			d, err := time.ParseInLocation(time.DateOnly, v, loc)
			if err != nil {
				return from, to, app.Errorf(app.EINVALID, "%s must be a date like 2026-11-26", name)
			}
			*dst = d
			if name == "to" {
				*dst = d.AddDate(0, 0, 1)
			}
		}
	}
	if !from.Before(to) {
		return from, to, app.Errorf(app.EINVALID, "from must not be after to")
	}
	return from, to, nil
}

// handleShiftList: GET /shifts (staff).
func (s *Server) handleShiftList(c echo.Context) error {
	f, err := s.shiftFilter(c)
	if err != nil {
		return err
	}
	shifts, err := s.store.ListShifts(c.Request().Context(), f)
	if err != nil {
		return err
	}
	out := list[app.Shift]{Items: shifts}
	if out.Items == nil {
		out.Items = []app.Shift{}
	}
	if len(shifts) == f.Limit {
		out.NextCursor = itoa64(shifts[len(shifts)-1].ID)
	}
	return c.JSON(http.StatusOK, out)
}

// shiftJSON is one shift with its log and its figures.
type shiftJSON struct {
	*app.Shift
	Figures *app.Figures `json:"figures"`
}

// shiftWithFigures loads a shift of the caller's station and counts what
// happened at its booth while it lasted.
func (s *Server) shiftWithFigures(c echo.Context) (*shiftJSON, error) {
	station, id, err := shiftOfStation(c)
	if err != nil {
		return nil, err
	}
	ctx := c.Request().Context()
	sh, err := s.store.FindShift(ctx, station, id)
	if err != nil {
		return nil, err
	}
	end := s.now()
	if sh.EndedAt != nil {
		end = *sh.EndedAt
	}
	f, err := s.store.Figures(ctx, app.FigureQuery{StationID: station, BoothID: sh.BoothID, From: sh.StartedAt, To: end,
		ShiftID: sh.ID, Zone: s.stationLocation(c, station)})
	if err != nil {
		return nil, err
	}
	return &shiftJSON{Shift: sh, Figures: f}, nil
}

// handleShiftGet: GET /shifts/:id (staff).
func (s *Server) handleShiftGet(c echo.Context) error {
	sh, err := s.shiftWithFigures(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sh)
}

type entryJSON struct {
	Kind      string     `json:"kind"`
	Text      string     `json:"text"`
	Corrects  string     `json:"corrects"`
	WrittenAt *time.Time `json:"written_at"`
	// Participants are the ids of the guards and volunteers along on a patrol.
	Participants []string `json:"participants"`
}

// handleShiftEntry: POST /shifts/:id/entries (the shift's officer; a head's note).
func (s *Server) handleShiftEntry(c echo.Context) error {
	var r entryJSON
	if err := bind(c, &r); err != nil {
		return err
	}
	e, err := s.addEntry(c, r)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, e)
}

func (s *Server) addEntry(c echo.Context, r entryJSON) (*app.ShiftEntry, error) {
	station, id, err := shiftOfStation(c)
	if err != nil {
		return nil, err
	}
	p := caller(c)
	ne := app.NewEntry{Kind: r.Kind, Text: r.Text, WrittenAt: r.WrittenAt}
	for _, v := range r.Participants {
		id, err := parseID(v)
		if err != nil {
			return nil, app.Errorf(app.EINVALID, "participants are user ids").WithMessage("participants_invalid")
		}
		ne.Participants = append(ne.Participants, id)
	}
	if r.Corrects != "" {
		if ne.Corrects, err = parseID(r.Corrects); err != nil {
			return nil, app.Errorf(app.EINVALID, "corrects is not an entry id")
		}
	}
	return s.store.AddEntry(c.Request().Context(), station, id, p.Claims, ne, s.now())
}

type signOffJSON struct {
	Comment string `json:"comment"`
}

// handleShiftSignOff: POST /shifts/:id/sign-off (head).
func (s *Server) handleShiftSignOff(c echo.Context) error {
	var r signOffJSON
	if err := bind(c, &r); err != nil {
		return err
	}
	sh, err := s.signOff(c, r.Comment)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sh)
}

func (s *Server) signOff(c echo.Context, comment string) (*app.Shift, error) {
	station, id, err := shiftOfStation(c)
	if err != nil {
		return nil, err
	}
	return s.store.SignOff(c.Request().Context(), station, id, actorOf(c), comment, s.now())
}

// handleHandoverAck: POST /shifts/:id/handover-ack (officer on duty at its booth).
func (s *Server) handleHandoverAck(c echo.Context) error {
	sh, err := s.acknowledgeHandover(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sh)
}

func (s *Server) acknowledgeHandover(c echo.Context) (*app.Shift, error) {
	station, id, err := shiftOfStation(c)
	if err != nil {
		return nil, err
	}
	p := caller(c)
	return s.store.AcknowledgeHandover(c.Request().Context(), station, id, p.UserID, s.now())
}

// periodFigures counts a station's (or booth's) period for the review;
// entries: with the log entries of its shifts by kind.
func (s *Server) periodFigures(c echo.Context, f app.ShiftFilter, now time.Time, entries bool) (*app.Figures, error) {
	return s.store.Figures(c.Request().Context(), app.FigureQuery{StationID: f.StationID, BoothID: f.BoothID, From: f.From, To: f.To,
		Entries: entries, OfficerID: f.OfficerID, Zone: s.stationLocation(c, f.StationID), Now: now})
}

// handleShiftFigures: GET /shifts/figures (head): the period's figures.
func (s *Server) handleShiftFigures(c echo.Context) error {
	f, err := s.shiftFilter(c)
	if err != nil {
		return err
	}
	figures, err := s.periodFigures(c, f, s.now(), true)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, figures)
}

var pinPattern = regexp.MustCompile(`^[0-9]{6}$`)

type pinJSON struct {
	Password string `json:"password"`
	Pin      string `json:"pin"`
}

// handlePinSet: PUT /me/pin (staff): the password confirms who sets it.
func (s *Server) handlePinSet(c echo.Context) error {
	var r pinJSON
	if err := bind(c, &r); err != nil {
		return err
	}
	if err := s.setPin(c, r.Password, r.Pin); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) setPin(c echo.Context, password, pin string) error {
	if !pinPattern.MatchString(pin) {
		return app.Errorf(app.EINVALID, "pin must be 6 digits")
	}
	p := caller(c)
	if err := s.throttle(c, 10, 15*time.Minute, "password:user:"+itoa64(p.UserID)); err != nil {
		return err
	}
	if ok, err := s.checkPassword(c, password, p.User.PasswordHash); err != nil {
		return err
	} else if !ok {
		return app.Errorf(app.EINVALID, "the password is not right")
	}
	hash, err := s.hashing.HashPin(c.Request().Context(), pin)
	if err != nil {
		return err
	}
	return s.store.SetPin(c.Request().Context(), p.UserID, hash, s.now())
}

type switchJSON struct {
	OfficerID string `json:"officer_id"`
	Pin       string `json:"pin"`
}

// handlePinSwitch: POST /auth/pin (officer): another officer of the
// station takes over this device with their PIN; the current session ends
// and the answer is the new officer's token pair.
func (s *Server) handlePinSwitch(c echo.Context) error {
	var r switchJSON
	if err := bind(c, &r); err != nil {
		return err
	}
	grant, err := s.switchOfficer(c, r.OfficerID, r.Pin)
	if err != nil {
		return err
	}
	pair, err := s.issue(grant)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pair)
}

// switchOfficer checks the PIN of an officer of the caller's station
// (5 tries in 15 minutes per officer) and moves the device to them.
func (s *Server) switchOfficer(c echo.Context, officer, pin string) (*app.SessionGrant, error) {
	p := caller(c)
	station, err := ownStation(c)
	if err != nil {
		return nil, err
	}
	id, err := parseID(officer)
	if err != nil {
		return nil, app.Errorf(app.EINVALID, "officer_id is not an officer id")
	}
	ctx := c.Request().Context()
	u, err := s.store.FindUser(ctx, id)
	if err != nil || u.Role != app.RoleOfficer || u.StationID == nil || *u.StationID != station {
		return nil, app.ErrNotFound
	}
	if err := s.throttle(c, 5, 15*time.Minute, "pin:user:"+itoa64(u.ID)); err != nil {
		return nil, err
	}
	pinOK := false
	if !u.Disabled && u.PinHash != "" {
		if pinOK, err = s.checkPassword(c, pin, u.PinHash); err != nil {
			return nil, err
		}
	}
	if !pinOK {
		s.log.Info("tablet switch refused", "officer_id", u.ID, "by", p.UserID, "ip", c.RealIP())
		return nil, app.Errorf(app.EINVALID, "the PIN is not right, or that officer has not set one")
	}
	_ = s.store.ClearThrottle(ctx, "pin:user:"+itoa64(u.ID))
	grant, err := s.store.SwitchSession(ctx, p.Claims, u, c.RealIP(), s.now())
	if err != nil {
		return nil, err
	}
	s.sessions.forget(p.SessionID)
	s.streams.end(p.SessionID)
	return grant, nil
}

// shiftOfStation reads the :id of a shift and the caller's station, which
// every store call about one shift is scoped to.
func shiftOfStation(c echo.Context) (station, id int64, err error) {
	if id, err = idParam(c); err != nil {
		return 0, 0, err
	}
	station, err = ownStation(c)
	return station, id, err
}
