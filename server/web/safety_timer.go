package web

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
	"policebooth/templates/pages"
	"policebooth/templates/view"
)

// newTimerJSON is the body of POST /safety-timers; the position is the
// phone's, raised with the call if the timer runs out.
type newTimerJSON struct {
	Minutes   int      `json:"minutes"`
	Note      string   `json:"note"`
	Lat       *float64 `json:"lat"`
	Lng       *float64 `json:"lng"`
	AccuracyM *float64 `json:"accuracy_m"`
}

// handleSafetyTimerCreate: POST /safety-timers (resident).
func (s *Server) handleSafetyTimerCreate(c echo.Context) error {
	var r newTimerJSON
	if err := bind(c, &r); err != nil {
		return err
	}
	tm, err := s.store.StartSafetyTimer(c.Request().Context(), app.NewSafetyTimer{UserID: caller(c).UserID, Minutes: r.Minutes,
		Note: r.Note, Lat: r.Lat, Lng: r.Lng, AccuracyM: r.AccuracyM}, s.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, tm)
}

// handleSafetyTimerCheckIn: POST /safety-timers/:id/check-in, "I'm safe".
func (s *Server) handleSafetyTimerCheckIn(c echo.Context) error {
	if err := bindNothing(c); err != nil {
		return err
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	tm, err := s.store.CheckInSafetyTimer(c.Request().Context(), id, caller(c).UserID, s.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, tm)
}

// safetyTimerPage is the timer page: the running timer's countdown and
// "I'm safe" button, else the form to start one.
func (s *Server) safetyTimerPage(c echo.Context, errs view.Errors) (view.SafetyTimerPage, error) {
	v := view.SafetyTimerPage{Errors: errs, Minutes: []int{15, 30, 60, 120}, IdempotencyKey: newKey()}
	tm, err := s.store.CurrentSafetyTimer(c.Request().Context(), caller(c).UserID)
	switch app.ErrorCode(err) {
	case "":
		v.Running = true
		v.ID = itoa64(tm.ID)
		v.Note = tm.Note
		v.DueAt = tm.DueAt.UTC().Format(time.RFC3339)
		v.FireAt = tm.FireAt.UTC().Format(time.RFC3339)
		v.DueLocal = tm.DueAt.In(s.cfg.TimeZone).Format("15:04")
	case app.ENOTFOUND:
	default:
		return v, err
	}
	return v, nil
}

// handleSafetyTimerPage: GET /safety-timer.
func (s *Server) handleSafetyTimerPage(c echo.Context) error {
	v, err := s.safetyTimerPage(c, view.Errors{})
	if err != nil {
		return err
	}
	v.CheckedIn = c.QueryParam("safe") != ""
	return s.render(c, http.StatusOK, t(c, "timer.title"), pages.SafetyTimer(v))
}

// handleSafetyTimerStart: POST /safety-timer starts a timer from the form.
func (s *Server) handleSafetyTimerStart(c echo.Context) error {
	nt := app.NewSafetyTimer{UserID: caller(c).UserID, Note: c.FormValue("note")}
	nt.Minutes, _ = strconv.Atoi(c.FormValue("minutes"))
	lat, err1 := strconv.ParseFloat(c.FormValue("lat"), 64)
	lng, err2 := strconv.ParseFloat(c.FormValue("lng"), 64)
	if err1 == nil && err2 == nil {
		nt.Lat, nt.Lng = &lat, &lng
		if acc, err := strconv.ParseFloat(c.FormValue("accuracy_m"), 64); err == nil {
			nt.AccuracyM = &acc
		}
	}
	if _, err := s.store.StartSafetyTimer(c.Request().Context(), nt, s.now()); err != nil {
		return s.timerFormError(c, err)
	}
	return c.Redirect(http.StatusSeeOther, "/safety-timer")
}

// handleSafetyTimerPageCheckIn: POST /safety-timer/:id/check-in.
func (s *Server) handleSafetyTimerPageCheckIn(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if _, err := s.store.CheckInSafetyTimer(c.Request().Context(), id, caller(c).UserID, s.now()); err != nil {
		return s.timerFormError(c, err)
	}
	return c.Redirect(http.StatusSeeOther, "/safety-timer?safe=1")
}

func (s *Server) timerFormError(c echo.Context, err error) error {
	msg, status, ferr := s.formError(c, err)
	if ferr != nil {
		return ferr
	}
	v, verr := s.safetyTimerPage(c, view.Errors{"": msg})
	if verr != nil {
		return verr
	}
	return s.render(c, status, t(c, "timer.title"), pages.SafetyTimer(v))
}

// FireSafetyTimers is one pass of the fire_safety_timers job: each
// overdue timer's call is raised once across instances (the store claims
// each timer and, with the call, queues its pushes, the texts to the
// caller's contacts and, when nobody is on duty, to the heads).
func (s *Server) FireSafetyTimers(ctx context.Context, now time.Time) error {
	fired, err := s.store.FireSafetyTimers(ctx, now)
	for _, f := range fired {
		s.log.Warn("safety timer ran out: call raised", "timer_id", f.Timer.ID, "call_id", callID(f.Call))
		if f.Call == nil || f.Call.Status != app.CallOpen || len(f.Call.Timeline) == 0 {
			continue
		}
		if f.Call.EscalationLevel > 0 {
			s.ops.escalations.Inc()
		}
	}
	return err
}

func callID(c *app.AssistanceCall) int64 {
	if c == nil {
		return 0
	}
	return c.ID
}

// bindNothing refuses a body on a route that reads none, other than an
// empty one or {}.
func bindNothing(c echo.Context) error {
	if c.Request().ContentLength == 0 {
		return nil
	}
	var none struct{}
	return bind(c, &none)
}
