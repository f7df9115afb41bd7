package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
	"policebooth/server/i18n"
	"policebooth/templates/pages"
	"policebooth/templates/view"
)

// boothName is a booth's name in the page's language.
func (s *Server) boothName(c echo.Context, id int64) string {
	booths, err := s.booths(c.Request().Context())
	if err != nil {
		return ""
	}
	for _, b := range booths {
		if b.ID == id {
			if i18n.Lang(c.Request().Context()) == i18n.English && b.NameEn != "" {
				return b.NameEn
			}
			return b.Name
		}
	}
	return ""
}

// stationBooths are the booths of a station as choices.
func (s *Server) stationBooths(c echo.Context, station int64, selected int64, all string) ([]view.Option, error) {
	booths, err := s.booths(c.Request().Context())
	if err != nil {
		return nil, err
	}
	var out []view.Option
	if all != "" {
		out = append(out, view.Option{Value: "", Label: all})
	}
	for _, b := range booths {
		if b.StationID == station {
			out = append(out, view.Option{Value: itoa64(b.ID), Label: s.boothName(c, b.ID), Selected: b.ID == selected})
		}
	}
	return out, nil
}

// stationOfficers are the enabled officers of a station as choices.
func (s *Server) stationOfficers(c echo.Context, station, except, selected int64, all string) ([]view.Option, error) {
	staff, err := s.store.ListStaff(c.Request().Context(), station)
	if err != nil {
		return nil, err
	}
	var out []view.Option
	if all != "" {
		out = append(out, view.Option{Value: "", Label: all})
	}
	for _, u := range staff {
		if u.Role == app.RoleOfficer && !u.Disabled && u.ID != except {
			out = append(out, view.Option{Value: itoa64(u.ID), Label: u.Name, Selected: u.ID == selected})
		}
	}
	return out, nil
}

func (s *Server) entryKinds(c echo.Context) []view.Option {
	out := make([]view.Option, len(app.OfficerEntryKinds))
	for i, k := range app.OfficerEntryKinds {
		out[i] = view.Option{Value: k, Label: t(c, "entry_kind."+k), Selected: i == 0}
	}
	return out
}

// entryRows lays a log out for a page: each correction beneath the entry
// it corrects; system entries link to their record.
func (s *Server) entryRows(c echo.Context, entries []app.ShiftEntry, loc *time.Location, me int64, canCorrect bool) []view.EntryRow {
	people := s.names(c.Request().Context())
	visits := s.visitTexts(c, entries)
	var rows []view.EntryRow
	at := map[int64]int{}
	for _, e := range entries {
		row := view.EntryRow{ID: itoa64(e.ID), At: pageTime(e.CreatedAt, loc), Kind: e.Kind, KindLabel: t(c, "entry_kind."+e.Kind),
			Text: e.Text, Who: people.of(e.AuthorID), System: e.AuthorID == nil, HeadNote: e.Kind == app.EntryHeadNote}
		for i, pt := range e.Participants {
			if i > 0 {
				row.Participants += "、"
			}
			row.Participants += people.of(&pt.UserID)
		}
		if e.WrittenAt != nil && e.WrittenAt.Sub(e.CreatedAt).Abs() >= time.Minute {
			row.WrittenAt = pageTime(*e.WrittenAt, loc)
		}
		if row.System && e.RecordID != nil {
			row.Text, row.Link = s.systemEntry(c, e, people)
		}
		if e.EventName == "visit.recorded" && e.RecordID != nil {
			row.Text = visits[*e.RecordID]
			if row.Text == "" {
				row.Text = t(c, "care.entry_gone")
			}
		}
		row.CanCorrect = canCorrect && !row.System && e.AuthorID != nil && *e.AuthorID == me
		if e.CorrectsID != nil {
			if i, ok := at[*e.CorrectsID]; ok {
				row.CanCorrect = false
				rows[i].Corrections = append(rows[i].Corrections, row)
				continue
			}
		}
		at[e.ID] = len(rows)
		rows = append(rows, row)
	}
	return rows
}

