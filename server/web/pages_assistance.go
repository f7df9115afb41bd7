package web

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
	"policebooth/templates/pages"
	"policebooth/templates/view"
)

// openCall returns the resident's open call, if any.
func (s *Server) openCall(c echo.Context) (*app.AssistanceCall, error) {
	calls, err := s.store.ListCalls(c.Request().Context(), app.CallScope{CallerID: caller(c).UserID}, true, 0, 1)
	if err != nil || len(calls) == 0 {
		return nil, err
	}
	return &calls[0], nil
}

func (s *Server) helpPage(c echo.Context, errs view.Errors) view.HelpPage {
	v := view.HelpPage{Errors: errs, IdempotencyKey: newKey(), BoothPhone: s.boothOf(c.Request().Context(), caller(c).User).Phone}
	for _, cat := range app.CallCategories {
		v.Categories = append(v.Categories, view.Option{Value: cat, Label: t(c, "cat_"+cat)})
	}
	return v
}

// handleHelpPage: GET /help, the resident's help button; with a call open,
// its page instead.
func (s *Server) handleHelpPage(c echo.Context) error {
	open, err := s.openCall(c)
	if err != nil {
		return err
	}
	if open != nil {
		return c.Redirect(http.StatusSeeOther, "/calls/"+itoa64(open.ID))
	}
	return s.render(c, http.StatusOK, t(c, "help.title"), pages.Help(s.helpPage(c, view.Errors{})))
}

// handleHelpSubmit: POST /help sends the call.
func (s *Server) handleHelpSubmit(c echo.Context) error {
	nc := app.NewCall{CallerID: caller(c).UserID, Category: c.FormValue("category"), Message: strings.TrimSpace(c.FormValue("message")), Silent: c.FormValue("silent") != ""}
	lat, err1 := strconv.ParseFloat(c.FormValue("lat"), 64)
	lng, err2 := strconv.ParseFloat(c.FormValue("lng"), 64)
	if err1 == nil && err2 == nil {
		nc.Lat, nc.Lng = &lat, &lng
		if acc, err := strconv.ParseFloat(c.FormValue("accuracy_m"), 64); err == nil {
			nc.AccuracyM = &acc
		}
	}
	nc.WrittenAt = formTime(c, "written_at")
	call, err := s.createCall(c, nc)
	if app.ErrorCode(err) == app.ECONFLICT {
		if open, oerr := s.openCall(c); oerr == nil && open != nil {
			return c.Redirect(http.StatusSeeOther, "/calls/"+itoa64(open.ID))
		}
	}
	if err != nil {
		// Every refusal on the help path is shown on the page, beside 110
		// (and 120 for a medical call): a person in danger is never left
		// with an error page.
		msg, status, ferr := s.formError(c, err)
		if ferr != nil {
			code := app.ErrorCode(err)
			if code == app.EINTERNAL {
				return ferr
			}
			msg, status = refusalText(c, err), statusOfCode[code]
		}
		v := s.helpPage(c, view.Errors{"": msg})
		v.Medical = nc.Category == "medical"
		return s.render(c, status, t(c, "help.title"), pages.Help(v))
	}
	return c.Redirect(http.StatusSeeOther, "/calls/"+itoa64(call.ID))
}

// callLabel names a call's status in the reader's language.
func callLabel(c echo.Context, st app.CallStatus) string { return t(c, "call_"+string(st)) }

// ageText says how long ago something happened, in minutes.
func ageText(c echo.Context, at, now time.Time) string {
	return t(c, "call.minutes_ago", "N", int(now.Sub(at).Minutes()))
}

// locationText and mapURL describe where the caller is.
func locationText(c echo.Context, call *app.AssistanceCall) (string, string) {
	if call.Lat == nil || call.Lng == nil {
		return t(c, "call.no_location"), ""
	}
	acc := ""
	if call.AccuracyM != nil {
		acc = t(c, "call.accuracy", "M", int(math.Round(*call.AccuracyM)))
	}
	return fmt.Sprintf("%.5f, %.5f %s", *call.Lat, *call.Lng, acc), fmt.Sprintf("geo:%.6f,%.6f", *call.Lat, *call.Lng)
}

