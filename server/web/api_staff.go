package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
)

type staffRequest struct {
	Phone     string `json:"phone"`
	Name      string `json:"name"`
	Password  string `json:"password"`
	BadgeNo   string `json:"badge_no"`
	Role      string `json:"role"`       // officer (the default), guard or volunteer; the admin also head
	StationID string `json:"station_id"` // admin only, for heads and officers
	BoothID   string `json:"booth_id"`   // guards and volunteers: the booth they help
}

// createStaff makes a staff account for the caller's scope: a head makes
// officers of their station and guards and volunteers of its booths, the
// admin any of these or heads.
func (s *Server) createStaff(c echo.Context, r staffRequest) (*app.User, error) {
	p := caller(c)
	phone, err := app.NormalizePhone(r.Phone)
	if err != nil {
		return nil, err
	}
	if err := app.ValidatePassword(r.Password); err != nil {
		return nil, err
	}
	// A head's request makes an officer of the head's station unless it
	// asks for a guard or volunteer; a role off the list is an error, not
	// something to ignore.
	role := app.Role(r.Role)
	if role == "" {
		role = app.RoleOfficer
	}
	if !role.Valid() || (!role.Staff() && !role.Responder()) {
		return nil, app.Errorf(app.EINVALID, "role must be officer, head, guard or volunteer")
	}
	u := &app.User{Role: app.RoleOfficer, Phone: phone, Name: r.Name, BadgeNo: r.BadgeNo, Language: app.LanguageChinese, PhoneVerified: true, MustChangePassword: true}
	if role.Responder() {
		booth, err := parseID(r.BoothID)
		if err != nil {
			return nil, app.Errorf(app.EINVALID, "booth_id is required for a guard or volunteer").WithMessage("booth_required")
		}
		u.Role, u.BoothID = role, &booth
	} else if p.Role == app.RoleAdmin {
		u.Role = role
		id, err := parseID(r.StationID)
		if err != nil {
			return nil, app.Errorf(app.EINVALID, "station_id is required")
		}
		u.StationID = &id
	} else {
		u.StationID = p.StationID // a head's other requests make an officer, as before
	}
	if u.PasswordHash, err = s.hashPassword(c, r.Password); err != nil {
		return nil, err
	}
	if err := s.store.CreateStaff(c.Request().Context(), actorOf(c), u); err != nil {
		return nil, err
	}
	return u, nil
}

// staffStation is the station whose staff the caller manages: a head's
// own, or for the admin the station_id query parameter.
func staffStation(c echo.Context) (int64, error) {
	p := caller(c)
	if id, ok := p.stationOf(); ok {
		if v := c.QueryParam("station_id"); v != "" {
			if _, err := parseID(v); err != nil {
				return 0, app.Errorf(app.EINVALID, "station_id is not valid")
			}
		}
		return id, nil
	}
	id, err := parseID(c.QueryParam("station_id"))
	if err != nil {
		return 0, app.Errorf(app.EINVALID, "station_id is required")
	}
	return id, nil
}

// handleStaffList: GET /staff lists a station's heads, officers, guards
// and volunteers.
func (s *Server) handleStaffList(c echo.Context) error {
	station, err := staffStation(c)
	if err != nil {
		return err
	}
	users, err := s.store.ListStaff(c.Request().Context(), station)
	if err != nil {
		return err
	}
	items := make([]userJSON, 0, len(users))
	for i := range users {
		items = append(items, toUserJSON(&users[i]))
	}
	return c.JSON(http.StatusOK, list[userJSON]{Items: items})
}

// handleStaffCreate: POST /staff.
func (s *Server) handleStaffCreate(c echo.Context) error {
	var r staffRequest
	if err := bind(c, &r); err != nil {
		return err
	}
	u, err := s.createStaff(c, r)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toUserJSON(u))
}

// staffTarget reads the :id of a staff route.
func staffTarget(c echo.Context) (int64, error) {
	id, err := parseID(c.Param("id"))
	if err != nil {
		return 0, app.ErrNotFound
	}
	return id, nil
}

// handleStaffDisable: POST /staff/:id/disable.
func (s *Server) handleStaffDisable(c echo.Context) error { return s.setStaffDisabled(c, true) }

// handleStaffEnable: POST /staff/:id/enable.
func (s *Server) handleStaffEnable(c echo.Context) error { return s.setStaffDisabled(c, false) }

func (s *Server) setStaffDisabled(c echo.Context, disabled bool) error {
	id, err := staffTarget(c)
	if err != nil {
		return err
	}
	if err := s.store.SetDisabled(c.Request().Context(), actorOf(c), id, disabled); err != nil {
		return err
	}
	s.sessions.forgetAll()
	return c.JSON(http.StatusOK, map[string]any{"id": strconv.FormatInt(id, 10), "disabled": disabled})
}

type passwordResetRequest struct {
	Password string `json:"password"`
}

