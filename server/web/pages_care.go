package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
	"policebooth/templates/pages"
	"policebooth/templates/view"
)

// reasonsLabel names an enrolment's reasons in the reader's language.
func reasonsLabel(c echo.Context, reasons []string) string {
	out := make([]string, len(reasons))
	for i, r := range reasons {
		out[i] = t(c, "care_reason."+r)
	}
	return strings.Join(out, t(c, "care.list_sep"))
}

// handleCarePage: GET /care, the resident's page of the care register.
func (s *Server) handleCarePage(c echo.Context) error {
	flash := ""
	if d := c.QueryParam("done"); d == "joined" || d == "left" {
		flash = t(c, "care_done."+d)
	}
	return s.renderCarePage(c, http.StatusOK, nil, flash, nil, "")
}

func (s *Server) renderCarePage(c echo.Context, status int, errs view.Errors, flash string, chosen []string, cadence string) error {
	ctx := c.Request().Context()
	p := caller(c)
	scope := app.CareScope{ResidentID: p.UserID}
	v := view.CarePage{Flash: flash, Errors: errs, IdempotencyKey: newKey()}
	if v.Errors == nil {
		v.Errors = view.Errors{}
	}
	if cadence == "" {
		cadence = "weekly"
	}
	for _, r := range app.CareReasons {
		v.Reasons = append(v.Reasons, view.Option{Value: r, Label: t(c, "care_reason."+r), Selected: slices.Contains(chosen, r)})
	}
	for _, cd := range app.CareCadences {
		v.Cadences = append(v.Cadences, view.Option{Value: cd, Label: t(c, "care_cadence."+cd), Selected: cd == cadence})
	}
	enrolments, err := s.store.ListEnrolments(ctx, scope, 0)
	if err != nil {
		return err
	}
	loc := s.residentLocation(c)
	if len(enrolments) > 0 {
		e := enrolments[0]
		consent := t(c, "care.consent_self")
		if e.ConsentBy == app.ConsentFamily {
			consent = t(c, "care.consent_family", "Name", e.ConsentName)
		} else if e.EnrolledBy != e.ResidentID {
			consent = t(c, "care.consent_resident_to_officer")
		}
		v.Enrolment = &view.CareEnrolment{ID: itoa64(e.ID), Reasons: reasonsLabel(c, e.Reasons), Cadence: t(c, "care_cadence."+e.Cadence),
			PreferredTimes: e.PreferredTimes, Since: e.CreatedAt.In(loc).Format(time.DateOnly), Consent: consent}
	}
	visits, err := s.store.ListVisits(ctx, scope, 50)
	if err != nil {
		return err
	}
	for _, vis := range visits {
		v.Visits = append(v.Visits, view.VisitLine{Text: t(c, "care_line."+vis.Outcome, "Name", vis.OfficerName, "Date", vis.VisitedAt.In(loc).Format(time.DateOnly)),
			Note: vis.Note, Warning: vis.FraudWarningGiven})
	}
	return s.render(c, status, t(c, "care.title"), pages.Care(v))
}

// residentLocation is the time zone of the resident's home booth's
// station, else the default.
func (s *Server) residentLocation(c echo.Context) *time.Location {
	p := caller(c)
	if p.User != nil && p.User.HomeBoothID != nil {
		if booths, err := s.booths(c.Request().Context()); err == nil {
			for _, b := range booths {
				if b.ID == *p.User.HomeBoothID {
					return s.stationLocation(c, b.StationID)
				}
			}
		}
	}
	return s.cfg.TimeZone
}

// handleCareEnrolForm: POST /care, a resident joins the register.
func (s *Server) handleCareEnrolForm(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return app.Errorf(app.EINVALID, "the form could not be read")
	}
	r := newEnrolmentJSON{Reasons: form["reasons"], Cadence: c.FormValue("cadence"), PreferredTimes: c.FormValue("preferred_times"), Note: c.FormValue("note")}
	if _, err := s.enrol(c, r); err != nil {
		msg, status, err := s.formError(c, err)
		if err != nil {
			return err
		}
		return s.renderCarePage(c, status, view.Errors{"": msg}, "", r.Reasons, r.Cadence)
	}
	return c.Redirect(http.StatusSeeOther, "/care?done=joined")
}

// handleCareLeaveForm: POST /care/leave, a resident leaves the register.
func (s *Server) handleCareLeaveForm(c echo.Context) error {
	p := caller(c)
	enrolments, err := s.store.ListEnrolments(c.Request().Context(), app.CareScope{ResidentID: p.UserID}, 0)
	if err != nil {
		return err
	}
	if len(enrolments) == 0 {
		return app.ErrNotFound
	}
	if err := s.store.LeaveCare(c.Request().Context(), enrolments[0].ID, p.UserID); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/care?done=left")
}

