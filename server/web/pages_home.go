package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
	"policebooth/templates/pages"
	"policebooth/templates/view"
)

// handleHome: GET / shows the landing page, or the signed-in user's home
// for their role.
func (s *Server) handleHome(c echo.Context) error {
	p := caller(c)
	if p == nil {
		return s.handleLanding(c)
	}
	if p.User.MustChangePassword {
		return c.Redirect(http.StatusSeeOther, "/password")
	}
	ctx := c.Request().Context()
	booth := s.boothOf(ctx, p.User)
	h := view.Home{Name: p.User.Name, StationName: booth.StationName, BoothName: booth.BoothName, BadgeNo: p.User.BadgeNo}
	if booth.BoothName != "" {
		h.BoothName = t(c, "layout.booth_title", "Station", booth.StationName, "Booth", booth.BoothName)
	}
	title := t(c, "home.hello", "Name", p.User.Name)
	switch p.Role {
	case app.RoleResident:
		if !p.User.PhoneVerified {
			return c.Redirect(http.StatusSeeOther, "/verify")
		}
		h.OfferElder, h.Elder = p.User.ElderMode == nil, p.User.ElderMode != nil && *p.User.ElderMode
		offers, err := s.store.ListFamilyInvitations(c.Request().Context(), p.UserID)
		if err != nil {
			return err
		}
		h.FamilyOffers = len(offers)
		return s.render(c, http.StatusOK, title, pages.ResidentHome(h))
	case app.RoleOfficer:
		return s.handleTabletHome(c)
	case app.RoleHead:
		return s.handleHeadDashboard(c)
	case app.RoleGuard, app.RoleVolunteer:
		return s.handleResponderHome(c)
	default:
		return s.handleAdminPage(c)
	}
}

// handleElderForm: POST /elder turns the large, simple layout (长辈版) on
// or off for the signed-in person and goes back where they were.
func (s *Server) handleElderForm(c echo.Context) error {
	on := c.FormValue("elder") == "1"
	if _, err := s.store.UpdateUser(c.Request().Context(), caller(c).UserID, app.UserUpdate{ElderMode: &on}); err != nil {
		return err
	}
	s.sessions.forget(caller(c).SessionID)
	return c.Redirect(http.StatusSeeOther, localPath(c.FormValue("next")))
}
