package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
	"policebooth/templates/components"
	"policebooth/templates/pages"
	"policebooth/templates/view"
)

// noticeTimeLayout is how notice times are shown, in the station's zone.
const (
	noticeTimeLayout  = "2006-01-02 15:04"
	noticeInputLayout = "2006-01-02T15:04" // datetime-local
)

// homeStation is the station of a resident's home booth, whose notices
// their event stream carries; 0 for anyone else.
func (s *Server) homeStation(ctx context.Context, u *app.User) int64 {
	if u == nil || u.Role != app.RoleResident || u.HomeBoothID == nil {
		return 0
	}
	b, err := s.booth(ctx, *u.HomeBoothID)
	if err != nil {
		return 0
	}
	return b.StationID
}

// noticeRow shows a notice in a list.
func (s *Server) noticeRow(c echo.Context, n *app.Notice, staff bool, now time.Time) view.NoticeRow {
	loc := s.stationLocation(c, n.StationID)
	r := view.NoticeRow{
		ID: itoa64(n.ID), Title: n.Title, Lang: n.Language, Kind: t(c, "notice_kind_"+string(n.Kind)),
		Severity: string(n.Severity), SeverityLabel: t(c, "notice_severity_"+string(n.Severity)),
		Urgent: n.Urgent, NeedsAck: n.NeedsAcknowledgement(), When: n.StartsAt.In(loc).Format(noticeTimeLayout),
	}
	if staff {
		r.Status = noticeStatus(n, now)
		r.StatusLabel = t(c, "notice_status_"+r.Status)
	}
	return r
}

// handleNoticesPage: GET /notices, a resident's current notices or the
// station's notices.
func (s *Server) handleNoticesPage(c echo.Context) error {
	p := caller(c)
	ctx := c.Request().Context()
	now := s.now()
	before, err := cursorParam(c)
	if err != nil {
		return err
	}
	v := view.NoticeList{Staff: p.Role.Staff()}
	if !v.Staff {
		notices, err := s.store.ListResidentNotices(ctx, p.UserID, now)
		if err != nil {
			return err
		}
		for i := range notices {
			r := s.noticeRow(c, &notices[i].Notice, false, now)
			r.Unread, r.Acknowledged = notices[i].Unread(), notices[i].Acknowledged()
			v.Rows = append(v.Rows, r)
		}
		return s.render(c, http.StatusOK, t(c, "notices.title"), pages.Notices(v))
	}
	station, err := ownStation(c)
	if err != nil {
		return err
	}
	const pageSize = 20
	notices, err := s.store.ListStationNotices(ctx, station, before, pageSize)
	if err != nil {
		return err
	}
	for i := range notices {
		r := s.noticeRow(c, &notices[i], true, now)
		if p.Role == app.RoleHead {
			reach, err := s.noticeReach(ctx, &notices[i])
			if err != nil {
				return err
			}
			r.Reach = (*view.NoticeReach)(reach)
		}
		v.Rows = append(v.Rows, r)
	}
	if len(notices) == pageSize {
		v.NextURL = "/notices?cursor=" + itoa64(notices[len(notices)-1].ID)
	}
	switch c.QueryParam("done") {
	case "withdrawn":
		v.Flash = t(c, "notices.withdrawn_flash")
	}
	return s.render(c, http.StatusOK, t(c, "notices.title"), pages.Notices(v))
}

// handleUrgentNotices: GET /notices/urgent, the live banner of a
// resident's pages: urgent notices not opened yet.
func (s *Server) handleUrgentNotices(c echo.Context) error {
	v, err := s.urgentNotices(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, t(c, "notices.title"), components.UrgentNotices(v))
}

// urgentNotices are the signed-in resident's urgent notices not yet read.
func (s *Server) urgentNotices(c echo.Context) (view.UrgentNotices, error) {
	now := s.now()
	notices, err := s.store.ListResidentNotices(c.Request().Context(), caller(c).UserID, now)
	if err != nil {
		return view.UrgentNotices{}, err
	}
	var v view.UrgentNotices
	for i := range notices {
		if notices[i].Urgent && notices[i].Unread() {
			v.Rows = append(v.Rows, s.noticeRow(c, &notices[i].Notice, false, now))
		}
	}
	return v, nil
}