// handleVisitForm: POST /visits/new from the shift page.
func (s *Server) handleVisitForm(c echo.Context) error {
	r := newVisitJSON{EnrolmentID: c.FormValue("enrolment_id"), Outcome: c.FormValue("outcome"), Wellbeing: c.FormValue("wellbeing"),
		FraudWarningGiven: c.FormValue("fraud_warning_given") != "", Note: c.FormValue("note"), WrittenAt: formTime(c, "written_at")}
	if r.Outcome != app.VisitVisited {
		r.Wellbeing = "" // the radios keep a choice the officer could not make
	}
	if _, err := s.recordVisit(c, r); err != nil {
		return s.shiftFormError(c, "", err)
	}
	return c.Redirect(http.StatusSeeOther, "/shift?done=visit")
}

// dueVisitRows lays out the booth's due visits for the shift page.
func (s *Server) dueVisitRows(c echo.Context, station, booth int64, loc *time.Location) ([]view.DueVisitRow, error) {
	due, err := s.store.DueVisits(c.Request().Context(), station, booth, s.now(), loc)
	if err != nil {
		return nil, err
	}
	rows := make([]view.DueVisitRow, 0, len(due))
	for _, d := range due {
		r := view.DueVisitRow{EnrolmentID: itoa64(d.EnrolmentID), Name: d.ResidentName, Reasons: reasonsLabel(c, d.Reasons),
			PreferredTimes: d.PreferredTimes, Overdue: d.Overdue, FollowUp: d.FollowUp, IdempotencyKey: newKey(),
			DueLabel: t(c, "care.due_today")}
		if d.Overdue {
			r.DueLabel = t(c, "care.overdue_since", "Date", d.DueOn)
		}
		if d.LastVisitAt != nil {
			r.LastVisit = t(c, "care.last_visit", "Date", d.LastVisitAt.In(loc).Format(time.DateOnly), "Outcome", t(c, "care_outcome."+d.LastOutcome))
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// visitFigureRows lays out the review's planned-visit figures.
func (s *Server) visitFigureRows(c echo.Context, station int64, from, to time.Time, loc *time.Location) (view.VisitFigures, error) {
	f, err := s.store.VisitFigures(c.Request().Context(), station, from, to, s.now(), loc)
	if err != nil {
		return view.VisitFigures{}, err
	}
	var v view.VisitFigures
	for _, b := range f.Booths {
		v.Booths = append(v.Booths, view.BoothVisitRow{Booth: s.boothName(c, b.BoothID), Done: strconv.FormatInt(b.Done, 10),
			Due: strconv.FormatInt(b.Due, 10), Overdue: strconv.FormatInt(b.Overdue, 10)})
	}
	people := s.names(c.Request().Context())
	for _, o := range f.Officers {
		v.Officers = append(v.Officers, view.Figure{Label: people.of(&o.OfficerID), Value: strconv.FormatInt(o.Done, 10)})
	}
	return v, nil
}

// visitEntryText says what a visit entry of a shift log records, and
// links to the resident's due card when the visit is still known.
func visitEntryText(c echo.Context, v app.CareVisit, name string) string {
	text := t(c, "care_entry."+v.Outcome, "Name", name)
	if v.Wellbeing != "" {
		text += t(c, "care.list_sep") + t(c, "care_wellbeing."+v.Wellbeing)
	}
	if v.FraudWarningGiven {
		text += t(c, "care.list_sep") + t(c, "care.warning_given")
	}
	if v.Note != "" {
		text += t(c, "care.list_sep") + v.Note
	}
	return text
}

// visitTexts fills in the visit entries of a log from their visits.
func (s *Server) visitTexts(c echo.Context, entries []app.ShiftEntry) map[int64]string {
	var ids []int64
	for _, e := range entries {
		if e.EventName == "visit.recorded" && e.RecordID != nil {
			ids = append(ids, *e.RecordID)
		}
	}
	out := map[int64]string{}
	station, err := ownStation(c)
	if len(ids) == 0 || err != nil {
		return out
	}
	visits, err := s.store.VisitsByID(c.Request().Context(), station, ids)
	if err != nil {
		return out
	}
	people := s.names(c.Request().Context())
	for id, v := range visits {
		out[id] = visitEntryText(c, v, people.of(&v.ResidentID))
	}
	return out
}
