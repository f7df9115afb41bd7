package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
	"policebooth/templates/pages"
	"policebooth/templates/view"
)

// handleResponderHome: GET / for a guard or volunteer, their tablet page.
func (s *Server) handleResponderHome(c echo.Context) error {
	p := caller(c)
	ctx := c.Request().Context()
	v := view.ResponderPage{Name: p.User.Name, Available: p.User.Available, Booth: s.boothName(c, *p.User.BoothID)}
	if c.QueryParam("done") != "" {
		v.Flash = t(c, "flash.saved")
	}
	calls, err := s.store.ResponderCalls(ctx, p.UserID)
	if err != nil {
		return err
	}
	shaped, err := s.responderCalls(c, calls, *p.User.BoothID)
	if err != nil {
		return err
	}
	now := s.now()
	for i, call := range calls {
		row := view.ResponderCallRow{ID: itoa64(call.ID), StatusLabel: callLabel(c, call.Status), Category: t(c, "cat_"+call.Category),
			Message: call.Message, Age: ageText(c, call.CreatedAt, now)}
		if d := shaped[i].DistanceM; d != nil {
			row.Distance = t(c, "responder.distance", "M", *d)
		}
		assists, err := s.store.CallAssists(ctx, call.ID)
		if err != nil {
			return err
		}
		for _, a := range assists {
			if a.UserID != nil && *a.UserID == p.UserID {
				row.Answer = assistAnswerLabel(c, a.Status)
			}
		}
		v.Calls = append(v.Calls, row)
	}
	return s.render(c, http.StatusOK, t(c, "responder.title", "Booth", v.Booth), pages.Responder(v))
}

// handleAvailabilityForm: POST /availability from the responder's page.
func (s *Server) handleAvailabilityForm(c echo.Context) error {
	p := caller(c)
	if _, err := s.store.SetAvailability(c.Request().Context(), p.UserID, c.FormValue("available") == "1"); err != nil {
		return err
	}
	s.sessions.forget(p.SessionID)
	s.streams.end(p.SessionID)
	return c.Redirect(http.StatusSeeOther, "/?done=1")
}

// handleAssistForm: POST /assists/:id from the responder's page.
func (s *Server) handleAssistForm(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if _, err := s.store.AssistCall(c.Request().Context(), id, caller(c).UserID, app.AssistStatus(c.FormValue("status")), s.now()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/?done=1")
}

// assistAnswerLabel is a responder's own answer to a call, in the reader's
// language.
func assistAnswerLabel(c echo.Context, st app.AssistStatus) string {
	if st == app.AssistArrived {
		return t(c, "responder.answered_arrived")
	}
	return t(c, "responder.answered_on_my_way")
}
