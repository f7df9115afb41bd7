package web

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/labstack/echo/v4"

	"policebooth/pwa"
	"policebooth/server/app"
	"policebooth/server/i18n"
	"policebooth/templates/layouts"
	"policebooth/templates/pages"
	"policebooth/templates/view"

	"github.com/a-h/templ"
)

// langCookie remembers the language a person chose with the switch.
const langCookie = "pb_lang"

// localize puts the request's localizer in its context: the signed-in
// user's language, else the choice saved in a cookie, else Accept-Language,
// else Chinese. It runs after authenticate.
func (s *Server) localize(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		saved := ""
		if p := caller(c); p != nil {
			saved = p.User.Language
		} else if ck, err := c.Cookie(langCookie); err == nil {
			saved = ck.Value
		}
		lang := s.i18n.Match(saved, c.Request().Header.Get("Accept-Language"))
		r := c.Request()
		c.SetRequest(r.WithContext(i18n.WithLocalizer(r.Context(), s.i18n.Localizer(lang))))
		c.Response().Header().Set("Content-Language", lang)
		c.Response().Header().Add(echo.HeaderVary, "Accept-Language")
		return next(c)
	}
}

// handleLanding shows the landing page.
func (s *Server) handleLanding(c echo.Context) error {
	booth := s.boothView(c.Request().Context())
	return s.render(c, http.StatusOK, t(c, "landing.title"), pages.Landing(booth))
}

// handleOffline shows the page the service worker falls back to.
func (s *Server) handleOffline(c echo.Context) error {
	return s.render(c, http.StatusOK, t(c, "offline.title"), pages.Offline())
}

// handleLanguageSwitch saves the chosen language and goes back to the page.
func (s *Server) handleLanguageSwitch(c echo.Context) error {
	lang := c.FormValue("lang")
	if lang != i18n.Chinese && lang != i18n.English {
		return echo.NewHTTPError(http.StatusBadRequest, "unknown language")
	}
	if p := caller(c); p != nil {
		if _, err := s.store.UpdateUser(c.Request().Context(), p.UserID, app.UserUpdate{Language: &lang}); err != nil {
			return err
		}
		s.sessions.forget(p.SessionID)
	}
	c.SetCookie(s.cookie(langCookie, lang, int((365 * 24 * time.Hour).Seconds())))
	return c.Redirect(http.StatusSeeOther, localPath(c.FormValue("next")))
}

// localPath keeps a redirect target on this site: anything else means "/".
func localPath(p string) string {
	// Browsers drop tabs and newlines from URLs and read a backslash as a
	// slash, so "/\t/evil.example" or "/\\evil.example" would leave the
	// site: refuse any such character, then parse what is left.
	if !strings.HasPrefix(p, "/") || strings.ContainsAny(p, "\\") || strings.ContainsFunc(p, unicode.IsControl) {
		return "/"
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	return p
}

// handleManifest serves the web app manifest in the reader's language.
func (s *Server) handleManifest(c echo.Context) error {
	body, err := s.assets.Manifest(pwa.ManifestText{
		Name: t(c, "app.name"), ShortName: t(c, "app.short_name"), Description: t(c, "app.description"),
		Lang: i18n.Lang(c.Request().Context()),
	})
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-cache")
	return c.Blob(http.StatusOK, "application/manifest+json", body)
}

// handleServiceWorker serves the service worker; browsers must always check
// for a new one, so it is never cached for long.
func (s *Server) handleServiceWorker(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderCacheControl, "no-cache")
	return c.Blob(http.StatusOK, "text/javascript; charset=utf-8", s.serviceWorker)
}

// handleAsset serves a content-hashed static file, cached for a year.
func (s *Server) handleAsset(c echo.Context) error {
	asset, ok := s.assets.ByURL(c.Request().URL.Path)
	if !ok {
		return echo.ErrNotFound
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "public, max-age=31536000, immutable")
	return c.Blob(http.StatusOK, asset.ContentType, asset.Body)
}

// renderErrorPage shows a localized error page to a browser.
func (s *Server) renderErrorPage(c echo.Context, status int) {
	ctx := c.Request().Context()
	if i18n.From(ctx) == nil { // the error came before the localize middleware
		lang := s.i18n.Match("", c.Request().Header.Get("Accept-Language"))
		ctx = i18n.WithLocalizer(ctx, s.i18n.Localizer(lang))
		c.SetRequest(c.Request().WithContext(ctx))
	}
	if err := s.render(c, status, pages.ErrorTitle(ctx, status), pages.Error(view.ErrorPage{Status: status})); err != nil {
		s.log.Error("render error page", "err", err)
		_ = c.String(status, http.StatusText(status))
	}
}

// renderOfflinePage renders the offline page once, in Chinese, for the
// service worker's version hash.
func (s *Server) renderOfflinePage() ([]byte, error) {
	ctx := i18n.WithLocalizer(context.Background(), s.i18n.Localizer(i18n.Chinese))
	var buf bytes.Buffer
	page := s.pageView(ctx, "/offline", "")
	page.Booth = s.boothView(ctx)
	err := layouts.Base(page).Render(templ.WithChildren(ctx, pages.Offline()), &buf)
	return buf.Bytes(), err
}
