package web

import (
	"errors"
	"math"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
	"policebooth/server/i18n"
	"policebooth/templates/pages"
	"policebooth/templates/view"
)

// formError turns a failed action into a message for the whole form, in the
// reader's language, and the status to answer with.
func (s *Server) formError(c echo.Context, err error) (string, int, error) {
	if key, _ := app.MessageOf(err); key != "" {
		return refusalText(c, err), statusOfCode[app.ErrorCode(err)], nil
	}
	switch app.ErrorCode(err) {
	case app.ERATELIMIT:
		minutes := 1
		if v, convErr := time.ParseDuration(c.Response().Header().Get("Retry-After") + "s"); convErr == nil {
			minutes = int(math.Ceil(v.Minutes()))
		}
		return t(c, "err.too_many", "Minutes", minutes), http.StatusTooManyRequests, nil
	case app.EUNAUTHORIZED:
		if errors.Is(err, errBadCredentials) {
			return t(c, "err.login_failed"), http.StatusUnauthorized, nil
		}
		return t(c, "err.disabled"), http.StatusUnauthorized, nil
	case app.EINVALID:
		return t(c, "err.invalid", "Message", app.ErrorMessage(err)), http.StatusBadRequest, nil
	case app.ECONFLICT:
		return t(c, "err.invalid", "Message", app.ErrorMessage(err)), http.StatusConflict, nil
	case app.ENOTFOUND:
		return t(c, "err.invalid", "Message", app.ErrorMessage(err)), http.StatusNotFound, nil
	}
	return "", 0, err
}

// checkPhone, checkPassword and checkName put a field's error in errs.
func checkPhone(c echo.Context, errs view.Errors, phone string) string {
	normal, err := app.NormalizePhone(phone)
	if err != nil {
		errs["phone"] = t(c, "err.phone_invalid")
	}
	return normal
}

func checkPassword(c echo.Context, errs view.Errors, field, password string) {
	if app.ValidatePassword(password) != nil {
		errs[field] = t(c, "err.password_rule")
	}
}

func checkName(c echo.Context, errs view.Errors, name string) {
	if _, err := app.ValidateName(name); err != nil {
		errs["name"] = t(c, "err.name_required")
	}
}

// handleLoginPage: GET /login.
func (s *Server) handleLoginPage(c echo.Context) error {
	if caller(c) != nil {
		return c.Redirect(http.StatusSeeOther, "/")
	}
	v := view.Login{Next: localPath(c.QueryParam("next"))}
	if c.QueryParam("reset") != "" {
		v.Flash = t(c, "flash.password_reset")
	}
	if c.QueryParam("deleted") != "" {
		v.Flash = t(c, "rights.deleted")
	}
	return s.render(c, http.StatusOK, t(c, "login.title"), pages.Login(v))
}

// handleLoginSubmit: POST /login, the sign-in form.
func (s *Server) handleLoginSubmit(c echo.Context) error {
	v := view.Login{Phone: c.FormValue("phone"), Next: localPath(c.FormValue("next")), Errors: view.Errors{}}
	checkPhone(c, v.Errors, v.Phone)
	if c.FormValue("password") == "" {
		v.Errors["password"] = t(c, "err.password_rule")
	}
	if len(v.Errors) > 0 {
		return s.render(c, http.StatusBadRequest, t(c, "login.title"), pages.Login(v))
	}
	grant, err := s.signIn(c, v.Phone, c.FormValue("password"))
	if err != nil {
		msg, status, err := s.formError(c, err)
		if err != nil {
			return err
		}
		v.Errors[""] = msg
		return s.render(c, status, t(c, "login.title"), pages.Login(v))
	}
	pair, err := s.issue(grant)
	if err != nil {
		return err
	}
	s.setSessionCookies(c, pair.AccessToken, pair.RefreshToken)
	// A language picked on the sign-in page is the latest choice of the
	// person at this device (sign-out forgets it): save it to the account.
	if ck, err := c.Cookie(langCookie); err == nil && ck.Value != grant.User.Language && (ck.Value == i18n.Chinese || ck.Value == i18n.English) {
		lang := ck.Value
		if _, err := s.store.UpdateUser(c.Request().Context(), grant.User.ID, app.UserUpdate{Language: &lang}); err != nil {
			return err
		}
	}
	if grant.User.Role == app.RoleResident && !grant.User.PhoneVerified {
		return c.Redirect(http.StatusSeeOther, "/verify")
	}
	return c.Redirect(http.StatusSeeOther, v.Next)
}

