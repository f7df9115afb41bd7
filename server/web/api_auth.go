package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
	"policebooth/server/notify"
)

// userJSON is an account as the API shows it.
type userJSON struct {
	ID                 int64      `json:"id,string"`
	Phone              string     `json:"phone"`
	Name               string     `json:"name"`
	Role               string     `json:"role"`
	StationID          *int64     `json:"station_id,string,omitempty"`
	HomeBoothID        *int64     `json:"home_booth_id,string,omitempty"`
	BoothID            *int64     `json:"booth_id,string,omitempty"` // guards and volunteers
	Available          *bool      `json:"available,omitempty"`       // guards and volunteers
	BadgeNo            string     `json:"badge_no,omitempty"`
	Language           string     `json:"language"`
	PhoneVerified      bool       `json:"phone_verified"`
	MustChangePassword bool       `json:"must_change_password"`
	Disabled           bool       `json:"disabled,omitempty"`
	ElderMode          *bool      `json:"elder_mode,omitempty"`
	PrivacyVersion     string     `json:"privacy_version,omitempty"`
	PrivacyAcceptedAt  *time.Time `json:"privacy_accepted_at,omitempty"`
}

func toUserJSON(u *app.User) userJSON {
	var available *bool
	if u.Role.Responder() {
		available = &u.Available
	}
	return userJSON{BoothID: u.BoothID, Available: available,
		ID: u.ID, Phone: u.Phone, Name: u.Name, Role: string(u.Role), StationID: u.StationID,
		HomeBoothID: u.HomeBoothID, BadgeNo: u.BadgeNo, Language: u.Language,
		PhoneVerified: u.PhoneVerified, MustChangePassword: u.MustChangePassword, Disabled: u.Disabled, ElderMode: u.ElderMode,
		PrivacyVersion: u.PrivacyVersion, PrivacyAcceptedAt: u.PrivacyAcceptedAt,
	}
}

// bind decodes a JSON body strictly: unknown fields and trailing data are
// errors a client should hear about.
func bind(c echo.Context, v any) error {
	if ct := c.Request().Header.Get(echo.HeaderContentType); ct != "" && !strings.HasPrefix(ct, echo.MIMEApplicationJSON) {
		return app.Errorf(app.EUNSUPPORTED, "send JSON (Content-Type: application/json)")
	}
	dec := jsonDecoder(c.Request().Body)
	if err := dec.Decode(v); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return app.Errorf(app.ETOOLARGE, "the body is too large")
		}
		return app.Errorf(app.EINVALID, "invalid JSON: %s", jsonProblem(err))
	}
	if dec.More() {
		return app.Errorf(app.EINVALID, "invalid JSON: one object expected")
	}
	return checkStrings(reflect.ValueOf(v))
}

// bindLoose decodes JSON that browsers write, where fields we do not use
// (a PushSubscription's expirationTime) are expected.
func bindLoose(c echo.Context, v any) error {
	if ct := c.Request().Header.Get(echo.HeaderContentType); ct != "" && !strings.HasPrefix(ct, echo.MIMEApplicationJSON) {
		return app.Errorf(app.EUNSUPPORTED, "send JSON (Content-Type: application/json)")
	}
	if err := json.NewDecoder(c.Request().Body).Decode(v); err != nil {
		return app.Errorf(app.EINVALID, "invalid JSON: %s", jsonProblem(err))
	}
	return checkStrings(reflect.ValueOf(v))
}

type registerRequest struct {
	Phone       string   `json:"phone"`
	Password    string   `json:"password"`
	Name        string   `json:"name"`
	Language    string   `json:"language"`
	HomeBoothID string   `json:"home_booth_id"`
	Lat         *float64 `json:"lat"`
	Lng         *float64 `json:"lng"`
	// PrivacyVersion is the privacy policy and user agreement the person
	// accepted; it must be the one in force.
	PrivacyVersion string `json:"privacy_version"`
}