// systemEntry says what a system entry records and who took the step, and
// where that record is.
func (s *Server) systemEntry(c echo.Context, e app.ShiftEntry, people *names) (text, link string) {
	id := itoa64(*e.RecordID)
	status := e.Text
	switch e.Kind {
	case app.EntryCall:
		if status != "" {
			status = callLabel(c, app.CallStatus(status))
		}
		link = "/calls/" + id
	case app.EntryRequest:
		if status != "" {
			status = statusLabel(c, app.RequestStatus(status))
		}
		link = "/requests/" + id
	case app.EntryPhoto:
		link = "/requests/" + id
	case app.EntryNotice:
		link = "/notices/" + id
	}
	text = t(c, "shift_event."+strings.ReplaceAll(e.EventName, ".", "_"), "ID", id, "Status", status)
	if by := people.of(e.DoneBy); by != "" {
		text = t(c, "shift_event.by", "Text", text, "Name", by)
	}
	return text, link
}

// shiftHead describes a shift for a page.
func (s *Server) shiftHead(c echo.Context, sh *app.Shift, loc *time.Location) view.ShiftHead {
	people := s.names(c.Request().Context())
	h := view.ShiftHead{ID: itoa64(sh.ID), Booth: s.boothName(c, sh.BoothID), Officer: people.of(&sh.OfficerID),
		Started: pageTime(sh.StartedAt, loc), Ended: t(c, "shift.still_on"), Far: sh.Far, Handover: sh.HandoverNote,
		HandoverAck: t(c, "review.not_acknowledged"), SignOffComment: sh.SignOffNote}
	h.Status = "on_duty"
	if sh.EndedAt != nil {
		h.Ended, h.Status = pageTime(*sh.EndedAt, loc), "ended"
	}
	if sh.SignedOffAt != nil {
		h.Status = "signed_off"
		h.SignedOff = t(c, "review.by_at", "Name", people.of(sh.SignedOffBy), "At", pageTime(*sh.SignedOffAt, loc))
	}
	h.StatusLabel = t(c, "shift_status."+h.Status)
	if sh.DistanceM != nil {
		h.Distance = distanceText(c, *sh.DistanceM)
	}
	if sh.HandoverAckAt != nil {
		h.HandoverAck = t(c, "review.by_at", "Name", people.of(sh.HandoverAckBy), "At", pageTime(*sh.HandoverAckAt, loc))
	}
	return h
}

func distanceText(c echo.Context, m int) string {
	if m >= 1000 {
		return t(c, "shift.km", "Km", fmt.Sprintf("%.1f", float64(m)/1000))
	}
	return t(c, "shift.m", "M", m)
}

// handleShiftPage: GET /shift, the officer's tablet page.
func (s *Server) handleShiftPage(c echo.Context) error {
	return s.renderShiftPage(c, http.StatusOK, nil, flashOf(c))
}

func flashOf(c echo.Context) string {
	if m := c.QueryParam("done"); m != "" && !strings.ContainsAny(m, "./") {
		return t(c, "shift_done."+m)
	}
	return ""
}