// boothOptions lists the booths for a select, with selected chosen.
func (s *Server) boothOptions(c echo.Context, selected string) ([]view.Option, error) {
	booths, err := s.booths(c.Request().Context())
	if err != nil {
		return nil, err
	}
	en := i18n.Lang(c.Request().Context()) == i18n.English
	stations := map[int64]*app.Station{}
	opts := make([]view.Option, 0, len(booths))
	for _, b := range booths {
		st, ok := stations[b.StationID]
		if !ok {
			if st, err = s.station(c.Request().Context(), b.StationID); err != nil {
				return nil, err
			}
			stations[b.StationID] = st
		}
		label := st.Name + " · " + b.Name
		if en && st.NameEn != "" {
			label = st.NameEn + " · " + b.NameEn
		}
		id := itoa64(b.ID)
		opts = append(opts, view.Option{Value: id, Label: label, Selected: id == selected})
	}
	return opts, nil
}

// handleRegisterPage: GET /register.
func (s *Server) handleRegisterPage(c echo.Context) error {
	opts, err := s.boothOptions(c, "")
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, t(c, "register.title"), pages.Register(view.Register{Booths: opts, PrivacyVersion: app.PrivacyVersion}))
}

// handleRegisterSubmit: POST /register creates the account and asks for
// the code sent to the phone; the code signs the resident in.
func (s *Server) handleRegisterSubmit(c echo.Context) error {
	r := registerRequest{
		Phone: c.FormValue("phone"), Password: c.FormValue("password"), Name: c.FormValue("name"),
		HomeBoothID: c.FormValue("home_booth_id"), Language: i18n.Lang(c.Request().Context()),
		PrivacyVersion: c.FormValue("privacy_version"),
	}
	opts, err := s.boothOptions(c, r.HomeBoothID)
	if err != nil {
		return err
	}
	v := view.Register{Phone: r.Phone, Name: r.Name, Booths: opts, Errors: view.Errors{}, PrivacyVersion: app.PrivacyVersion}
	if app.CheckPrivacyVersion(r.PrivacyVersion) != nil {
		v.Errors["privacy_version"] = t(c, "refusal.privacy_version")
	}
	checkPhone(c, v.Errors, r.Phone)
	checkName(c, v.Errors, r.Name)
	checkPassword(c, v.Errors, "password", r.Password)
	if len(opts) > 0 && r.HomeBoothID == "" {
		v.Errors["home_booth_id"] = t(c, "err.booth_required")
	}
	if len(v.Errors) > 0 {
		return s.render(c, http.StatusBadRequest, t(c, "register.title"), pages.Register(v))
	}
	if err := s.register(c, r); err != nil {
		msg, status, err := s.formError(c, err)
		if err != nil {
			return err
		}
		v.Errors[""] = msg
		return s.render(c, status, t(c, "register.title"), pages.Register(v))
	}
	// The same answer whether or not the number was taken: the code form.
	phone, _ := app.NormalizePhone(r.Phone)
	return c.Redirect(http.StatusSeeOther, "/verify?sent=1&phone="+url.QueryEscape(phone))
}

// verifyView is the code form for a purpose, for the signed-in user's phone
// or the phone in the query.
func verifyView(c echo.Context, purpose app.CodePurpose) view.Verify {
	v := view.Verify{Purpose: string(purpose), Phone: c.QueryParam("phone"), Errors: view.Errors{}}
	if p := caller(c); p != nil && purpose == app.CodeVerify {
		v.Phone = p.User.Phone
	}
	if c.QueryParam("sent") != "" {
		v.Flash = t(c, "flash.code_sent")
	}
	return v
}

// handleVerifyPage: GET /verify.
func (s *Server) handleVerifyPage(c echo.Context) error {
	if p := caller(c); p != nil && p.User.PhoneVerified {
		return c.Redirect(http.StatusSeeOther, "/")
	}
	return s.render(c, http.StatusOK, t(c, "verify.title"), pages.Verify(verifyView(c, app.CodeVerify)))
}

// handleVerifySubmit: POST /verify checks the code.
func (s *Server) handleVerifySubmit(c echo.Context) error {
	v := view.Verify{Purpose: string(app.CodeVerify), Phone: c.FormValue("phone"), Errors: view.Errors{}}
	if p := caller(c); p != nil {
		v.Phone = p.User.Phone
	}
	u, err := s.verifyPhone(c, v.Phone, c.FormValue("code"))
	if err != nil {
		return s.codeFailed(c, v, err)
	}
	s.sessions.forgetAll()
	if caller(c) == nil {
		// The code proves the phone: it signs the new resident in.
		grant, err := s.store.CreateSession(c.Request().Context(), u.ID, s.now())
		if err != nil {
			return err
		}
		pair, err := s.issue(grant)
		if err != nil {
			return err
		}
		s.setSessionCookies(c, pair.AccessToken, pair.RefreshToken)
	}
	return c.Redirect(http.StatusSeeOther, "/")
}

// codeFailed shows the code form again with what went wrong.
func (s *Server) codeFailed(c echo.Context, v view.Verify, err error) error {
	status := http.StatusBadRequest
	switch app.ErrorCode(err) {
	case app.EINVALID:
		v.Errors["code"] = t(c, "err.code_wrong")
	default:
		msg, st, err := s.formError(c, err)
		if err != nil {
			return err
		}
		v.Errors[""], status = msg, st
	}
	title := t(c, "verify.title")
	if v.Purpose == string(app.CodeReset) {
		title = t(c, "reset.title")
	}
	return s.render(c, status, title, pages.Verify(v))
}