// callPage builds the page of a call for the caller or an officer.
func (s *Server) callPage(c echo.Context, call *app.AssistanceCall) view.CallPage {
	ctx := c.Request().Context()
	p := caller(c)
	now := s.now()
	loc := s.stationLocation(c, call.StationID)
	v := view.CallPage{
		ID: itoa64(call.ID), Status: string(call.Status), StatusLabel: callLabel(c, call.Status), Category: t(c, "cat_"+call.Category),
		Message: call.Message, Silent: call.Silent, Age: ageText(c, call.CreatedAt, now), Escalation: call.EscalationLevel,
		Caller: p.Role == app.RoleResident, CanMessage: call.Status.Open(), MessageKey: newKey(),
	}
	v.Location, v.MapURL = locationText(c, call)
	v.CanCancel = v.Caller && call.Status.Open()
	v.Medical = call.Category == "medical"
	v.Resolved = call.Status == app.CallResolved
	if v.Caller {
		// Not knowing (a failed read) shows nothing, the safe side.
		if coming, err := s.volunteerOnTheWay(c, call); err == nil {
			v.VolunteerOnTheWay = coming
		}
	}
	if call.Repeated {
		v.Repeated = call.CallsThisHour
	}
	people := s.names(ctx)
	v.Officer = people.of(call.AcknowledgedBy)
	if call.AcknowledgedBy != nil {
		if u, err := s.store.FindUser(ctx, *call.AcknowledgedBy); err == nil {
			v.BadgeNo = u.BadgeNo
		}
	}
	reached := map[app.CallStatus]int{app.CallOpen: 0, app.CallAcknowledged: 1, app.CallEnRoute: 2, app.CallOnScene: 3, app.CallResolved: 4}
	at := reached[call.Status]
	for i, st := range []app.CallStatus{app.CallOpen, app.CallAcknowledged, app.CallEnRoute, app.CallOnScene, app.CallResolved} {
		v.Steps = append(v.Steps, view.CallStep{Label: t(c, "step_"+string(st)), Done: call.Status != app.CallCancelled && i <= at})
	}
	for _, m := range call.Messages {
		who := people.of(&m.AuthorID)
		if m.AuthorID == p.UserID {
			who = t(c, "call.me")
		}
		v.Messages = append(v.Messages, view.CallMessageRow{Who: who, At: m.CreatedAt.In(loc).Format("15:04"), Text: m.Text, Mine: m.AuthorID == p.UserID})
	}
	for _, e := range call.Timeline {
		row := view.TimelineRow{At: e.At.In(loc).Format("15:04:05")}
		row.Who = people.of(e.ActorID)
		switch e.Kind {
		case "status":
			row.Text = t(c, "tl.status", "To", callLabel(c, app.CallStatus(e.To)))
			if e.To == string(app.CallResolved) {
				v.Outcome = e.Note
			}
		case "handoff":
			row.Text = handoffText(c, e)
		default:
			row.Text = t(c, "calltl_"+e.Kind)
		}
		v.Timeline = append(v.Timeline, row)
	}
	if !v.Caller {
		for _, to := range []app.CallStatus{app.CallAcknowledged, app.CallEnRoute, app.CallOnScene, app.CallResolved} {
			if app.CheckCallMove(call.Status, to, false) == nil {
				v.Actions = append(v.Actions, view.RequestAction{To: string(to), Label: t(c, "callact_"+string(to)), Primary: len(v.Actions) == 0})
			}
		}
	}
	return v
}

// handleCallPage: GET /calls/:id.
func (s *Server) handleCallPage(c echo.Context) error {
	call, err := s.findCall(c)
	if err != nil {
		return err
	}
	if p := caller(c); p.Role.Staff() {
		// A call's details (the caller's words, their position) stay on a
		// tablet for offline reading only while its officer is on duty.
		if _, err := s.store.OpenShift(c.Request().Context(), p.UserID); err != nil {
			c.Response().Header().Set(offlineHeader, "no")
		}
	}
	v := s.callPage(c, call)
	if err := s.addCallInfo(c, call, &v); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, t(c, "call.title", "ID", itoa64(call.ID)), pages.Call(v))
}

