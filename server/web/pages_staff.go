package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
	"policebooth/server/auth"
	"policebooth/server/i18n"
	"policebooth/server/notify"
	"policebooth/templates/pages"
	"policebooth/templates/view"
)

// staffPage builds a head's staff page.
func (s *Server) staffPage(c echo.Context, form view.NewStaff, flash string) (view.StaffPage, error) {
	ctx := c.Request().Context()
	station, _ := caller(c).stationOf()
	st, err := s.station(ctx, station)
	if err != nil {
		return view.StaffPage{}, err
	}
	users, err := s.store.ListStaff(ctx, station)
	if err != nil {
		return view.StaffPage{}, err
	}
	name := st.Name
	if i18n.Lang(ctx) == i18n.English && st.NameEn != "" {
		name = st.NameEn
	}
	v := view.StaffPage{StationName: name, Form: form, Flash: flash}
	for _, r := range []app.Role{app.RoleOfficer, app.RoleGuard, app.RoleVolunteer} {
		v.Form.Roles = append(v.Form.Roles, view.Option{Value: string(r), Label: staffRoleLabel(c, r), Selected: form.Role == string(r)})
	}
	selected, _ := parseID(form.BoothID)
	if v.Form.Booths, err = s.stationBooths(c, station, selected, ""); err != nil {
		return view.StaffPage{}, err
	}
	for _, u := range users {
		if u.Role == app.RoleHead {
			continue
		}
		v.Officers = append(v.Officers, view.StaffRow{
			ID: itoa64(u.ID), Role: staffRoleLabel(c, u.Role), Name: u.Name, Phone: notify.MaskPhone(u.Phone), BadgeNo: u.BadgeNo,
			Disabled: u.Disabled, MustChangePassword: u.MustChangePassword,
		})
	}
	return v, nil
}

// handleStaffPage: GET /staff, a head's officers.
func (s *Server) handleStaffPage(c echo.Context) error {
	flash := ""
	if c.QueryParam("done") != "" {
		flash = t(c, "flash.saved")
	}
	v, err := s.staffPage(c, view.NewStaff{}, flash)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, t(c, "staff.title"), pages.Staff(v))
}

// handleStaffPageCreate: POST /staff (form) creates an officer.
func (s *Server) handleStaffPageCreate(c echo.Context) error {
	r := staffRequest{Phone: c.FormValue("phone"), Name: c.FormValue("name"), BadgeNo: c.FormValue("badge_no"), Password: c.FormValue("password"),
		Role: c.FormValue("role"), BoothID: c.FormValue("booth_id")}
	form := view.NewStaff{Phone: r.Phone, Name: r.Name, BadgeNo: r.BadgeNo, Role: r.Role, BoothID: r.BoothID, Errors: view.Errors{}}
	checkPhone(c, form.Errors, r.Phone)
	checkName(c, form.Errors, r.Name)
	checkPassword(c, form.Errors, "password", r.Password)
	if app.Role(r.Role).Responder() {
		r.BadgeNo = "" // guards and volunteers carry no police badge
	} else if r.BadgeNo == "" {
		form.Errors["badge_no"] = t(c, "err.badge_required")
	}
	status := http.StatusBadRequest
	if len(form.Errors) == 0 {
		_, err := s.createStaff(c, r)
		if err == nil {
			return c.Redirect(http.StatusSeeOther, "/staff?done=1")
		}
		msg, st, err := s.formError(c, err)
		if err != nil {
			return err
		}
		form.Errors[""], status = msg, st
	}
	v, err := s.staffPage(c, form, "")
	if err != nil {
		return err
	}
	return s.render(c, status, t(c, "staff.title"), pages.Staff(v))
}

// handleStaffPageAction: POST /staff/:id/(disable|enable|reset-password)
// from the head's page. A reset gives the officer a one-time password the
// head reads out to them.
func (s *Server) handleStaffPageAction(c echo.Context) error {
	id, err := staffTarget(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	flash := t(c, "flash.saved")
	switch c.Param("action") {
	case "disable", "enable":
		err = s.store.SetDisabled(ctx, actorOf(c), id, c.Param("action") == "disable")
		s.sessions.forgetAll()
	case "reset-password":
		var password string
		if password, err = auth.OneTimePassword(); err == nil {
			err = s.resetStaffPassword(c, id, password)
			flash = t(c, "flash.one_time_password", "Password", password)
		}
	default:
		return echo.ErrNotFound
	}
	if err != nil {
		return err
	}
	v, err := s.staffPage(c, view.NewStaff{}, flash)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, t(c, "staff.title"), pages.Staff(v))
}

// handleAuditPage: GET /audit, a head's audit log with filters.
func (s *Server) handleAuditPage(c echo.Context) error {
	ctx := c.Request().Context()
	station, _ := caller(c).stationOf()
	f, err := s.auditFilter(c, station)
	if err != nil {
		return err
	}
	entries, err := s.store.ListAudit(ctx, f)
	if err != nil {
		return err
	}
	staff, err := s.store.ListStaff(ctx, station)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	v := view.AuditPage{Action: f.Action, From: c.QueryParam("from"), To: c.QueryParam("to")}
	v.Actors = append(v.Actors, view.Option{Value: "", Label: t(c, "audit.anyone")})
	for _, u := range staff {
		names[u.ID] = u.Name
		v.Actors = append(v.Actors, view.Option{Value: itoa64(u.ID), Label: u.Name, Selected: u.ID == f.ActorID})
	}
	loc := s.stationLocation(c, station)
	for _, e := range entries {
		actor := ""
		if e.ActorID != nil {
			if actor = names[*e.ActorID]; actor == "" {
				actor = "#" + itoa64(*e.ActorID)
			}
		}
		v.Rows = append(v.Rows, view.AuditRow{At: e.CreatedAt.In(loc).Format(time.DateTime), Actor: actor, Action: e.Action, Target: e.Target, Detail: e.Detail})
	}
	failed, err := s.store.FailedMessages(ctx, station, 50)
	if err != nil {
		return err
	}
	for _, m := range failed {
		v.FailedTexts = append(v.FailedTexts, view.FailedText{At: m.CreatedAt.In(loc).Format(time.DateTime),
			To: notify.MaskPhone(m.Phone), Kind: m.Kind, Error: m.LastError})
	}
	if len(entries) == f.Limit {
		q := c.QueryParams()
		q.Set("cursor", strconv.FormatInt(entries[len(entries)-1].ID, 10))
		v.NextURL = "/audit?" + q.Encode()
	}
	return s.render(c, http.StatusOK, t(c, "audit.title"), pages.Audit(v))
}

// staffRoleLabel names a staff account's role in the reader's language.
func staffRoleLabel(c echo.Context, r app.Role) string {
	switch r {
	case app.RoleHead:
		return t(c, "staff.role_head")
	case app.RoleGuard:
		return t(c, "staff.role_guard")
	case app.RoleVolunteer:
		return t(c, "staff.role_volunteer")
	}
	return t(c, "staff.role_officer")
}