// handleCodesSubmit: POST /codes sends a new code (verify or reset).
func (s *Server) handleCodesSubmit(c echo.Context) error {
	purpose := app.CodePurpose(c.FormValue("purpose"))
	phone := c.FormValue("phone")
	if p := caller(c); p != nil && purpose == app.CodeVerify {
		phone = p.User.Phone
	}
	errs := view.Errors{}
	normal := checkPhone(c, errs, phone)
	if len(errs) == 0 {
		if err := s.requestCode(c, normal, purpose); err != nil {
			msg, status, err := s.formError(c, err)
			if err != nil {
				return err
			}
			errs[""] = msg
			if purpose == app.CodeReset {
				return s.render(c, status, t(c, "forgot.title"), pages.Forgot(view.Forgot{Phone: phone, Errors: errs}))
			}
			v := verifyView(c, app.CodeVerify)
			v.Errors = errs
			return s.render(c, status, t(c, "verify.title"), pages.Verify(v))
		}
	}
	if len(errs) > 0 {
		return s.render(c, http.StatusBadRequest, t(c, "forgot.title"), pages.Forgot(view.Forgot{Phone: phone, Errors: errs}))
	}
	next := "/verify"
	if purpose == app.CodeReset {
		next = "/reset"
	}
	return c.Redirect(http.StatusSeeOther, next+"?sent=1&phone="+url.QueryEscape(normal))
}

// handleForgotPage: GET /forgot.
func (s *Server) handleForgotPage(c echo.Context) error {
	return s.render(c, http.StatusOK, t(c, "forgot.title"), pages.Forgot(view.Forgot{}))
}

// handleResetPage: GET /reset asks for the code and the new password.
func (s *Server) handleResetPage(c echo.Context) error {
	return s.render(c, http.StatusOK, t(c, "reset.title"), pages.Verify(verifyView(c, app.CodeReset)))
}

// handleResetSubmit: POST /reset.
func (s *Server) handleResetSubmit(c echo.Context) error {
	r := resetRequest{Phone: c.FormValue("phone"), Code: c.FormValue("code"), Password: c.FormValue("password")}
	v := view.Verify{Purpose: string(app.CodeReset), Phone: r.Phone, Errors: view.Errors{}}
	checkPassword(c, v.Errors, "password", r.Password)
	if len(v.Errors) > 0 {
		return s.render(c, http.StatusBadRequest, t(c, "reset.title"), pages.Verify(v))
	}
	if err := s.resetPassword(c, r); err != nil {
		return s.codeFailed(c, v, err)
	}
	s.sessions.forgetAll()
	return c.Redirect(http.StatusSeeOther, "/login?reset=1")
}

// handlePasswordPage: GET /password.
func (s *Server) handlePasswordPage(c echo.Context) error {
	v := view.ChangePassword{Required: caller(c).User.MustChangePassword}
	return s.render(c, http.StatusOK, t(c, "password.title"), pages.ChangePassword(v))
}

// handlePasswordSubmit: POST /password.
func (s *Server) handlePasswordSubmit(c echo.Context) error {
	v := view.ChangePassword{Required: caller(c).User.MustChangePassword, Errors: view.Errors{}}
	checkPassword(c, v.Errors, "password", c.FormValue("password"))
	if len(v.Errors) == 0 {
		err := s.changePassword(c, c.FormValue("current_password"), c.FormValue("password"))
		switch {
		case err == nil:
			v = view.ChangePassword{Flash: t(c, "flash.password_changed")}
			return s.render(c, http.StatusOK, t(c, "password.title"), pages.ChangePassword(v))
		case app.ErrorCode(err) == app.EINVALID:
			v.Errors["current_password"] = t(c, "err.current_password")
		default:
			msg, _, err := s.formError(c, err)
			if err != nil {
				return err
			}
			v.Errors[""] = msg
		}
	}
	return s.render(c, http.StatusBadRequest, t(c, "password.title"), pages.ChangePassword(v))
}

// handleLogoutSubmit: POST /logout ends the browser's session; nothing of
// it stays usable.
func (s *Server) handleLogoutSubmit(c echo.Context) error {
	if p := caller(c); p != nil {
		if err := s.store.RevokeSession(c.Request().Context(), p.UserID, p.SessionID); err != nil {
			return err
		}
		s.sessions.forget(p.SessionID)
		s.streams.end(p.SessionID)
	}
	s.clearSessionCookies(c)
	c.SetCookie(s.cookie(langCookie, "", -1)) // the next person at a shared tablet starts afresh
	return c.Redirect(http.StatusSeeOther, "/")
}
