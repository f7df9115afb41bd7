package web

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"policebooth/templates/pages"
	"policebooth/templates/view"
)

// confirmation is what a page asks before a step that is hard to undo, as
// message ids.
type confirmation struct {
	question, detail, confirm string
	back                      string // where going back leads
}

// Steps confirmed in the pages (the API takes them at once).
var (
	confirmCancelCall = confirmation{question: "confirm.cancel_call", detail: "confirm.cancel_call_detail", confirm: "confirm.cancel_call_yes"}
	confirmSignOff    = confirmation{question: "confirm.sign_off", detail: "confirm.sign_off_detail", confirm: "confirm.sign_off_yes"}
	confirmUrgent     = confirmation{question: "confirm.urgent", detail: "confirm.urgent_detail", confirm: "confirm.urgent_yes"}
)

// confirmed reports whether the form was sent from the confirmation step;
// when not, it answers with that step, which sends the same values again
// with confirm=1 (and a fresh idempotency key: the first one's answer is
// this page).
func (s *Server) confirmed(c echo.Context, what confirmation) (bool, error) {
	if c.FormValue("confirm") == "1" {
		return true, nil
	}
	form, err := c.FormParams()
	if err != nil {
		return false, err
	}
	v := view.ConfirmPage{Question: t(c, what.question), Detail: t(c, what.detail), Action: c.Request().URL.Path,
		ConfirmLabel: t(c, what.confirm), BackURL: what.back, BackLabel: t(c, "confirm.back")}
	names := make([]string, 0, len(form))
	for name := range form {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if name == "confirm" || name == "idempotency_key" {
			continue
		}
		for _, value := range form[name] {
			v.Hidden = append(v.Hidden, view.Hidden{Name: name, Value: value})
		}
	}
	v.Hidden = append(v.Hidden, view.Hidden{Name: "idempotency_key", Value: newKey()})
	return false, s.render(c, http.StatusOK, v.Question, pages.Confirm(v))
}
