package web

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
	"policebooth/server/auth"
)

// Cookies of a browser session. Both are HttpOnly: scripts never see tokens.
const (
	accessCookie  = "pb_access"
	refreshCookie = "pb_refresh"
)

// principalKey is where the signed-in caller is kept in the Echo context.
const principalKey = "principal"

// principal is the signed-in caller: what the token says and the account as
// stored (at most sessionCacheTTL old).
type principal struct {
	app.Claims
	User *app.User
}

// sessionCacheTTL bounds how long a revoked session or a disabled user can
// go on using an access token already issued.
const sessionCacheTTL = 3 * time.Second

// signingKey is POLICEBOOTH_SECRET, or the key generated once and kept in
// the database so every instance signs alike.
func signingKey(ctx context.Context, secret string, st app.KeyService) ([]byte, error) {
	if secret != "" {
		return []byte(secret), nil
	}
	return st.Key(ctx, "signing", 32)
}

// authenticate finds the caller from a bearer token or the session cookies
// and puts them in the context. It rejects nothing: routes that need a
// caller use require. A browser whose access cookie has expired is
// refreshed silently with its refresh cookie.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if p := s.callerFromRequest(c); p != nil {
			c.Set(principalKey, p)
		}
		return next(c)
	}
}

func (s *Server) callerFromRequest(c echo.Context) *principal {
	ctx := c.Request().Context()
	if h := c.Request().Header.Get(echo.HeaderAuthorization); h != "" {
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return nil
		}
		return s.principalFromToken(ctx, token)
	}
	if ck, err := c.Cookie(accessCookie); err == nil {
		if p := s.principalFromToken(ctx, ck.Value); p != nil {
			return p
		}
	}
	ck, err := c.Cookie(refreshCookie)
	if err != nil {
		return nil
	}
	grant, err := s.store.Rotate(ctx, ck.Value, s.now())
	if err != nil {
		s.clearSessionCookies(c)
		return nil
	}
	access, err := s.tokens.Issue(grant.Claims(), grant.IssuedAt)
	if err != nil {
		return nil
	}
	s.setSessionCookies(c, access, grant.RefreshToken)
	return s.principalFromToken(ctx, access)
}

// principalFromToken verifies an access token and checks, through the
// short cache, that its session is still active.
func (s *Server) principalFromToken(ctx context.Context, token string) *principal {
	claims, err := s.tokens.Verify(token)
	if err != nil {
		return nil
	}
	// The user of an active session, nil for a session that has ended. The
	// load outlives a caller that hangs up: others may be waiting for it.
	user, err := s.sessions.get(claims.SessionID, func() (*app.User, error) {
		u, err := s.store.SessionUser(context.WithoutCancel(ctx), claims.SessionID, claims.UserID)
		if app.ErrorCode(err) == app.ENOTFOUND {
			return nil, nil
		}
		return u, err
	})
	if err != nil {
		s.log.Warn("session check failed", "err", err)
		return nil
	}
	if user == nil || user.Disabled {
		return nil
	}
	return &principal{Claims: claims, User: user}
}

// caller returns the signed-in caller, or nil.
func caller(c echo.Context) *principal {
	p, _ := c.Get(principalKey).(*principal)
	return p
}

// passwordChangePaths stay open to a user who must change their password.
var passwordChangePaths = map[string]bool{
	"/password": true, "/logout": true, "/api/v1/me": true, "/api/v1/auth/logout": true,
}

// require lets through only signed-in callers of the given roles (any role
// when none are given). Anonymous API callers get 401; anonymous browsers
// go to the sign-in page and come back. A wrong role is 403; for a guard or
// volunteer 404, since they see nothing of what such a route shows.
func (s *Server) require(roles ...app.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			p := caller(c)
			if p == nil {
				if !isAPI(c) && c.Request().Method == http.MethodGet {
					return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request().URL.RequestURI()))
				}
				return app.Errorf(app.EUNAUTHORIZED, "sign in first")
			}
			if p.User.MustChangePassword && !passwordChangePaths[c.Request().URL.Path] {
				if !isAPI(c) && c.Request().Method == http.MethodGet {
					return c.Redirect(http.StatusSeeOther, "/password")
				}
				return app.Errorf(app.EFORBIDDEN, "set a new password first (PATCH /api/v1/me)")
			}
			if len(roles) > 0 && !hasRole(p.Role, roles) {
				if p.Role.Responder() {
					return app.ErrNotFound
				}
				return app.Errorf(app.EFORBIDDEN, "your role may not do this")
			}
			return next(c)
		}
	}
}