// register creates a resident account and sends the code that verifies
// the phone. It is shared by the API and the sign-up page. Its answer is
// the same whether or not the number is taken: the owner of a taken number
// is texted that someone tried, and the password is hashed either way so
// the time taken says nothing either.
func (s *Server) register(c echo.Context, r registerRequest) error {
	ctx := c.Request().Context()
	if err := s.throttle(c, signUpsPerAddress, time.Hour, "register:ip:"+addressKey(c)); err != nil {
		return err
	}
	if err := app.CheckPrivacyVersion(r.PrivacyVersion); err != nil {
		return err
	}
	phone, err := app.NormalizePhone(r.Phone)
	if err != nil {
		return err
	}
	if err := app.ValidatePassword(r.Password); err != nil {
		return err
	}
	lang := r.Language
	if lang == "" {
		lang = s.i18n.Match("", c.Request().Header.Get("Accept-Language"))
	}
	accepted := s.now()
	u := &app.User{Role: app.RoleResident, Phone: phone, Name: r.Name, Language: lang,
		PrivacyVersion: r.PrivacyVersion, PrivacyAcceptedAt: &accepted}
	switch {
	case r.HomeBoothID != "":
		id, err := parseID(r.HomeBoothID)
		if err != nil {
			return app.Errorf(app.EINVALID, "home_booth_id is not a booth id")
		}
		u.HomeBoothID = &id
	case r.Lat != nil && r.Lng != nil:
		b, err := s.store.NearestBooth(ctx, *r.Lat, *r.Lng)
		if err != nil && app.ErrorCode(err) != app.ENOTFOUND {
			return err
		}
		if b != nil {
			u.HomeBoothID = &b.ID
		}
	}
	if err := s.codeThrottles(c, phone); err != nil {
		return err
	}
	if u.PasswordHash, err = s.hashPassword(c, r.Password); err != nil {
		return err
	}
	err = s.store.CreateUser(ctx, u)
	if app.ErrorCode(err) == app.ECONFLICT {
		s.log.Info("sign-up for a taken number", "phone", notify.MaskPhone(phone), "ip", c.RealIP())
		err := s.textBudget(ctx, app.TextSignUpAttempt)
		if err == nil {
			err = s.store.QueueText(ctx, phone, lang, "sms.sign_up_attempt", nil)
		}
		if err != nil {
			s.log.Warn("sign-up notice not sent", "phone", notify.MaskPhone(phone), "err", err)
		}
		return nil
	}
	if err != nil {
		return err
	}
	s.log.Info("resident signed up", "user_id", u.ID, "ip", c.RealIP())
	if err := s.sendCode(c, u.Phone, app.CodeVerify); err != nil {
		s.log.Warn("verification code not sent", "user_id", u.ID, "err", err)
	}
	return nil
}

// codeThrottles counts a code (or sign-up notice) asked for a number, per
// address, per phone an hour and per phone a day. They are counted before
// anything is looked up, so a number with an account and one without are
// throttled alike.
func (s *Server) codeThrottles(c echo.Context, phone string) error {
	if err := s.throttle(c, codesPerAddress, time.Hour, "code:ip:"+addressKey(c)); err != nil {
		return err
	}
	if err := s.throttle(c, codesPerPhoneHourly, time.Hour, "code:phone:"+phone); err != nil {
		return err
	}
	return s.throttle(c, s.textLimits().PerPhoneDaily, app.TextPhoneWindow, "text:phone:"+phone)
}

// textLimits are the configured caps on texts anyone can ask for.
func (s *Server) textLimits() app.TextLimits {
	return app.TextLimits{PerPhoneDaily: s.cfg.TextsPerPhoneDaily, HourlyBudget: s.cfg.TextsHourlyBudget}
}

// textBudget counts a text of a capped purpose (codes, sign-up notices)
// against the global hourly budget and refuses it once the budget is
// spent; escalations, staff alerts and texts about a call never are
// counted (app.TextPurpose.Capped), and go to the outbox from the store.
func (s *Server) textBudget(ctx context.Context, purpose app.TextPurpose) error {
	if !purpose.Capped() {
		return nil
	}
	_, err := s.store.Throttle(ctx, textBudgetBucket, s.textLimits().HourlyBudget, app.TextBudgetWindow)
	if app.ErrorCode(err) == app.ERATELIMIT {
		s.log.Error("hourly text budget spent: code texts held back", "purpose", purpose, "budget", s.cfg.TextsHourlyBudget)
	}
	return err
}

// textBudgetBucket counts the capped texts of the current hour, all phones.
const textBudgetBucket = "text:budget"

// sendCode issues a one-time code and queues the text that carries it
// (send_messages delivers it). The caller has counted it against the code
// throttles (codeThrottles).
func (s *Server) sendCode(c echo.Context, phone string, purpose app.CodePurpose) error {
	kind := app.TextVerifyCode
	if purpose == app.CodeReset {
		kind = app.TextResetCode
	}
	if err := s.textBudget(c.Request().Context(), kind); err != nil {
		return err
	}
	lang := s.i18n.Match("", c.Request().Header.Get("Accept-Language"))
	if _, err := s.store.IssueCode(c.Request().Context(), phone, purpose, lang); err != nil {
		return err
	}
	s.log.Info("code queued", "purpose", purpose, "phone", notify.MaskPhone(phone))
	return nil
}

