package auth_test

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"policebooth/server/app"
	"policebooth/server/auth"
)

func TestPasswordHashAndCheck(t *testing.T) {
	h, err := auth.HashPassword("booth-demo-2026")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=1,p=2$") {
		t.Fatalf("hash %q: want PHC argon2id with its parameters", h)
	}
	if !auth.CheckPassword("booth-demo-2026", h) {
		t.Fatal("the right password does not match")
	}
	for _, wrong := range []string{"booth-demo-2025", "", "booth-demo-2026 "} {
		if auth.CheckPassword(wrong, h) {
			t.Errorf("CheckPassword(%q) matched", wrong)
		}
	}
	h2, _ := auth.HashPassword("booth-demo-2026")
	if h2 == h {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=65536,t=1,p=2$c2FsdA$aGFzaA",
		"$argon2id$v=19$m=4294967295,t=1,p=2$c2FsdHNhbHRzYWx0$aGFzaA", h[:len(h)-3] + "!!!"} {
		if auth.CheckPassword("booth-demo-2026", bad) {
			t.Errorf("malformed hash %q matched", bad)
		}
	}
	if _, err := auth.HashPassword("12345678"); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("HashPassword of a digits-only password: %v, want invalid", err)
	}
}

func TestAccessTokens(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	tokens, err := auth.NewTokens(key)
	if err != nil {
		t.Fatal(err)
	}
	station := int64(7)
	claims := app.Claims{UserID: 42, Role: app.RoleOfficer, StationID: &station, SessionID: 9}
	now := time.Now()
	good, err := tokens.Issue(claims, now)
	if err != nil {
		t.Fatal(err)
	}

	sign := func(method jwt.SigningMethod, k any, c jwt.MapClaims) string {
		s, err := jwt.NewWithClaims(method, c).SignedString(k)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	base := func() jwt.MapClaims {
		return jwt.MapClaims{"iss": "policebooth", "aud": []string{"policebooth-api"}, "sub": "42", "role": "officer",
			"station": "7", "sid": "9", "iat": now.Unix(), "exp": now.Add(15 * time.Minute).Unix()}
	}
	with := func(k string, v any) jwt.MapClaims {
		c := base()
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	tamper := func(tok string) string {
		parts := strings.Split(tok, ".")
		payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
		payload = []byte(strings.Replace(string(payload), `"role":"officer"`, `"role":"admin"`, 1))
		parts[1] = base64.RawURLEncoding.EncodeToString(payload)
		return strings.Join(parts, ".")
	}
	otherKey := []byte("fedcba9876543210fedcba9876543210")

	for _, tc := range []struct {
		name  string
		token string
		ok    bool
	}{
		{"issued by Tokens", good, true},
		{"hand-made with every claim", sign(jwt.SigningMethodHS256, key, base()), true},
		{"alg none", sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, base()), false},
		{"HS512 with the right key", sign(jwt.SigningMethodHS512, key, base()), false},
		{"another key", sign(jwt.SigningMethodHS256, otherKey, base()), false},
		{"another audience", sign(jwt.SigningMethodHS256, key, with("aud", []string{"someone-else"})), false},
		{"no audience", sign(jwt.SigningMethodHS256, key, with("aud", nil)), false},
		{"another issuer", sign(jwt.SigningMethodHS256, key, with("iss", "evil")), false},
		{"expired", sign(jwt.SigningMethodHS256, key, with("exp", now.Add(-time.Minute).Unix())), false},
		{"missing exp", sign(jwt.SigningMethodHS256, key, with("exp", nil)), false},
		{"issued in the future", sign(jwt.SigningMethodHS256, key, with("iat", now.Add(time.Hour).Unix())), false},
		{"unknown role", sign(jwt.SigningMethodHS256, key, with("role", "chief")), false},
		{"no session", sign(jwt.SigningMethodHS256, key, with("sid", nil)), false},
		{"tampered payload", tamper(good), false},
		{"garbage", "not.a.token", false},
		{"empty", "", false},
	} {
		got, err := tokens.Verify(tc.token)
		if !tc.ok {
			if app.ErrorCode(err) != app.EUNAUTHORIZED {
				t.Errorf("%s: Verify = %+v, %v; want unauthenticated", tc.name, got, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: Verify: %v", tc.name, err)
			continue
		}
		if got.UserID != 42 || got.Role != app.RoleOfficer || got.StationID == nil || *got.StationID != 7 || got.SessionID != 9 {
			t.Errorf("%s: claims %+v", tc.name, got)
		}
	}

	expired, _ := tokens.Issue(claims, now.Add(-16*time.Minute))
	if _, err := tokens.Verify(expired); app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Errorf("token issued 16 minutes ago: %v, want unauthenticated", err)
	}
	again, _ := tokens.Issue(claims, now)
	if again != good {
		t.Error("the same claims and time gave two different tokens")
	}
	resident, _ := tokens.Issue(app.Claims{UserID: 5, Role: app.RoleResident, SessionID: 1}, now)
	c, err := tokens.Verify(resident)
	if err != nil || c.StationID != nil || c.Role != app.RoleResident {
		t.Fatalf("resident token: %+v, %v", c, err)
	}
	payload, _ := base64.RawURLEncoding.DecodeString(strings.Split(resident, ".")[1])
	if strings.Contains(string(payload), "station") {
		t.Errorf("resident token payload %s names a station", payload)
	}
	if _, err := auth.NewTokens([]byte("short")); err == nil {
		t.Error("NewTokens with a 5-byte key: want an error")
	}
}

func TestRefreshTokens(t *testing.T) {
	a, err := auth.NewRefreshToken()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := auth.NewRefreshToken()
	raw, err := base64.RawURLEncoding.DecodeString(a)
	if err != nil || len(raw) != 32 || a == b {
		t.Fatalf("refresh tokens %q, %q: want two different 32-byte base64url strings", a, b)
	}
	if string(auth.HashRefreshToken(a)) == string(auth.HashRefreshToken(b)) || len(auth.HashRefreshToken(a)) != 32 {
		t.Fatal("HashRefreshToken: want distinct SHA-256 digests")
	}
	sealed, err := auth.SealSuccessor(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(sealed), b) {
		t.Fatal("the sealed successor holds it in plain text")
	}
	if got, err := auth.OpenSuccessor(a, sealed); err != nil || got != b {
		t.Fatalf("OpenSuccessor = %q, %v; want %q", got, err, b)
	}
	if _, err := auth.OpenSuccessor(b, sealed); err == nil {
		t.Fatal("another token opened the sealed successor")
	}
}