// handleStaffResetPassword: POST /staff/:id/reset-password sets a one-time
// password the officer must change at next sign-in.
func (s *Server) handleStaffResetPassword(c echo.Context) error {
	id, err := staffTarget(c)
	if err != nil {
		return err
	}
	var r passwordResetRequest
	if err := bind(c, &r); err != nil {
		return err
	}
	if err := s.resetStaffPassword(c, id, r.Password); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"id": strconv.FormatInt(id, 10), "must_change_password": true})
}

func (s *Server) resetStaffPassword(c echo.Context, id int64, password string) error {
	if err := app.ValidatePassword(password); err != nil {
		return err
	}
	hash, err := s.hashPassword(c, password)
	if err != nil {
		return err
	}
	if err := s.store.ResetStaffPassword(c.Request().Context(), actorOf(c), id, hash); err != nil {
		return err
	}
	s.sessions.forgetAll()
	return nil
}

// auditJSON is one audit entry as the API shows it.
type auditJSON struct {
	ID      int64     `json:"id,string"`
	At      time.Time `json:"at"`
	ActorID *int64    `json:"actor_id,string,omitempty"`
	Action  string    `json:"action"`
	Target  string    `json:"target"`
	Detail  string    `json:"detail"`
	IP      string    `json:"ip"`
}

// auditFilter reads the audit log's filters from the query. Dates are the
// station's local days.
func (s *Server) auditFilter(c echo.Context, station int64) (app.AuditFilter, error) {
	f := app.AuditFilter{StationID: station, Action: c.QueryParam("action"), Limit: 50}
	if f.Action != "" && !isCode(f.Action) {
		return f, app.Errorf(app.EINVALID, "action must be an action's code, like shift.sign_off")
	}
	loc := s.stationLocation(c, station)
	if v := c.QueryParam("actor"); v != "" {
		id, err := parseID(v)
		if err != nil {
			return f, app.Errorf(app.EINVALID, "actor must be a user id")
		}
		f.ActorID = id
	}
	for name, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		if v := c.QueryParam(name); v != "" {
			d, err := time.ParseInLocation(time.DateOnly, v, loc)
			if err != nil {
				return f, app.Errorf(app.EINVALID, "%s must be a date like 2026-11-26", name)
			}
			*dst = d
		}
	}
	if !f.To.IsZero() {
		f.To = f.To.AddDate(0, 0, 1) // the whole last day
	}
	if v := c.QueryParam("cursor"); v != "" {
		id, err := parseID(v)
		if err != nil {
			return f, app.Errorf(app.EINVALID, "cursor is not valid")
		}
		f.Before = id
	}
	return f, nil
}

// handleAuditList: GET /audit, a head's station's audit log.
func (s *Server) handleAuditList(c echo.Context) error {
	station, _ := caller(c).stationOf()
	f, err := s.auditFilter(c, station)
	if err != nil {
		return err
	}
	entries, err := s.store.ListAudit(c.Request().Context(), f)
	if err != nil {
		return err
	}
	out := list[auditJSON]{Items: make([]auditJSON, 0, len(entries))}
	for _, e := range entries {
		out.Items = append(out.Items, auditJSON{ID: e.ID, At: e.CreatedAt, ActorID: e.ActorID, Action: e.Action, Target: e.Target, Detail: e.Detail, IP: e.IP})
	}
	if len(entries) == f.Limit {
		out.NextCursor = strconv.FormatInt(entries[len(entries)-1].ID, 10)
	}
	return c.JSON(http.StatusOK, out)
}

type stationRequest struct {
	Name     string `json:"name"`
	NameEn   string `json:"name_en"`
	TimeZone string `json:"time_zone"`
	Phone    string `json:"phone"`
}

// handleStationCreate: POST /stations (admin).
func (s *Server) handleStationCreate(c echo.Context) error {
	var r stationRequest
	if err := bind(c, &r); err != nil {
		return err
	}
	st := &app.Station{Name: r.Name, NameEn: r.NameEn, TimeZone: r.TimeZone, Phone: r.Phone}
	if st.TimeZone == "" {
		st.TimeZone = s.cfg.TimeZone.String()
	}
	if err := s.store.CreateStation(c.Request().Context(), actorOf(c), st); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, st)
}

type boothRequest struct {
	Name   string  `json:"name"`
	NameEn string  `json:"name_en"`
	Phone  string  `json:"phone"`
	Lat    float64 `json:"lat"`
	Lng    float64 `json:"lng"`
}

// handleBoothCreate: POST /stations/:id/booths (admin).
func (s *Server) handleBoothCreate(c echo.Context) error {
	station, err := parseID(c.Param("id"))
	if err != nil {
		return app.ErrNotFound
	}
	var r boothRequest
	if err := bind(c, &r); err != nil {
		return err
	}
	b := &app.Booth{StationID: station, Name: r.Name, NameEn: r.NameEn, Phone: r.Phone, Lat: r.Lat, Lng: r.Lng}
	if err := s.store.CreateBooth(c.Request().Context(), actorOf(c), b); err != nil {
		return err
	}
	s.cache.booths.forgetAll()
	return c.JSON(http.StatusCreated, boothJSON{ID: b.ID, Name: b.Name, NameEn: b.NameEn, StationID: b.StationID, Phone: b.Phone, Lat: b.Lat, Lng: b.Lng})
}