func (s *Server) renderShiftPage(c echo.Context, status int, errs view.Errors, flash string) error {
	ctx := c.Request().Context()
	p := caller(c)
	station, err := ownStation(c)
	if err != nil {
		return err
	}
	loc := s.stationLocation(c, station)
	v := view.ShiftPage{Flash: flash, Errors: errs, Officer: p.User.Name, EntryKinds: s.entryKinds(c), Responders: s.responderOptions(c, station), IdempotencyKey: newKey(),
		HasPin: p.User.PinHash != ""}
	if v.Errors == nil {
		v.Errors = view.Errors{}
	}
	if v.Colleagues, err = s.stationOfficers(c, station, p.UserID, 0, ""); err != nil {
		return err
	}
	sh, err := s.store.CurrentShift(ctx, p.UserID)
	switch {
	case app.ErrorCode(err) == app.ENOTFOUND:
		// Off duty: the tablet forgets the calls it kept for the shift.
		c.Response().Header().Set(forgetHeader, "/calls/")
		if v.Booths, err = s.stationBooths(c, station, 0, ""); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		head := s.shiftHead(c, sh, loc)
		v.Shift = &head
		if b, err := s.booth(ctx, sh.BoothID); err == nil {
			v.VolunteersVisible = b.VolunteersVisible
		}
		v.Entries = s.entryRows(c, sh.Entries, loc, p.UserID, true)
		if v.DueVisits, err = s.dueVisitRows(c, station, sh.BoothID, loc); err != nil {
			return err
		}
		h, err := s.store.OpenHandover(ctx, sh.BoothID, p.UserID)
		if err == nil {
			v.Handover = &view.Handover{ShiftID: itoa64(h.ID), Officer: s.names(ctx).of(&h.OfficerID), At: pageTime(*h.EndedAt, loc), Note: h.HandoverNote}
		} else if app.ErrorCode(err) != app.ENOTFOUND {
			return err
		}
	}
	return s.render(c, status, t(c, "shift.title"), pages.Shift(v))
}

// shiftFormError shows a refused shift action on the shift page.
func (s *Server) shiftFormError(c echo.Context, field string, err error) error {
	msg, status, err := s.formError(c, err)
	if err != nil {
		return err
	}
	return s.renderShiftPage(c, status, view.Errors{field: msg}, "")
}

// handleClockInForm: POST /shift/clock-in.
func (s *Server) handleClockInForm(c echo.Context) error {
	booth, err := parseID(c.FormValue("booth_id"))
	if err != nil {
		return s.renderShiftPage(c, http.StatusBadRequest, view.Errors{"booth_id": t(c, "shift.pick_booth")}, "")
	}
	in := app.ClockIn{OfficerID: caller(c).UserID, BoothID: booth}
	lat, errLat := strconv.ParseFloat(c.FormValue("lat"), 64)
	lng, errLng := strconv.ParseFloat(c.FormValue("lng"), 64)
	if errLat == nil && errLng == nil {
		in.Lat, in.Lng = &lat, &lng
	}
	if _, err := s.clockIn(c, in); err != nil {
		return s.shiftFormError(c, "", err)
	}
	return c.Redirect(http.StatusSeeOther, "/shift?done=clock_in")
}

// handleClockOutForm: POST /shift/clock-out.
func (s *Server) handleClockOutForm(c echo.Context) error {
	note := strings.TrimSpace(c.FormValue("handover_note"))
	if note == "" {
		return s.renderShiftPage(c, http.StatusBadRequest, view.Errors{"handover_note": t(c, "shift.handover_required")}, "")
	}
	if _, err := s.store.EndShift(c.Request().Context(), caller(c).UserID, note, s.now()); err != nil {
		return s.shiftFormError(c, "handover_note", err)
	}
	return c.Redirect(http.StatusSeeOther, "/shift?done=clock_out")
}

// handleVolunteersVisibleForm: POST /shift/volunteers-visible, whether
// the callers of the booth the officer is on duty at see that a community
// volunteer is on the way.
func (s *Server) handleVolunteersVisibleForm(c echo.Context) error {
	ctx := c.Request().Context()
	sh, err := s.store.CurrentShift(ctx, caller(c).UserID)
	if err != nil {
		return s.shiftFormError(c, "", err)
	}
	if _, err := s.store.SetVolunteersVisible(ctx, actorOf(c), sh.StationID, sh.BoothID, c.FormValue("visible") == "1"); err != nil {
		return s.shiftFormError(c, "", err)
	}
	s.cache.booths.forgetAll()
	return c.Redirect(http.StatusSeeOther, "/shift?done=volunteers_visible")
}

// handleHandoverForm: POST /shift/handover/:id acknowledges a handover.
func (s *Server) handleHandoverForm(c echo.Context) error {
	if _, err := s.acknowledgeHandover(c); err != nil {
		return s.shiftFormError(c, "", err)
	}
	return c.Redirect(http.StatusSeeOther, homeNext(c, "/shift?done=handover"))
}