// handleNoticePage: GET /notices/:id. A resident opening a notice of their
// area marks it read; staff see its area, reach and history.
func (s *Server) handleNoticePage(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	p := caller(c)
	ctx := c.Request().Context()
	now := s.now()
	if p.Role == app.RoleResident {
		n, err := s.store.FindNotice(ctx, id, app.NoticeScope{ResidentID: p.UserID}, now)
		if err != nil {
			return err
		}
		rec, err := s.store.MarkNoticeRead(ctx, id, p.UserID, now)
		if err != nil {
			return err
		}
		v := s.noticePage(c, n, false, now)
		if rec.AcknowledgedAt != nil {
			v.Row.Acknowledged = true
			v.AckedAt = rec.AcknowledgedAt.In(s.stationLocation(c, n.StationID)).Format(noticeTimeLayout)
		}
		if c.QueryParam("done") == "acknowledged" {
			v.Flash = t(c, "notices.thanks")
		}
		return s.render(c, http.StatusOK, n.Title, pages.Notice(v))
	}
	return s.renderStaffNotice(c, id, http.StatusOK, view.Errors{})
}

// renderStaffNotice shows a notice to its station's staff.
func (s *Server) renderStaffNotice(c echo.Context, id int64, status int, errs view.Errors) error {
	station, err := ownStation(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	now := s.now()
	n, err := s.store.FindNotice(ctx, id, app.NoticeScope{StationID: station}, now)
	if err != nil {
		return err
	}
	v := s.noticePage(c, n, true, now)
	v.Errors = errs
	if caller(c).Role == app.RoleHead {
		reach, err := s.noticeReach(ctx, n)
		if err != nil {
			return err
		}
		v.Row.Reach = (*view.NoticeReach)(reach)
	}
	return s.render(c, status, n.Title, pages.Notice(v))
}

// noticePage builds the page of one notice.
func (s *Server) noticePage(c echo.Context, n *app.Notice, staff bool, now time.Time) view.NoticePage {
	ctx := c.Request().Context()
	loc := s.stationLocation(c, n.StationID)
	v := view.NoticePage{
		Row: s.noticeRow(c, n, staff, now), Body: n.Body, Staff: staff,
		Starts: n.StartsAt.In(loc).Format(noticeTimeLayout), Expires: n.ExpiresAt.In(loc).Format(noticeTimeLayout),
		CanChange: staff && !n.Withdrawn(), Withdrawn: n.Withdrawn(), WithdrawReason: n.WithdrawReason,
	}
	if !staff {
		return v
	}
	v.Area = t(c, "notices.whole_station")
	if len(n.BoothIDs) > 0 {
		var names []string
		for _, id := range n.BoothIDs {
			if b, err := s.booth(ctx, id); err == nil {
				names = append(names, s.describeBooth(ctx, b).BoothName)
			}
		}
		v.Area = strings.Join(names, t(c, "notices.list_separator"))
	}
	if n.Public {
		v.CAPURL = "/api/v1/notices/" + itoa64(n.ID) + capSuffix
	}
	people := s.names(ctx)
	for _, r := range n.Revisions {
		v.History = append(v.History, view.NoticeHistoryRow{
			At: r.At.In(loc).Format(noticeTimeLayout), Label: t(c, "notice_msg_"+r.MsgType), Who: people.of(r.ActorID), Note: r.Note,
		})
	}
	return v
}

// handleNoticePageAck: POST /notices/:id/acknowledge, "I have read this".
func (s *Server) handleNoticePageAck(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if _, err := s.store.AcknowledgeNotice(c.Request().Context(), id, caller(c).UserID, s.now()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/notices/"+itoa64(id)+"?done=acknowledged")
}

// noticeForm fills the compose form from a notice (or defaults) and the
// booths of the station.
func (s *Server) noticeForm(c echo.Context, n *app.Notice, errs view.Errors) (view.NoticeForm, error) {
	station, err := ownStation(c)
	if err != nil {
		return view.NoticeForm{}, err
	}
	ctx := c.Request().Context()
	loc := s.stationLocation(c, station)
	v := view.NoticeForm{
		Title: view.Field{Name: "title", Label: "notices.field_title", Value: n.Title, Required: true, MaxLength: app.MaxNoticeTitleLen, Error: errs["title"]},
		Body:  n.Body, Urgent: n.Urgent, Public: n.Public, Errors: errs,
	}
	if !n.StartsAt.IsZero() {
		v.StartsAt = n.StartsAt.In(loc).Format(noticeInputLayout)
	}
	if !n.ExpiresAt.IsZero() {
		v.ExpiresAt = n.ExpiresAt.In(loc).Format(noticeInputLayout)
	}
	for _, k := range app.NoticeKinds {
		v.Kinds = append(v.Kinds, view.Option{Value: string(k), Label: t(c, "notice_kind_"+string(k)), Selected: k == n.Kind})
	}
	for _, sev := range app.NoticeSeverities {
		v.Severities = append(v.Severities, view.Option{Value: string(sev), Label: t(c, "notice_severity_"+string(sev)), Selected: sev == n.Severity})
	}
	for _, l := range []string{app.LanguageChinese, app.LanguageEnglish} {
		v.Languages = append(v.Languages, view.Option{Value: l, Label: t(c, "notice_lang_"+l), Selected: l == n.Language})
	}
	booths, err := s.booths(ctx)
	if err != nil {
		return v, err
	}
	for i := range booths {
		if booths[i].StationID == station {
			v.Booths = append(v.Booths, view.BoothChoice{ID: itoa64(booths[i].ID), Name: s.describeBooth(ctx, &booths[i]).BoothName,
				Checked: containsID(n.BoothIDs, booths[i].ID)})
		}
	}
	return v, nil
}

// handleNoticeNewPage: GET /notices/new, the compose form.
func (s *Server) handleNoticeNewPage(c echo.Context) error {
	lang := caller(c).User.Language
	if lang == "" {
		lang = app.LanguageChinese
	}
	v, err := s.noticeForm(c, &app.Notice{Kind: app.NoticeAntiFraud, Severity: app.SeverityModerate, Public: true, Language: lang}, view.Errors{})
	if err != nil {
		return err
	}
	v.Action, v.IdempotencyKey = "/notices/new", newKey()
	return s.render(c, http.StatusOK, t(c, "notices.new"), pages.NoticeForm(v))
}

// formDraft reads the compose form. Every field is given: an unticked box
// is false, no booth ticked means the whole station.
func (s *Server) formDraft(c echo.Context) (app.NoticeDraft, *app.Notice, view.Errors) {
	errs := view.Errors{}
	title, body := c.FormValue("title"), c.FormValue("body")
	kind, sev := app.NoticeKind(c.FormValue("kind")), app.NoticeSeverity(c.FormValue("severity"))
	lang := c.FormValue("language")
	urgent, public := c.FormValue("urgent") != "", c.FormValue("public") != ""
	var booths []int64
	form, _ := c.FormParams()
	for _, v := range form["booth_id"] {
		if id, err := parseID(v); err == nil {
			booths = append(booths, id)
		}
	}
	d := app.NoticeDraft{Title: &title, Body: &body, Kind: &kind, Severity: &sev, Language: &lang, Urgent: &urgent, Public: &public, BoothIDs: &booths}
	station, _ := ownStation(c)
	loc := s.stationLocation(c, station)
	shown := &app.Notice{Title: title, Body: body, Kind: kind, Severity: sev, Language: lang, Urgent: urgent, Public: public, BoothIDs: booths}
	for name, dst := range map[string]**time.Time{"starts_at": &d.StartsAt, "expires_at": &d.ExpiresAt} {
		raw := strings.TrimSpace(c.FormValue(name))
		if raw == "" {
			continue
		}
		at, err := time.ParseInLocation(noticeInputLayout, raw, loc)
		if err != nil {
			errs[name] = t(c, "notices.bad_time")
			continue
		}
		*dst = &at
	}
	if d.StartsAt != nil {
		shown.StartsAt = *d.StartsAt
	}
	if d.ExpiresAt != nil {
		shown.ExpiresAt = *d.ExpiresAt
	}
	return d, shown, errs
}

// noticeFormError places a failed save's message on its field, in the
// reader's language, or on the whole form.
func (s *Server) noticeFormError(c echo.Context, saveErr error, errs view.Errors) error {
	if app.ErrorCode(saveErr) == app.EINVALID {
		switch field := app.FieldOf(saveErr); field {
		case "title", "body", "kind", "severity", "language", "booth_ids", "starts_at", "expires_at":
			errs[field] = t(c, "notice_err_"+field)
			errs[""] = t(c, "notices.fix_errors")
			return nil
		}
	}
	msg, _, err := s.formError(c, saveErr)
	if err != nil {
		return err
	}
	errs[""] = msg
	return nil
}

// handleNoticeNewSubmit: POST /notices/new publishes a notice; an urgent
// one after a confirmation step (it rings every resident's phone).
func (s *Server) handleNoticeNewSubmit(c echo.Context) error {
	d, shown, errs := s.formDraft(c)
	back := c.FormValue("confirm") == "back"
	if len(errs) == 0 && !back {
		if *d.Urgent {
			if ok, err := s.confirmed(c, confirmUrgent); !ok {
				return err
			}
		}
		n, err := s.publishNotice(c, d)
		if err == nil {
			return c.Redirect(http.StatusSeeOther, "/notices/"+itoa64(n.ID))
		}
		if err := s.noticeFormError(c, err, errs); err != nil {
			return err
		}
	} else if !back {
		errs[""] = t(c, "notices.fix_errors")
	}
	v, err := s.noticeForm(c, shown, errs)
	if err != nil {
		return err
	}
	v.Action, v.IdempotencyKey = "/notices/new", newKey()
	status := http.StatusBadRequest
	if back && len(errs) == 0 {
		status = http.StatusOK // back from the confirmation, as filled in
	}
	return s.render(c, status, t(c, "notices.new"), pages.NoticeForm(v))
}

// handleNoticeEditPage: GET /notices/:id/edit.
func (s *Server) handleNoticeEditPage(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	station, err := ownStation(c)
	if err != nil {
		return err
	}
	n, err := s.store.FindNotice(c.Request().Context(), id, app.NoticeScope{StationID: station}, s.now())
	if err != nil {
		return err
	}
	if n.Withdrawn() {
		return c.Redirect(http.StatusSeeOther, "/notices/"+itoa64(id))
	}
	v, err := s.noticeForm(c, n, view.Errors{})
	if err != nil {
		return err
	}
	v.ID, v.Action = itoa64(id), "/notices/"+itoa64(id)+"/edit"
	return s.render(c, http.StatusOK, t(c, "notices.edit"), pages.NoticeForm(v))
}

// handleNoticeEditSubmit: POST /notices/:id/edit saves an update.
func (s *Server) handleNoticeEditSubmit(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	d, shown, errs := s.formDraft(c)
	if len(errs) == 0 {
		now := s.now()
		_, err := s.updateNotice(c, id, d, now)
		if err == nil {
			return c.Redirect(http.StatusSeeOther, "/notices/"+itoa64(id))
		}
		if app.ErrorCode(err) == app.ENOTFOUND {
			return err
		}
		if err := s.noticeFormError(c, err, errs); err != nil {
			return err
		}
	} else {
		errs[""] = t(c, "notices.fix_errors")
	}
	v, err := s.noticeForm(c, shown, errs)
	if err != nil {
		return err
	}
	v.ID, v.Action = itoa64(id), "/notices/"+itoa64(id)+"/edit"
	return s.render(c, http.StatusBadRequest, t(c, "notices.edit"), pages.NoticeForm(v))
}

// handleNoticePageWithdraw: POST /notices/:id/withdraw.
func (s *Server) handleNoticePageWithdraw(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	_, err = s.store.WithdrawNotice(c.Request().Context(), actorOf(c), id, c.FormValue("reason"), s.now())
	switch app.ErrorCode(err) {
	case "":
		return c.Redirect(http.StatusSeeOther, "/notices?done=withdrawn")
	case app.EINVALID, app.ECONFLICT:
		errs := view.Errors{}
		msg, status, err := s.formError(c, err)
		if err != nil {
			return err
		}
		errs[""], errs["reason"] = msg, msg
		return s.renderStaffNotice(c, id, status, errs)
	}
	return err
}