// handleAuthRegister: POST /auth/register answers 202 {"status":"code_sent"}
// whether or not the number is taken; the new resident then verifies
// (POST /auth/verify answers tokens) or signs in.
func (s *Server) handleAuthRegister(c echo.Context) error {
	var r registerRequest
	if err := bind(c, &r); err != nil {
		return err
	}
	if err := s.register(c, r); err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]string{"status": "code_sent"})
}

type loginRequest struct {
	Phone    string `json:"phone"`
	Password string `json:"password"`
}

// handleAuthLogin: POST /auth/login.
func (s *Server) handleAuthLogin(c echo.Context) error {
	var r loginRequest
	if err := bind(c, &r); err != nil {
		return err
	}
	grant, err := s.signIn(c, r.Phone, r.Password)
	if err != nil {
		return err
	}
	pair, err := s.issue(grant)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pair)
}

type refreshRequest struct {
	RefreshToken string `json:"refresh_token"`
}

// handleAuthRefresh: POST /auth/refresh rotates a refresh token.
func (s *Server) handleAuthRefresh(c echo.Context) error {
	var r refreshRequest
	if err := bind(c, &r); err != nil {
		return err
	}
	if r.RefreshToken == "" {
		return app.Errorf(app.EINVALID, "refresh_token is required")
	}
	grant, err := s.store.Rotate(c.Request().Context(), r.RefreshToken, s.now())
	if err != nil {
		return err
	}
	pair, err := s.issue(grant)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pair)
}

// handleAuthLogout: POST /auth/logout ends the caller's session.
func (s *Server) handleAuthLogout(c echo.Context) error {
	p := caller(c)
	if err := s.store.RevokeSession(c.Request().Context(), p.UserID, p.SessionID); err != nil {
		return err
	}
	s.sessions.forget(p.SessionID)
	s.streams.end(p.SessionID)
	s.clearSessionCookies(c)
	return c.NoContent(http.StatusNoContent)
}

type codeRequest struct {
	Phone   string `json:"phone"`
	Purpose string `json:"purpose"`
}

// handleAuthCodes: POST /auth/codes sends a verification or reset code. It
// answers 202 whether or not the number has an account, so it cannot be
// used to find out who is registered.
func (s *Server) handleAuthCodes(c echo.Context) error {
	var r codeRequest
	if err := bind(c, &r); err != nil {
		return err
	}
	if err := s.requestCode(c, r.Phone, app.CodePurpose(r.Purpose)); err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]string{"status": "sent"})
}

// requestCode sends a code to an existing account that needs one.
func (s *Server) requestCode(c echo.Context, phone string, purpose app.CodePurpose) error {
	if !purpose.Valid() {
		return app.Errorf(app.EINVALID, "purpose must be verify or reset")
	}
	normal, err := app.NormalizePhone(phone)
	if err != nil {
		return err
	}
	// Counted first, for every number alike: nothing here may tell who
	// is registered.
	if err := s.codeThrottles(c, normal); err != nil {
		return err
	}
	u, err := s.store.FindUserByPhone(c.Request().Context(), normal)
	if app.ErrorCode(err) == app.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	if purpose == app.CodeVerify && u.PhoneVerified {
		return nil
	}
	if err := s.sendCode(c, normal, purpose); err != nil {
		s.log.Warn("code not sent", "purpose", purpose, "user_id", u.ID, "err", err)
	}
	return nil
}

type verifyRequest struct {
	Phone string `json:"phone"`
	Code  string `json:"code"`
}

// handleAuthVerify: POST /auth/verify proves the phone with its code.
func (s *Server) handleAuthVerify(c echo.Context) error {
	var r verifyRequest
	if err := bind(c, &r); err != nil {
		return err
	}
	u, err := s.verifyPhone(c, r.Phone, r.Code)
	if err != nil {
		return err
	}
	// The code proves the phone, so it signs the resident in, as
	// sign-in would.
	grant, err := s.store.CreateSession(c.Request().Context(), u.ID, s.now())
	if err != nil {
		return err
	}
	pair, err := s.issue(grant)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pair)
}

// codeTries counts tries of a code per address and per phone, across the
// codes sent to it (a new code does not reset them).
func (s *Server) codeTries(c echo.Context, phone string, purpose app.CodePurpose) error {
	if err := s.throttle(c, codeTriesPerAddress, time.Hour, "code-try:ip:"+addressKey(c)); err != nil {
		return err
	}
	return s.throttle(c, codeTriesPerPhone, time.Hour, "code-try:phone:"+string(purpose)+":"+phone)
}

