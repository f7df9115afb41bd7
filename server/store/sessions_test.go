package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"policebooth/server/app"
	"policebooth/server/auth"
	"policebooth/server/store"
)

func resident(t testing.TB, st *store.Store) *app.User {
	t.Helper()
	return createUser(t, st, app.User{Role: app.RoleResident, Phone: "13900000001", Name: "陈秀英"})
}

func mustActive(t testing.TB, st *store.Store, sessionID int64, want bool) {
	t.Helper()
	got, err := st.SessionActive(context.Background(), sessionID)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("SessionActive(%d) = %v, want %v", sessionID, got, want)
	}
}

func TestRefreshRotation(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	u := resident(t, st)
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 123456789, time.UTC)

	g0, err := st.CreateSession(ctx, u.ID, t0)
	if err != nil {
		t.Fatal(err)
	}
	if g0.User.ID != u.ID || g0.Session.ID == 0 || g0.RefreshToken == "" {
		t.Fatalf("CreateSession = %+v", g0)
	}
	var stored []byte
	st.DB().Table("refresh_tokens").Where("session_id = ?", g0.Session.ID).Select("token_hash").Row().Scan(&stored)
	if string(stored) != string(auth.HashRefreshToken(g0.RefreshToken)) {
		t.Fatal("the refresh token is not stored as its SHA-256")
	}
	mustActive(t, st, g0.Session.ID, true)

	// Normal rotation: a new token, the same session.
	g1, err := st.Rotate(ctx, g0.RefreshToken, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if g1.RefreshToken == g0.RefreshToken || g1.Session.ID != g0.Session.ID || g1.User.ID != u.ID {
		t.Fatalf("rotation gave %+v from %+v: want a new token in the same session", g1, g0)
	}

	// The response was lost: the client presents g0's token again within
	// 10 s and gets the same pair, access token included.
	tokens, _ := auth.NewTokens([]byte("0123456789abcdef0123456789abcdef"))
	access1, _ := tokens.Issue(g1.Claims(), g1.IssuedAt)
	for _, later := range []time.Duration{0, 5 * time.Second, 10 * time.Second} {
		retry, err := st.Rotate(ctx, g0.RefreshToken, t0.Add(time.Minute+later))
		if err != nil {
			t.Fatalf("retry %v after rotation: %v", later, err)
		}
		access, _ := tokens.Issue(retry.Claims(), retry.IssuedAt)
		if retry.RefreshToken != g1.RefreshToken || access != access1 {
			t.Fatalf("retry %v after rotation gave another pair", later)
		}
	}

	// The successor rotates normally; then the token before it is spent
	// twice over and presenting it ends the session even within 10 s.
	g2, err := st.Rotate(ctx, g1.RefreshToken, t0.Add(2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if g2.RefreshToken == g1.RefreshToken {
		t.Fatal("rotating the successor returned it again")
	}
	g3, err := st.Rotate(ctx, g2.RefreshToken, t0.Add(3*time.Minute))
	if err != nil {
		t.Fatal(err)
	}

	// Reuse after the grace: g2's token was spent at 3m; presenting it at
	// 3m11s revokes the whole family, so g3's fresh token dies with it.
	_, err = st.Rotate(ctx, g2.RefreshToken, t0.Add(3*time.Minute+11*time.Second))
	if app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Fatalf("reuse after 11 s: %v, want unauthenticated", err)
	}
	mustActive(t, st, g0.Session.ID, false)
	if _, err := st.Rotate(ctx, g3.RefreshToken, t0.Add(4*time.Minute)); app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Fatalf("the newest token after reuse was detected: %v, want unauthenticated", err)
	}

	if _, err := st.Rotate(ctx, "not-a-token", t0); app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Fatalf("unknown token: %v, want unauthenticated", err)
	}
}

func TestRefreshTokenExpiresAfter30Days(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	u := resident(t, st)
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	g, err := st.CreateSession(ctx, u.ID, t0)
	if err != nil {
		t.Fatal(err)
	}
	// 29 days later it rotates, and the new token lives 30 days from then.
	g, err = st.Rotate(ctx, g.RefreshToken, t0.Add(29*24*time.Hour))
	if err != nil {
		t.Fatalf("rotation after 29 days: %v", err)
	}
	if _, err := st.Rotate(ctx, g.RefreshToken, t0.Add(29*24*time.Hour+30*24*time.Hour+time.Second)); app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Fatalf("rotation of a token unused for 30 days: %v, want unauthenticated", err)
	}

	// Rotation drops the session's tokens that are past their life.
	g, _ = st.CreateSession(ctx, u.ID, t0)
	g, _ = st.Rotate(ctx, g.RefreshToken, t0.Add(29*24*time.Hour))
	if _, err := st.Rotate(ctx, g.RefreshToken, t0.Add(31*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	var tokens int64
	st.DB().Table("refresh_tokens").Where("session_id = ?", g.Session.ID).Count(&tokens)
	if tokens != 2 {
		t.Fatalf("the session keeps %d refresh tokens; want 2, the first (expired) one dropped", tokens)
	}
}

func TestConcurrentRefreshGivesOnePair(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	u := resident(t, st)
	now := clockOf(t).Now()
	for round := range 5 {
		g, err := st.CreateSession(ctx, u.ID, now)
		if err != nil {
			t.Fatal(err)
		}
		const n = 6
		var (
			wg     sync.WaitGroup
			start  = make(chan struct{})
			grants = make([]*app.SessionGrant, n)
			errs   = make([]error, n)
		)
		for i := range n {
			wg.Go(func() {
				<-start
				grants[i], errs[i] = st.Rotate(ctx, g.RefreshToken, now)
			})
		}
		close(start)
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("round %d: present %d: %v", round, i, errs[i])
			}
			if grants[i].RefreshToken != grants[0].RefreshToken || !grants[i].IssuedAt.Equal(grants[0].IssuedAt) {
				t.Fatalf("round %d: concurrent presents of one token gave different pairs", round)
			}
		}
		var tokens int64
		st.DB().Table("refresh_tokens").Where("session_id = ?", g.Session.ID).Count(&tokens)
		if tokens != 2 {
			t.Fatalf("round %d: the session holds %d refresh tokens, want the first and one successor", round, tokens)
		}
		mustActive(t, st, g.Session.ID, true)
		if _, err := st.Rotate(ctx, grants[0].RefreshToken, now.Add(time.Second)); err != nil {
			t.Fatalf("round %d: the one successor does not rotate: %v", round, err)
		}
	}
}