// afterCall answers a call form: back to the call, or the page with the
// problem (e.g. another officer acknowledged first).
func (s *Server) afterCall(c echo.Context, err error) error {
	if err == nil {
		return c.Redirect(http.StatusSeeOther, "/calls/"+c.Param("id"))
	}
	msg, status, ferr := s.formError(c, err)
	if ferr != nil {
		return ferr
	}
	call, cerr := s.findCall(c)
	if cerr != nil {
		return cerr
	}
	v := s.callPage(c, call)
	v.Error = msg
	if err := s.addCallInfo(c, call, &v); err != nil {
		return err
	}
	return s.render(c, status, t(c, "call.title", "ID", itoa64(call.ID)), pages.Call(v))
}

// handleCallPageMove: POST /calls/:id/move.
func (s *Server) handleCallPageMove(c echo.Context) error {
	if to := app.CallStatus(c.FormValue("to")); to == app.CallCancelled {
		ask := confirmCancelCall
		ask.back = "/calls/" + c.Param("id")
		if ok, err := s.confirmed(c, ask); !ok {
			return err
		}
	}
	_, err := s.moveCall(c, app.CallStatus(c.FormValue("to")), c.FormValue("note"))
	return s.afterCall(c, err)
}

// handleCallPageMessage: POST /calls/:id/messages.
func (s *Server) handleCallPageMessage(c echo.Context) error {
	_, err := s.addCallMessage(c, c.FormValue("text"))
	return s.afterCall(c, err)
}

// handleBoardPage: GET /board, the officers' live board of open calls.
func (s *Server) handleBoardPage(c echo.Context) error {
	ctx := c.Request().Context()
	p := caller(c)
	station, _ := p.stationOf()
	v := view.BoardPage{Staff: p.Role == app.RoleOfficer}
	if v.Staff {
		if sh, err := s.store.OpenShift(ctx, p.UserID); err == nil {
			v.OnDuty = s.boothName(c, sh.BoothID)
		} else if app.ErrorCode(err) != app.ENOTFOUND {
			return err
		}
	}
	if c.QueryParam("done") != "" {
		v.Flash = t(c, "req.saved")
	}
	var err error
	if v.Calls, err = s.boardCalls(c, station); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, t(c, "board.title"), pages.Board(v))
}

// boardCalls are a station's open calls as the board shows them.
func (s *Server) boardCalls(c echo.Context, station int64) ([]view.CallRow, error) {
	ctx := c.Request().Context()
	calls, err := s.store.ListCalls(ctx, app.CallScope{StationID: station}, true, 0, 100)
	if err != nil {
		return nil, err
	}
	booths, err := s.booths(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[int64]app.Booth{}
	for _, b := range booths {
		if b.StationID != station {
			continue
		}
		byID[b.ID] = b
	}
	now := s.now()
	people := s.names(ctx)
	var rows []view.CallRow
	infos, err := s.callInfos(c, callRefs(calls), "board")
	if err != nil {
		return nil, err
	}
	for i := range calls {
		call := &calls[i]
		row := view.CallRow{ID: itoa64(call.ID), Category: t(c, "cat_"+call.Category), Message: call.Message, Age: ageText(c, call.CreatedAt, now),
			Status: string(call.Status), StatusLabel: callLabel(c, call.Status), Unacknowledged: call.AcknowledgedBy == nil,
			Escalation: call.EscalationLevel, Silent: call.Silent}
		if call.Repeated {
			row.Repeated = call.CallsThisHour
		}
		row.Location, row.MapURL = locationText(c, call)
		row.Info = infos[call.ID]
		row.Officer = people.of(call.AcknowledgedBy)
		rows = append(rows, row)
	}
	return rows, nil
}