func (s *Server) verifyPhone(c echo.Context, phone, code string) (*app.User, error) {
	ctx := c.Request().Context()
	normal, err := app.NormalizePhone(phone)
	if err != nil {
		return nil, err
	}
	if err := s.codeTries(c, normal, app.CodeVerify); err != nil {
		return nil, err
	}
	if err := s.store.CheckCode(ctx, normal, app.CodeVerify, code); err != nil {
		return nil, err
	}
	u, err := s.store.FindUserByPhone(ctx, normal)
	if err != nil {
		return nil, err
	}
	if err := s.store.MarkPhoneVerified(ctx, u.ID); err != nil {
		return nil, err
	}
	u.PhoneVerified = true
	return u, nil
}

type resetRequest struct {
	Phone    string `json:"phone"`
	Code     string `json:"code"`
	Password string `json:"password"`
}

// handleAuthReset: POST /auth/reset sets a new password with a reset code
// and ends every session of the account.
func (s *Server) handleAuthReset(c echo.Context) error {
	var r resetRequest
	if err := bind(c, &r); err != nil {
		return err
	}
	if err := s.resetPassword(c, r); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "reset"})
}

func (s *Server) resetPassword(c echo.Context, r resetRequest) error {
	ctx := c.Request().Context()
	normal, err := app.NormalizePhone(r.Phone)
	if err != nil {
		return err
	}
	if err := app.ValidatePassword(r.Password); err != nil {
		return err
	}
	if err := s.codeTries(c, normal, app.CodeReset); err != nil {
		return err
	}
	if err := s.store.CheckCode(ctx, normal, app.CodeReset, r.Code); err != nil {
		return err
	}
	u, err := s.store.FindUserByPhone(ctx, normal)
	if err != nil {
		return err
	}
	hash, err := s.hashPassword(c, r.Password)
	if err != nil {
		return err
	}
	if err := s.store.SetPassword(ctx, u.ID, hash, 0); err != nil {
		return err
	}
	// A reset by code also proves the phone.
	return s.store.MarkPhoneVerified(ctx, u.ID)
}

// handleMeGet: GET /me.
func (s *Server) handleMeGet(c echo.Context) error {
	return c.JSON(http.StatusOK, toUserJSON(caller(c).User))
}

type meUpdate struct {
	Name            *string `json:"name"`
	Language        *string `json:"language"`
	HomeBoothID     *string `json:"home_booth_id"`
	ElderMode       *bool   `json:"elder_mode"`
	Password        *string `json:"password"`
	CurrentPassword string  `json:"current_password"`
}

// handleMePatch: PATCH /me changes the caller's own settings; a new
// password needs the current one and ends every other session.
func (s *Server) handleMePatch(c echo.Context) error {
	var r meUpdate
	if err := bind(c, &r); err != nil {
		return err
	}
	p := caller(c)
	ctx := c.Request().Context()
	if r.Password != nil {
		if err := s.changePassword(c, r.CurrentPassword, *r.Password); err != nil {
			return err
		}
	}
	upd := app.UserUpdate{Name: r.Name, Language: r.Language, ElderMode: r.ElderMode}
	if r.HomeBoothID != nil {
		id, err := parseID(*r.HomeBoothID)
		if err != nil {
			return app.Errorf(app.EINVALID, "home_booth_id is not a booth id")
		}
		upd.HomeBoothID = &id
	}
	u, err := s.store.UpdateUser(ctx, p.UserID, upd)
	if err != nil {
		return err
	}
	s.sessions.forget(p.SessionID)
	return c.JSON(http.StatusOK, toUserJSON(u))
}

// changePassword sets the caller's new password after checking the current
// one, keeping only the caller's own session.
func (s *Server) changePassword(c echo.Context, current, next string) error {
	p := caller(c)
	if err := s.throttle(c, 10, 15*time.Minute, "password:user:"+itoa64(p.UserID)); err != nil {
		return err
	}
	if ok, err := s.checkPassword(c, current, p.User.PasswordHash); err != nil {
		return err
	} else if !ok {
		return app.Errorf(app.EINVALID, "the current password is wrong")
	}
	if err := app.ValidatePassword(next); err != nil {
		return err
	}
	hash, err := s.hashPassword(c, next)
	if err != nil {
		return err
	}
	if err := s.store.SetPassword(c.Request().Context(), p.UserID, hash, p.SessionID); err != nil {
		return err
	}
	s.sessions.forget(p.SessionID)
	return nil
}

// Limits per client address. They are generous because a whole
// neighbourhood may share one address (the booth's own Wi-Fi, a carrier's
// NAT); the per-phone limits are the tight ones.
const (
	signUpsPerAddress   = 30 // an hour
	codesPerAddress     = 60 // an hour
	codesPerPhoneHourly = 5
	codeTriesPerAddress = 60 // an hour, across codes
	codeTriesPerPhone   = 10 // an hour, across codes: a new code does not reset them
)