func hasRole(r app.Role, roles []app.Role) bool {
	for _, want := range roles {
		if r == want {
			return true
		}
	}
	return false
}

// stationOf returns the station a staff caller belongs to; the admin and
// residents have none.
func (p *principal) stationOf() (int64, bool) {
	if p.StationID == nil {
		return 0, false
	}
	return *p.StationID, true
}

// ownStation is the station of the calling officer or head; EFORBIDDEN for
// anyone without one.
func ownStation(c echo.Context) (int64, error) {
	p := caller(c)
	if st, ok := p.stationOf(); ok && p.Role.Staff() {
		return st, nil
	}
	return 0, app.Errorf(app.EFORBIDDEN, "only a station's officers and heads do this")
}

// actor is the caller as the audit log records them.
func actorOf(c echo.Context) app.Actor {
	return app.Actor{ID: caller(c).UserID, IP: c.RealIP()}
}

func (s *Server) setSessionCookies(c echo.Context, access, refresh string) {
	c.SetCookie(s.cookie(accessCookie, access, int(auth.AccessTokenTTL.Seconds())))
	c.SetCookie(s.cookie(refreshCookie, refresh, int(app.RefreshTokenTTL.Seconds())))
}

// clearSessionCookies ends the browser's session, and with it everything
// the browser keeps of the person: cached pages and the outbox.
func (s *Server) clearSessionCookies(c echo.Context) {
	c.SetCookie(s.cookie(accessCookie, "", -1))
	c.SetCookie(s.cookie(refreshCookie, "", -1))
	c.Response().Header().Set("Clear-Site-Data", `"cache", "storage"`)
}

// Headers that tell the service worker what it may keep offline: a page
// with offlineHeader "no" is not kept; forgetHeader names a path prefix
// whose kept pages it drops.
const (
	offlineHeader = "X-Booth-Offline"
	forgetHeader  = "X-Booth-Forget"
)

func (s *Server) cookie(name, value string, maxAge int) *http.Cookie {
	// Secure whenever POLICEBOOTH_BASE_URL is https (TestCookiesAreSecureBehindTLS);
	// a plain-http development server on localhost could not keep them otherwise.
	return &http.Cookie{ // #nosec G124 -- Secure follows the base URL, as above
		Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.cfg.SecureCookies(), SameSite: http.SameSiteLaxMode,
	}
}

// tokenPair is what sign-up, sign-in and refresh answer.
type tokenPair struct {
	User         userJSON `json:"user"`
	AccessToken  string   `json:"access_token"`
	RefreshToken string   `json:"refresh_token"`
	ExpiresIn    int      `json:"expires_in"`
}

// issue mints the access token of a grant and the pair to answer with.
func (s *Server) issue(grant *app.SessionGrant) (tokenPair, error) {
	access, err := s.tokens.Issue(grant.Claims(), grant.IssuedAt)
	if err != nil {
		return tokenPair{}, err
	}
	return tokenPair{
		User:         toUserJSON(&grant.User),
		AccessToken:  access,
		RefreshToken: grant.RefreshToken,
		ExpiresIn:    int(auth.AccessTokenTTL.Seconds()),
	}, nil
}