// handleSwitchForm: POST /shift/switch hands the tablet to another officer.
func (s *Server) handleSwitchForm(c echo.Context) error {
	grant, err := s.switchOfficer(c, c.FormValue("officer_id"), c.FormValue("pin"))
	switch app.ErrorCode(err) {
	case "":
	case app.EINVALID, app.ENOTFOUND:
		return s.renderShiftPage(c, http.StatusBadRequest, view.Errors{"pin": t(c, "shift.pin_wrong")}, "")
	default:
		return s.shiftFormError(c, "pin", err)
	}
	pair, err := s.issue(grant)
	if err != nil {
		return err
	}
	s.setSessionCookies(c, pair.AccessToken, pair.RefreshToken)
	return c.Redirect(http.StatusSeeOther, "/shift?done=switch")
}

// handlePinForm: POST /shift/pin sets the officer's own PIN.
func (s *Server) handlePinForm(c echo.Context) error {
	pin := c.FormValue("new_pin")
	if !pinPattern.MatchString(pin) {
		return s.renderShiftPage(c, http.StatusBadRequest, view.Errors{"new_pin": t(c, "shift.pin_hint")}, "")
	}
	if err := s.setPin(c, c.FormValue("password"), pin); err != nil {
		if app.ErrorCode(err) == app.EINVALID {
			return s.renderShiftPage(c, http.StatusBadRequest, view.Errors{"password": t(c, "shift.password_wrong")}, "")
		}
		return s.shiftFormError(c, "password", err)
	}
	s.sessions.forget(caller(c).SessionID)
	return c.Redirect(http.StatusSeeOther, "/shift?done=pin")
}

// handleEntryForm: POST /shifts/:id/entries from the shift page or the
// review: an officer's entry or correction, or a head's note.
func (s *Server) handleEntryForm(c echo.Context) error {
	r := entryJSON{Kind: c.FormValue("kind"), Text: c.FormValue("text"), Corrects: c.FormValue("corrects"), WrittenAt: formTime(c, "written_at")}
	if form, err := c.FormParams(); err == nil {
		r.Participants = form["participants"]
	}
	back := "/shifts/" + c.Param("id")
	if caller(c).Role == app.RoleOfficer {
		if sh, err := s.store.CurrentShift(c.Request().Context(), caller(c).UserID); err == nil && itoa64(sh.ID) == c.Param("id") {
			back = "/shift"
		}
	}
	if strings.TrimSpace(r.Text) == "" {
		return s.entryError(c, back, t(c, "shift.text_required"), http.StatusBadRequest)
	}
	if _, err := s.addEntry(c, r); err != nil {
		if app.ErrorCode(err) == app.ECONFLICT {
			return s.entryError(c, back, t(c, "shift.sealed_refused"), http.StatusConflict)
		}
		msg, status, err := s.formError(c, err)
		if err != nil {
			return err
		}
		return s.entryError(c, back, msg, status)
	}
	return c.Redirect(http.StatusSeeOther, homeNext(c, back+"?done=entry"))
}

func (s *Server) entryError(c echo.Context, back, msg string, status int) error {
	if back == "/shift" {
		return s.renderShiftPage(c, status, view.Errors{"text": msg}, "")
	}
	return s.renderShiftDetail(c, status, view.Errors{"": msg}, "")
}

// handleShiftDetailPage: GET /shifts/:id.
func (s *Server) handleShiftDetailPage(c echo.Context) error {
	return s.renderShiftDetail(c, http.StatusOK, nil, flashOf(c))
}

