package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
	"policebooth/server/auth"
	"policebooth/server/i18n"
	"policebooth/templates/pages"
)

var statusOfCode = map[string]int{
	app.EINVALID:      http.StatusBadRequest,
	app.EUNAUTHORIZED: http.StatusUnauthorized,
	app.EFORBIDDEN:    http.StatusForbidden,
	app.ENOTFOUND:     http.StatusNotFound,
	app.ECONFLICT:     http.StatusConflict,
	app.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	app.EUNSUPPORTED:  http.StatusUnsupportedMediaType,
	app.ERATELIMIT:    http.StatusTooManyRequests,
	app.EINTERNAL:     http.StatusInternalServerError,
	app.EUNAVAILABLE:  http.StatusServiceUnavailable,
	app.EUNVERIFIED:   http.StatusForbidden,
}

var codeOfStatus = func() map[int]string {
	m := map[int]string{http.StatusMethodNotAllowed: "method_not_allowed"}
	for code, status := range statusOfCode {
		if code == app.EUNVERIFIED {
			continue // 403 from outside the app is plain forbidden
		}
		m[status] = code
	}
	return m
}()

// apiError is the API's error shape: {"error":{"code":"…","message":"…"}}.
type apiError struct {
	Error apiErrorBody `json:"error"`
}

type apiErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// handleError is the one error handler: app errors and Echo's HTTP errors
// become the API's error shape under /api/ and an error page elsewhere.
// Internal errors are logged with the request id and shown generically.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	var status int
	var code, message string
	var he *echo.HTTPError
	switch {
	case errors.As(err, &he):
		status = he.Code
		code = codeOfStatus[status]
		if code == "" {
			code = app.EINVALID
		}
		if m, ok := he.Message.(string); ok {
			message = m
		} else {
			message = http.StatusText(status)
		}
	case app.ErrorCode(err) == app.EINTERNAL && s.store.Unavailable(err):
		// The database is restarting or unreachable: say so, and when to
		// retry, rather than a bare internal error.
		status, code, message = http.StatusServiceUnavailable, app.EUNAVAILABLE, "the database is unavailable for a moment; retry in a few seconds"
		c.Response().Header().Set("Retry-After", "5")
	default:
		code = app.ErrorCode(err)
		message = refusalText(c, err)
		status = statusOfCode[code]
		switch code {
		case app.EUNVERIFIED:
			message = t(c, "abuse.phone_unverified")
		case app.EUNAVAILABLE:
			if errors.Is(err, auth.ErrHashingBusy) {
				message = t(c, "abuse.busy")
			}
		}
	}
	if status >= 500 {
		s.log.Error("request failed", "err", err, "request_id", requestIDOf(c), "path", c.Request().URL.Path)
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	if code == app.EUNVERIFIED && !isAPI(c) {
		if err := s.render(c, status, t(c, "abuse.unverified_title"), pages.Unverified()); err == nil {
			return
		}
	}
	if isAPI(c) {
		_ = c.JSON(status, apiError{Error: apiErrorBody{Code: code, Message: message}})
		return
	}
	s.renderErrorPage(c, status)
}

// refusalText is what a person is told about a refused request: the
// error's message code in the reader's language (the account's, else
// Accept-Language), else its safe English message.
func refusalText(c echo.Context, err error) string {
	key, data := app.MessageOf(err)
	if key == "" || i18n.From(c.Request().Context()) == nil {
		return app.ErrorMessage(err)
	}
	return t(c, "refusal."+key, data...)
}

func isAPI(c echo.Context) bool {
	return strings.HasPrefix(c.Request().URL.Path, "/api/")
}
