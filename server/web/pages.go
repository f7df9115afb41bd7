package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// renderErrorPage shows a plain error page to a browser.
func (s *Server) renderErrorPage(c echo.Context, status int) {
	_ = c.String(status, http.StatusText(status))
}
