package web

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
	"policebooth/server/i18n"
	"policebooth/templates/pages"
	"policebooth/templates/view"
)

// boothStatusIDs name a booth's state on the dashboard.
var boothStatusIDs = map[string]string{"covered": "dash.booth_covered", "uncovered": "dash.booth_uncovered", "dark": "dash.booth_dark"}

// quickLog are the tablet's one-tap log entries: a kind and its usual words.
var quickLog = []struct{ kind, id string }{
	{app.EntryPatrol, "tablet.quick_patrol"}, {app.EntryVisit, "tablet.quick_visit"},
	{app.EntryFraudTalk, "tablet.quick_fraud_talk"}, {app.EntryVisitor, "tablet.quick_visitor"},
}

// trendDays is how many days the dashboard's trend charts.
const trendDays = 7

// handleHeadDashboard: GET / for a head, the station at a glance.
func (s *Server) handleHeadDashboard(c echo.Context) error {
	ctx := c.Request().Context()
	station, err := ownStation(c)
	if err != nil {
		return err
	}
	now := s.now()
	d, err := s.store.Dashboard(ctx, station, now)
	if err != nil {
		return err
	}
	loc := s.stationLocation(c, station)
	english := i18n.Lang(ctx) == i18n.English
	boothName := map[int64]string{}
	v := view.Dashboard{Name: caller(c).User.Name}
	for i := range d.Booths {
		b := &d.Booths[i]
		name := b.Name
		if english && b.NameEn != "" {
			name = b.NameEn
		}
		boothName[b.ID] = name
		row := view.DashboardBooth{Name: name, Status: "covered", Href: "/shifts?booth_id=" + itoa64(b.ID)}
		for _, o := range b.OnDuty {
			if row.OnDuty != "" {
				row.OnDuty += "、"
			}
			row.OnDuty += t(c, "dash.on_duty_since", "Name", o.Name, "At", o.Since.In(loc).Format("15:04"))
		}
		switch {
		case b.Uncovered():
			row.Status = "uncovered"
			v.Urgent = append(v.Urgent, view.Attention{Kind: "uncovered", Key: "uncovered-" + itoa64(b.ID),
				Text: t(c, "dash.uncovered", "Booth", name), Href: row.Href, Link: t(c, "dash.see_shifts")})
		case b.DarkTablet():
			row.Status = "dark"
			v.Urgent = append(v.Urgent, view.Attention{Kind: "dark", Key: "dark-" + itoa64(b.ID),
				Text: t(c, "dash.dark", "Booth", name), Href: row.Href, Link: t(c, "dash.see_shifts")})
		}
		row.StatusOf = t(c, boothStatusIDs[row.Status])
		if b.OpenGap != nil {
			row.Gap = t(c, "dash.gap", "At", pageTime(b.OpenGap.StartedAt, loc), "N", int(now.Sub(b.OpenGap.StartedAt).Minutes()))
		}
		v.Booths = append(v.Booths, row)
	}
	for _, call := range d.OpenCalls {
		age := t(c, "call.minutes_ago", "N", call.AgeSeconds/60)
		if call.Unacknowledged() {
			v.Urgent = append(v.Urgent, view.Attention{Kind: "call", Key: "call-" + itoa64(call.ID),
				Text: t(c, "dash.call_waiting", "ID", itoa64(call.ID), "Category", t(c, "cat_"+call.Category), "Booth", boothName[call.BoothID], "Age", age),
				Href: "/calls/" + itoa64(call.ID), Link: t(c, "dash.open_call")})
			continue
		}
		v.Calls = append(v.Calls, view.DashboardCall{ID: itoa64(call.ID), Booth: boothName[call.BoothID], Category: t(c, "cat_"+call.Category),
			StatusLabel: callLabel(c, call.Status), Age: age, Href: "/calls/" + itoa64(call.ID), Escalation: call.EscalationLevel})
	}
	// Calls first: a call waiting is the most urgent thing there is.
	slices.SortStableFunc(v.Urgent, func(a, b view.Attention) int {
		return btoi(b.Kind == "call") - btoi(a.Kind == "call")
	})
	for i, a := range v.Urgent {
		if i > 0 {
			v.UrgentKeys += " "
		}
		v.UrgentKeys += a.Key
	}
	secs := func(p *int) string {
		if p == nil {
			return t(c, "review.none")
		}
		return t(c, "review.seconds", "N", *p)
	}
	day := now.In(loc).Format(time.DateOnly)
	review := "/shifts?from=" + day + "&to=" + day
	v.Today = []view.DashboardFigure{
		{Label: t(c, "review.calls"), Value: strconv.Itoa(d.Today.Calls), Href: review},
		{Label: t(c, "review.ack_median"), Value: secs(d.Today.MedianAckSeconds), Href: review},
		{Label: t(c, "review.ack_worst"), Value: secs(d.Today.WorstAckSeconds), Href: review},
		{Label: t(c, "review.requests_completed"), Value: strconv.Itoa(d.Today.RequestsCompleted), Href: "/queue?status=completed"},
		{Label: t(c, "review.requests_late"), Value: strconv.Itoa(d.Today.RequestsPastTarget), Href: review, Warn: d.Today.RequestsPastTarget > 0},
	}
	v.Queue = []view.DashboardFigure{
		{Label: t(c, "dash.waiting"), Value: strconv.Itoa(d.Queue.Waiting), Href: "/queue"},
		{Label: t(c, "dash.longest_wait"), Value: t(c, "dash.minutes", "N", d.Queue.LongestWaitMinutes), Href: "/queue"},
	}
	v.Alerts = []view.DashboardFigure{
		{Label: t(c, "dash.undelivered"), Value: strconv.Itoa(d.Alerts.UndeliveredMessages), Href: "/staff", Warn: d.Alerts.UndeliveredMessages > 0},
		{Label: t(c, "dash.dark_tablets"), Value: strconv.Itoa(d.Alerts.DarkTablets), Href: "/shifts", Warn: d.Alerts.DarkTablets > 0},
	}
	y, m, dd := now.In(loc).Date()
	to := time.Date(y, m, dd+1, 0, 0, 0, 0, loc)
	f, err := s.store.Figures(ctx, app.FigureQuery{StationID: station, From: to.AddDate(0, 0, -trendDays), To: to, Zone: loc, Now: now})
	if err != nil {
		return err
	}
	all := charts(c, f)
	for _, ch := range all {
		if ch.ID == "calls-day" || ch.ID == "ack-day" {
			ch.ID = "trend-" + ch.ID
			v.Charts = append(v.Charts, ch)
		}
	}
	if len(v.Charts) == 2 {
		v.Charts[0].Title, v.Charts[1].Title = t(c, "dash.trend_calls"), t(c, "dash.trend_ack")
	}
	for _, l := range []struct{ href, title, text string }{
		{"/board", "home.calls", "home.board_text"},
		{"/queue", "home.queue", "home.queue_text"},
		{"/shifts", "home.review", "home.review_text"},
		{"/notices", "notices.title", "home.notices_staff_text"},
		{"/catalogue", "cat.title", "home.catalogue_text"},
		{"/counter", "counter.title", "counter.tile_text"},
		{"/staff", "staff.title", "home.staff_text"},
		{"/audit", "audit.title", "home.audit_text"},
		{"/retention", "retention.title", "retention.tile_text"},
		{"/password", "home.account", "home.account_text"},
	} {
		v.Links = append(v.Links, view.Link{Href: l.href, Title: t(c, l.title), Text: t(c, l.text)})
	}
	return s.render(c, http.StatusOK, t(c, "home.hello", "Name", v.Name), pages.HeadDashboard(v))
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// tabletQueue is how many of the queue's next people the tablet shows.
const tabletQueue = 5

// handleTabletHome: GET / for an officer, the booth tablet's one screen.
func (s *Server) handleTabletHome(c echo.Context) error {
	ctx := c.Request().Context()
	p := caller(c)
	station, err := ownStation(c)
	if err != nil {
		return err
	}
	loc := s.stationLocation(c, station)
	v := view.TabletHome{Name: p.User.Name, IdempotencyKey: newKey()}
	if v.Board.Calls, err = s.boardCalls(c, station); err != nil {
		return err
	}
	reqs, err := s.store.ListRequests(ctx, app.RequestFilter{StationID: station, Statuses: app.QueueWaiting, Limit: 200, Brief: true})
	if err != nil {
		return err
	}
	slices.Reverse(reqs) // the longest waiting first
	if len(reqs) > tabletQueue {
		v.QueueMore = len(reqs) - tabletQueue
		reqs = reqs[:tabletQueue]
	}
	if v.Queue, err = s.requestRows(c, reqs); err != nil {
		return err
	}
	sh, err := s.store.CurrentShift(ctx, p.UserID)
	switch {
	case app.ErrorCode(err) == app.ENOTFOUND:
		if v.Booths, err = s.stationBooths(c, station, 0, ""); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		head := s.shiftHead(c, sh, loc)
		v.Shift = &head
		for _, q := range quickLog {
			v.QuickKinds = append(v.QuickKinds, view.Option{Value: q.kind, Label: t(c, q.id)})
		}
		h, err := s.store.OpenHandover(ctx, sh.BoothID, p.UserID)
		if err == nil {
			v.Handover = &view.Handover{ShiftID: itoa64(h.ID), Officer: s.names(ctx).of(&h.OfficerID), At: pageTime(*h.EndedAt, loc), Note: h.HandoverNote}
		} else if app.ErrorCode(err) != app.ENOTFOUND {
			return err
		}
	}
	for _, l := range []struct{ href, title string }{
		{"/board", "home.calls"}, {"/queue", "home.queue"}, {"/shift", "home.shift"}, {"/notices", "notices.title"}, {"/password", "home.account"},
	} {
		v.Links = append(v.Links, view.Link{Href: l.href, Title: t(c, l.title)})
	}
	return s.render(c, http.StatusOK, t(c, "home.hello", "Name", v.Name), pages.TabletHome(v))
}

// homeNext is where a form sent from the tablet's home goes back to: the
// home when it asks (next=/), else fallback.
func homeNext(c echo.Context, fallback string) string {
	if c.FormValue("next") == "/" {
		return "/"
	}
	return fallback
}
