package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
)

// familyInvitationJSON is an offer as its invitee reads it: who offered and
// when; the registration only once accepted.
type familyInvitationJSON struct {
	ID         string               `json:"id"`
	From       string               `json:"from"`
	Status     app.InvitationStatus `json:"status"`
	CreatedAt  time.Time            `json:"created_at"`
	AnsweredAt *time.Time           `json:"answered_at,omitempty"`
	RequestID  string               `json:"request_id,omitempty"`
}

func invitationJSON(inv *app.FamilyInvitation) familyInvitationJSON {
	out := familyInvitationJSON{ID: itoa64(inv.ID), From: inv.From, Status: inv.Status, CreatedAt: inv.CreatedAt, AnsweredAt: inv.AnsweredAt}
	if inv.Status == app.InvitationAccepted {
		out.RequestID = itoa64(inv.RequestID)
	}
	return out
}

// handleFamilyInvitationList: GET /family-invitations, the open offers to
// the resident's verified number.
func (s *Server) handleFamilyInvitationList(c echo.Context) error {
	invs, err := s.store.ListFamilyInvitations(c.Request().Context(), caller(c).UserID)
	if err != nil {
		return err
	}
	items := make([]familyInvitationJSON, len(invs))
	for i := range invs {
		items[i] = invitationJSON(&invs[i])
	}
	return c.JSON(http.StatusOK, list[familyInvitationJSON]{Items: items})
}

// handleFamilyInvitationAnswer: POST /family-invitations/:id/accept and
// /decline.
func (s *Server) handleFamilyInvitationAnswer(accept bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c)
		if err != nil {
			return err
		}
		inv, err := s.store.AnswerFamilyInvitation(c.Request().Context(), caller(c).UserID, id, accept)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, invitationJSON(inv))
	}
}
