package auth

import (
	"errors"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"policebooth/server/app"
)

// Access token constants.
const (
	Issuer         = "policebooth"
	Audience       = "policebooth-api"
	AccessTokenTTL = 15 * time.Minute
	// clockSkew tolerates instances whose clocks differ slightly.
	clockSkew = 30 * time.Second
)

// accessClaims is the JSON payload of an access token.
type accessClaims struct {
	Role    string `json:"role"`
	Station string `json:"station,omitempty"`
	Session string `json:"sid"`
	jwt.RegisteredClaims
}

// Tokens issues and verifies access tokens: JWTs signed with HS256.
type Tokens struct {
	key    []byte
	parser *jwt.Parser
}

// NewTokens returns Tokens signing with key, which must hold at least 32
// bytes (store.Key(ctx, "signing", 32), or POLICEBOOTH_SECRET).
func NewTokens(key []byte) (*Tokens, error) {
	if len(key) < 32 {
		return nil, errors.New("auth: the signing key needs at least 32 bytes")
	}
	return &Tokens{
		key: key,
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
			jwt.WithIssuer(Issuer),
			jwt.WithAudience(Audience),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithLeeway(clockSkew),
		),
	}, nil
}

// Issue returns an access token for c, issued at issuedAt and valid for
// AccessTokenTTL. The same claims and time give the same token.
func (t *Tokens) Issue(c app.Claims, issuedAt time.Time) (string, error) {
	claims := accessClaims{
		Role:    string(c.Role),
		Session: strconv.FormatInt(c.SessionID, 10),
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    Issuer,
			Audience:  jwt.ClaimStrings{Audience},
			Subject:   strconv.FormatInt(c.UserID, 10),
			IssuedAt:  jwt.NewNumericDate(issuedAt),
			ExpiresAt: jwt.NewNumericDate(issuedAt.Add(AccessTokenTTL)),
		},
	}
	if c.StationID != nil {
		claims.Station = strconv.FormatInt(*c.StationID, 10)
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(t.key)
	if err != nil {
		return "", &app.Error{Code: app.EINTERNAL, Message: "sign access token", Err: err}
	}
	return s, nil
}

// Verify checks an access token's signature, algorithm, issuer, audience
// and times, and returns its claims. EUNAUTHORIZED when any check fails.
// It does not know whether the session was revoked since; ask the store.
func (t *Tokens) Verify(token string) (app.Claims, error) {
	var claims accessClaims
	if _, err := t.parser.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return t.key, nil }); err != nil {
		return app.Claims{}, &app.Error{Code: app.EUNAUTHORIZED, Message: "the access token is not valid; sign in again", Err: err}
	}
	c := app.Claims{Role: app.Role(claims.Role)}
	var err error
	bad := func() (app.Claims, error) {
		return app.Claims{}, app.Errorf(app.EUNAUTHORIZED, "the access token is not valid; sign in again")
	}
	if c.UserID, err = strconv.ParseInt(claims.Subject, 10, 64); err != nil || c.UserID <= 0 {
		return bad()
	}
	if c.SessionID, err = strconv.ParseInt(claims.Session, 10, 64); err != nil || c.SessionID <= 0 {
		return bad()
	}
	if !c.Role.Valid() {
		return bad()
	}
	if claims.Station != "" {
		id, err := strconv.ParseInt(claims.Station, 10, 64)
		if err != nil || id <= 0 {
			return bad()
		}
		c.StationID = &id
	}
	return c, nil
}