func (s *Server) renderShiftDetail(c echo.Context, status int, errs view.Errors, flash string) error {
	sj, err := s.shiftWithFigures(c)
	if err != nil {
		return err
	}
	p := caller(c)
	loc := s.stationLocation(c, sj.StationID)
	sh := sj.Shift
	mine := p.Role == app.RoleOfficer && sh.OfficerID == p.UserID
	v := view.ShiftDetail{Flash: flash, Errors: errs, Shift: s.shiftHead(c, sh, loc), Sealed: sh.Sealed(),
		Entries: s.entryRows(c, sh.Entries, loc, p.UserID, mine && !sh.Sealed()), EntryKinds: s.entryKinds(c), Responders: s.responderOptions(c, sh.StationID),
		CanSignOff: p.Role == app.RoleHead && sh.EndedAt != nil && !sh.Sealed(), CanHeadNote: p.Role == app.RoleHead,
		CanWrite: mine && !sh.Sealed(), IdempotencyKey: newKey()}
	if v.Errors == nil {
		v.Errors = view.Errors{}
	}
	v.Figures = append(figureRows(c, sj.Figures), s.counterFigureRows(c, sj.Figures)...)
	return s.render(c, status, t(c, "review.shift_title", "Name", v.Shift.Officer, "Booth", v.Shift.Booth), pages.ShiftDetail(v))
}

// handleSignOffForm: POST /shifts/:id/sign-off.
func (s *Server) handleSignOffForm(c echo.Context) error {
	ask := confirmSignOff
	ask.back = "/shifts/" + c.Param("id")
	if ok, err := s.confirmed(c, ask); !ok {
		return err
	}
	if _, err := s.signOff(c, c.FormValue("comment")); err != nil {
		msg, status, err := s.formError(c, err)
		if err != nil {
			return err
		}
		return s.renderShiftDetail(c, status, view.Errors{"": msg}, "")
	}
	return c.Redirect(http.StatusSeeOther, "/shifts/"+c.Param("id")+"?done=sign_off")
}

// figureRows are a review's numbers as a person reads them.
func figureRows(c echo.Context, f *app.Figures) []view.Figure {
	secs := func(v *int) string {
		if v == nil {
			return t(c, "review.none")
		}
		return t(c, "review.seconds", "N", *v)
	}
	rows := []view.Figure{
		{Label: t(c, "review.calls"), Value: strconv.Itoa(f.Calls)},
		{Label: t(c, "review.ack_median"), Value: secs(f.AckMedianS)},
		{Label: t(c, "review.ack_worst"), Value: secs(f.AckWorstS)},
		{Label: t(c, "review.requests_completed"), Value: strconv.Itoa(f.RequestsCompleted)},
		{Label: t(c, "review.requests_late"), Value: strconv.Itoa(f.RequestsPastTarget)},
		{Label: t(c, "review.gap_count"), Value: t(c, "review.gap_value", "N", f.Gaps, "Minutes", f.GapMinutes)},
	}
	rows = append(rows, handoffFigureRows(c, f)...)
	for _, k := range append(append([]string{}, app.OfficerEntryKinds...), app.EntryCall, app.EntryRequest, app.EntryPhoto, app.EntryNotice, app.EntryHeadNote) {
		if n := f.Entries[k]; n > 0 {
			rows = append(rows, view.Figure{Label: t(c, "review.entries_of", "Kind", t(c, "entry_kind."+k)), Value: strconv.Itoa(n)})
		}
	}
	return rows
}

// charts draws calls and response times by hour and by day.
func charts(c echo.Context, f *app.Figures) []view.Chart {
	build := func(id, title string, buckets []app.Bucket, ack bool) view.Chart {
		ch := view.Chart{ID: id, Title: title}
		for _, b := range buckets {
			bar := view.Bar{Label: b.Label, Value: b.Calls, Text: t(c, "review.n_calls", "N", b.Calls)}
			if ack {
				bar.Value, bar.Text = 0, t(c, "review.none")
				if b.AckMedianS != nil {
					bar.Value, bar.Text = *b.AckMedianS, t(c, "review.seconds", "N", *b.AckMedianS)
				}
			}
			ch.Max = max(ch.Max, bar.Value)
			ch.Bars = append(ch.Bars, bar)
		}
		return ch
	}
	return []view.Chart{
		build("calls-hour", t(c, "review.chart_calls_hour"), f.ByHour, false),
		build("ack-hour", t(c, "review.chart_ack_hour"), f.ByHour, true),
		build("calls-day", t(c, "review.chart_calls_day"), f.ByDay, false),
		build("ack-day", t(c, "review.chart_ack_day"), f.ByDay, true),
	}
}