func TestPasswordChangeRevokesOtherSessions(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	u := resident(t, st)
	other := createUser(t, st, app.User{Role: app.RoleResident, Phone: "13900000002", Name: "刘德福"})
	now := clockOf(t).Now()
	phone, _ := st.CreateSession(ctx, u.ID, now)
	tablet, _ := st.CreateSession(ctx, u.ID, now)
	laptop, _ := st.CreateSession(ctx, u.ID, now)
	neighbour, _ := st.CreateSession(ctx, other.ID, now)

	h, _ := auth.HashPassword("a-new-password")
	if err := st.SetPassword(ctx, u.ID, h, phone.Session.ID); err != nil {
		t.Fatal(err)
	}
	mustActive(t, st, phone.Session.ID, true)
	mustActive(t, st, tablet.Session.ID, false)
	mustActive(t, st, laptop.Session.ID, false)
	mustActive(t, st, neighbour.Session.ID, true)
	if _, err := st.Rotate(ctx, tablet.RefreshToken, now.Add(time.Second)); app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Fatalf("refresh on a device signed out by the password change: %v", err)
	}
	if _, err := st.Rotate(ctx, phone.RefreshToken, now.Add(time.Second)); err != nil {
		t.Fatalf("refresh on the device that changed the password: %v", err)
	}
	got, _ := st.FindUser(ctx, u.ID)
	if !auth.CheckPassword("a-new-password", got.PasswordHash) || got.MustChangePassword {
		t.Fatal("the new password was not stored")
	}
	if err := st.SetPassword(ctx, 424242, h, 0); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("SetPassword of a missing user: %v, want not found", err)
	}
}

func TestRevokeSession(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	u := resident(t, st)
	other := createUser(t, st, app.User{Role: app.RoleResident, Phone: "13900000002", Name: "刘德福"})
	now := clockOf(t).Now()
	g, _ := st.CreateSession(ctx, u.ID, now)
	if err := st.RevokeSession(ctx, other.ID, g.Session.ID); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("another user revokes the session: %v, want not found", err)
	}
	mustActive(t, st, g.Session.ID, true)
	if err := st.RevokeSession(ctx, u.ID, g.Session.ID); err != nil {
		t.Fatal(err)
	}
	mustActive(t, st, g.Session.ID, false)
	if _, err := st.Rotate(ctx, g.RefreshToken, now); app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Fatalf("refresh after sign-out: %v, want unauthenticated", err)
	}
	if err := st.RevokeSession(ctx, u.ID, g.Session.ID); err != nil {
		t.Fatalf("signing out twice: %v", err)
	}
	mustActive(t, st, 424242, false)
}

// An access token's session is checked with its account in one query: the
// account while the session is open, nothing once it is revoked, for
// another account, or once the account is disabled.
func TestSessionUserEndsWithTheSession(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	u := resident(t, st)
	other := createUser(t, st, app.User{Role: app.RoleResident, Phone: "13900000002", Name: "刘德福"})
	g, err := st.CreateSession(ctx, u.ID, clockOf(t).Now())
	if err != nil {
		t.Fatal(err)
	}
	if got, err := st.SessionUser(ctx, g.Session.ID, u.ID); err != nil || got.ID != u.ID || got.Name != u.Name {
		t.Fatalf("SessionUser of an open session = %+v, %v; want %s", got, err, u.Name)
	}
	if _, err := st.SessionUser(ctx, g.Session.ID, other.ID); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("another account's session: %v, want not found", err)
	}
	if err := st.DB().Exec("UPDATE users SET disabled = ? WHERE id = ?", true, u.ID).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := st.SessionUser(ctx, g.Session.ID, u.ID); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("a disabled account's session: %v, want not found", err)
	}
	if err := st.DB().Exec("UPDATE users SET disabled = ? WHERE id = ?", false, u.ID).Error; err != nil {
		t.Fatal(err)
	}
	if err := st.RevokeSession(ctx, u.ID, g.Session.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SessionUser(ctx, g.Session.ID, u.ID); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("a revoked session: %v, want not found", err)
	}
}