// throttle counts an attempt against each bucket and answers 429 with
// Retry-After once any is over its limit.
func (s *Server) throttle(c echo.Context, limit int, window time.Duration, buckets ...string) error {
	for _, b := range buckets {
		wait, err := s.store.Throttle(c.Request().Context(), b, limit, window)
		if app.ErrorCode(err) == app.ERATELIMIT {
			secs := int(wait.Seconds()) + 1
			c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
			return err
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// dummyHash is checked against when a phone has no account, so the time a
// sign-in takes says nothing about who is registered. It is a constant:
// hashing one at start would hold 64 MiB for nothing.
const dummyHash = "$argon2id$v=19$m=65536,t=1,p=2$z4gG/1TV+qFbXD3uwNDmWA$TB43OI6JhEPu7LUlUZhNbGWtVxUBehnEj4PXHa1XKFI"

var errBadCredentials = app.Errorf(app.EUNAUTHORIZED, "wrong phone number or password")

// Sign-in limits. Tries are counted before the password is checked (so
// parallel guesses cannot slip past) and a successful one is given back:
// only wrong tries use the limits up. They are counted per phone and
// address, so an attacker elsewhere cannot lock a person out; the
// per-phone backstop only slows tries down (signInBackstopDelay each) once
// many addresses have tried one number, and never refuses the right
// password.
const (
	signInsPerPhoneAddress = 5  // tries of one phone from one address, 15 minutes
	signInsPerAddress      = 30 // tries from one address, 15 minutes
	signInBackstop         = 20 // wrong tries of one phone from anywhere, 15 minutes, before each try is slowed
	signInBackstopDelay    = 2 * time.Second
)

// addressKey is the client's address as throttles count it: an IPv4
// address, or the /64 of an IPv6 one (one household or phone holds a whole
// /64, so counting /128s counts nothing).
func addressKey(c echo.Context) string {
	a, err := netip.ParseAddr(c.RealIP())
	if err != nil {
		return c.RealIP()
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// signIn checks a phone and password and starts a session. The password is
// never logged.
func (s *Server) signIn(c echo.Context, phone, password string) (*app.SessionGrant, error) {
	ctx := c.Request().Context()
	normal, err := app.NormalizePhone(phone)
	if err != nil {
		return nil, errBadCredentials
	}
	addr := addressKey(c)
	pair := "login:phone-ip:" + normal + "|" + addr
	if err := s.throttle(c, signInsPerPhoneAddress, 15*time.Minute, pair); err != nil {
		return nil, err
	}
	if err := s.throttle(c, signInsPerAddress, 15*time.Minute, "login:ip:"+addr); err != nil {
		return nil, err
	}
	backstop := "login:phone:" + normal
	if failed, err := s.store.ThrottleHits(ctx, backstop, s.now()); err != nil {
		return nil, err
	} else if failed >= signInBackstop {
		select {
		case <-time.After(signInBackstopDelay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	// wrongTry counts a wrong password against the phone's backstop.
	wrongTry := func() {
		if _, err := s.store.Throttle(ctx, backstop, 1<<30, 15*time.Minute); err != nil {
			s.log.Warn("counting a wrong password failed", "err", err)
		}
	}
	user, err := s.store.FindUserByPhone(ctx, normal)
	if errors.Is(err, app.ErrNotFound) || app.ErrorCode(err) == app.ENOTFOUND {
		// Same time as a real check, so the answer says nothing of who is registered.
		if _, err := s.checkPassword(c, password, dummyHash); err != nil {
			return nil, err
		}
		wrongTry()
		s.log.Info("sign-in failed", "reason", "unknown phone", "ip", c.RealIP())
		return nil, errBadCredentials
	}
	if err != nil {
		return nil, err
	}
	ok, err := s.checkPassword(c, password, user.PasswordHash)
	if err != nil {
		return nil, err
	}
	if !ok {
		wrongTry()
		s.log.Info("sign-in failed", "reason", "wrong password", "user_id", user.ID, "ip", c.RealIP())
		return nil, errBadCredentials
	}
	if user.Disabled {
		return nil, app.Errorf(app.EUNAUTHORIZED, "this account is disabled")
	}
	// A successful sign-in is no try against the limits: behind a booth's
	// Wi-Fi or a carrier's NAT many people sign in from one address.
	_ = s.store.ClearThrottle(ctx, pair)
	if err := s.store.RefundThrottle(ctx, "login:ip:"+addr); err != nil {
		s.log.Warn("sign-in attempt not given back", "err", err)
	}
	return s.store.CreateSession(ctx, user.ID, s.now())
}

// hashingWait is how long a password check waits for room in the hashing
// pool before answering 503: long enough to ride out a burst, short
// enough that nothing piles up.
const hashingWait = 2 * time.Second

// hashPassword hashes a new password inside the hashing pool.
func (s *Server) hashPassword(c echo.Context, password string) (string, error) {
	h, err := s.hashing.Hash(c.Request().Context(), password)
	if errors.Is(err, auth.ErrHashingBusy) {
		c.Response().Header().Set("Retry-After", "2")
	}
	return h, err
}

// checkPassword checks a password against its hash inside the hashing
// pool; a full pool is an error (503 with Retry-After), not a wrong password.
func (s *Server) checkPassword(c echo.Context, password, encoded string) (bool, error) {
	ok, err := s.hashing.Check(c.Request().Context(), password, encoded)
	if errors.Is(err, auth.ErrHashingBusy) {
		c.Response().Header().Set("Retry-After", "2")
	}
	return ok, err
}

// requireVerified lets a resident through only once their phone is
// verified (app.CheckCanWrite); it goes after require on resident writes.
func (s *Server) requireVerified(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if p := caller(c); p != nil {
			if err := app.CheckCanWrite(p.User); err != nil {
				return err
			}
		}
		return next(c)
	}
}
