package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
	"policebooth/templates/pages"
)

// privacyJSON names the policy in force and where to read it.
type privacyJSON struct {
	Version string `json:"version"`
	URL     string `json:"url"`
}

// handlePrivacyGet: GET /api/v1/privacy, the version sign-up must accept.
func (s *Server) handlePrivacyGet(c echo.Context) error {
	return c.JSON(http.StatusOK, privacyJSON{Version: app.PrivacyVersion, URL: s.cfg.BaseURL.JoinPath("privacy").String()})
}

type privacyAcceptance struct {
	Version string `json:"version"`
}

// handleMePrivacy: POST /api/v1/me/privacy, a resident accepts the policy
// in force.
func (s *Server) handleMePrivacy(c echo.Context) error {
	var r privacyAcceptance
	if err := bind(c, &r); err != nil {
		return err
	}
	p := caller(c)
	ctx := c.Request().Context()
	if err := s.store.AcceptPrivacy(ctx, p.UserID, r.Version, s.now()); err != nil {
		return err
	}
	s.sessions.forget(p.SessionID)
	u, err := s.store.FindUser(ctx, p.UserID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toUserJSON(u))
}

// handlePrivacyPage: GET /privacy.
func (s *Server) handlePrivacyPage(c echo.Context) error {
	return s.render(c, http.StatusOK, t(c, "privacy.title"), pages.Privacy(app.PrivacyVersion))
}

// handleTermsPage: GET /terms.
func (s *Server) handleTermsPage(c echo.Context) error {
	return s.render(c, http.StatusOK, t(c, "terms.title"), pages.Terms(app.PrivacyVersion))
}

// handlePrivacyAcceptForm: POST /privacy/accept, the banner's button; back
// to the page it was pressed on.
func (s *Server) handlePrivacyAcceptForm(c echo.Context) error {
	p := caller(c)
	if err := s.store.AcceptPrivacy(c.Request().Context(), p.UserID, c.FormValue("version"), s.now()); err != nil {
		return err
	}
	s.sessions.forget(p.SessionID)
	return c.Redirect(http.StatusSeeOther, localPath(c.FormValue("next")))
}