// handleReviewPage: GET /shifts, the head's review of a period.
func (s *Server) handleReviewPage(c echo.Context) error {
	f, err := s.shiftFilter(c)
	if err != nil {
		if app.ErrorCode(err) != app.EINVALID {
			return err
		}
		v := view.ShiftReview{Errors: view.Errors{"": t(c, "err.invalid", "Message", app.ErrorMessage(err))}, CSVURL: "/api/v1/shifts.csv"}
		return s.render(c, http.StatusBadRequest, t(c, "review.title"), pages.ShiftReview(v))
	}
	ctx := c.Request().Context()
	shifts, err := s.store.ListShifts(ctx, f)
	if err != nil {
		return err
	}
	now := s.now() // the figures and the list of gaps end at the same instant
	figures, err := s.periodFigures(c, f, now, true)
	if err != nil {
		return err
	}
	loc := s.stationLocation(c, f.StationID)
	v := view.ShiftReview{From: f.From.In(loc).Format(time.DateOnly), To: f.To.In(loc).AddDate(0, 0, -1).Format(time.DateOnly),
		Figures: append(figureRows(c, figures), s.counterFigureRows(c, figures)...), Charts: charts(c, figures)}
	if v.Booths, err = s.stationBooths(c, f.StationID, f.BoothID, t(c, "review.all_booths")); err != nil {
		return err
	}
	if v.Officers, err = s.stationOfficers(c, f.StationID, 0, f.OfficerID, t(c, "review.all_officers")); err != nil {
		return err
	}
	for i := range shifts {
		v.Shifts = append(v.Shifts, s.shiftHead(c, &shifts[i], loc))
	}
	gaps, err := s.store.ListGaps(ctx, f.StationID, f.BoothID, f.From, f.To)
	if err != nil {
		return err
	}
	for _, g := range gaps {
		// The same minutes as the figures: the part of the gap in the period.
		minutes, in := g.MinutesIn(f.From, f.To, now)
		if !in {
			continue
		}
		row := view.GapRow{Booth: s.boothName(c, g.BoothID), From: pageTime(g.StartedAt, loc), To: t(c, "review.gap_open"), Minutes: strconv.Itoa(minutes)}
		if g.EndedAt != nil {
			row.To = pageTime(*g.EndedAt, loc)
		}
		v.Gaps = append(v.Gaps, row)
	}
	if v.Visits, err = s.visitFigureRows(c, f.StationID, f.From, f.To, loc); err != nil {
		return err
	}
	q := url.Values{"from": {v.From}, "to": {v.To}}
	if f.BoothID != 0 {
		q.Set("booth_id", itoa64(f.BoothID))
	}
	v.CSVURL = "/api/v1/shifts.csv?" + q.Encode()
	v.SelfURL = "/shifts?" + c.QueryParams().Encode()
	if len(shifts) == f.Limit {
		next := c.QueryParams()
		next.Set("cursor", itoa64(shifts[len(shifts)-1].ID))
		v.NextURL = "/shifts?" + next.Encode()
	}
	return s.render(c, http.StatusOK, t(c, "review.title"), pages.ShiftReview(v))
}

// responderOptions are the station's enabled guards and volunteers, whom
// an officer names as going along on a patrol; none when they cannot be
// listed (the form then simply offers none).
func (s *Server) responderOptions(c echo.Context, station int64) []view.Option {
	staff, err := s.store.ListStaff(c.Request().Context(), station)
	if err != nil {
		s.log.Warn("responders not listed for the entry form", "station_id", station, "err", err)
		return nil
	}
	var out []view.Option
	for _, u := range staff {
		if u.Role.Responder() && !u.Disabled {
			out = append(out, view.Option{Value: itoa64(u.ID), Label: u.Name + " · " + staffRoleLabel(c, u.Role)})
		}
	}
	return out
}
