package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"policebooth/server/app"
	"policebooth/server/auth"
)

var _ app.SessionService = (*Store)(nil)

// Refresh token lifetimes.
const (
	// RefreshTokenTTL is app.RefreshTokenTTL.
	RefreshTokenTTL = app.RefreshTokenTTL
	// RefreshRetryGrace is how long a spent refresh token still returns its
	// successor, for a client whose response was lost.
	RefreshRetryGrace = 10 * time.Second
)

// refreshToken is one link of a session's token chain. Only the SHA-256 of
// the token is kept. When it is spent, UsedAt and ReplacedBy point at its
// successor, and SuccessorSealed holds the successor encrypted under a key
// derived from this token (auth.SealSuccessor), so a retry that presents
// this token again can be given the very same successor. That is safe to
// keep: nothing in the database derives the key, only the spent token
// does, and whoever holds it could have rotated it in the first place. It
// is cleared once the successor is itself spent.
type refreshToken struct {
	ID              int64 `gorm:"primaryKey"`
	SessionID       int64
	TokenHash       []byte
	CreatedAt       time.Time
	ExpiresAt       time.Time
	UsedAt          *time.Time
	ReplacedBy      *int64
	SuccessorSealed []byte
}

// errTokenDead is the answer for every refresh token that cannot be used;
// the client signs in again.
var errTokenDead = app.Errorf(app.EUNAUTHORIZED, "the session has ended; sign in again")

// dbTime is t as the database keeps it: UTC, to the microsecond (the
// precision of PostgreSQL), so a time read back equals the one written.
func dbTime(t time.Time) time.Time { return t.UTC().Round(time.Microsecond) }

// CreateSession starts a session and returns its first refresh token.
func (s *Store) CreateSession(ctx context.Context, userID int64, now time.Time) (*app.SessionGrant, error) {
	now = dbTime(now)
	plain, err := auth.NewRefreshToken()
	if err != nil {
		return nil, err
	}
	var g app.SessionGrant
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.First(&g.User, userID).Error; err != nil {
			return notFound("create session", err)
		}
		if g.User.Disabled {
			return app.Errorf(app.EUNAUTHORIZED, "this account is disabled")
		}
		g.Session = app.Session{UserID: userID, CreatedAt: now, LastUsedAt: now}
		if err := tx.Create(&g.Session).Error; err != nil {
			return fmt.Errorf("store: create session: %w", err)
		}
		rt := refreshToken{SessionID: g.Session.ID, TokenHash: auth.HashRefreshToken(plain), CreatedAt: now, ExpiresAt: now.Add(RefreshTokenTTL)}
		if err := tx.Create(&rt).Error; err != nil {
			return fmt.Errorf("store: create refresh token: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	g.RefreshToken, g.IssuedAt = plain, now
	return &g, nil
}

// Rotate spends a refresh token and returns its successor.
//
// The presented token's row is locked for the whole transaction (FOR
// UPDATE on PostgreSQL; SQLite's immediate transactions hold the write lock
// from the start), so two concurrent presents of one token are serialised:
// the first rotates it, the second finds it spent a moment ago and gets the
// same successor, never a second chain.
func (s *Store) Rotate(ctx context.Context, presented string, now time.Time) (*app.SessionGrant, error) {
	now = dbTime(now)
	next, err := auth.NewRefreshToken()
	if err != nil {
		return nil, err
	}
	var (
		g      *app.SessionGrant
		reused bool
	)
	err = s.tx(ctx, func(tx *gorm.DB) error {
		var rt refreshToken
		q := tx
		if s.postgres {
			q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
		}
		err := q.Where("token_hash = ?", auth.HashRefreshToken(presented)).First(&rt).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return errTokenDead
		}
		if err != nil {
			return fmt.Errorf("store: rotate: find token: %w", err)
		}
		var sess app.Session
		if err := tx.First(&sess, rt.SessionID).Error; err != nil {
			return fmt.Errorf("store: rotate: load session: %w", err)
		}
		var u app.User
		if err := tx.First(&u, sess.UserID).Error; err != nil {
			return fmt.Errorf("store: rotate: load user: %w", err)
		}
		if sess.RevokedAt != nil || u.Disabled {
			return errTokenDead
		}
		if rt.UsedAt != nil {
			plain, ok, err := retried(tx, &rt, presented, now)
			if err != nil {
				return err
			}
			if ok {
				g = &app.SessionGrant{User: u, Session: sess, RefreshToken: plain, IssuedAt: *rt.UsedAt}
				return nil
			}
			// Spent earlier, or spent twice: someone else holds a copy of
			// the chain. End the whole session; both sides sign in again.
			if err := tx.Model(&sess).Update("revoked_at", now).Error; err != nil {
				return fmt.Errorf("store: rotate: revoke reused session: %w", err)
			}
			reused = true
			return nil
		}
		if !now.Before(rt.ExpiresAt) {
			return errTokenDead
		}
		succ := refreshToken{SessionID: sess.ID, TokenHash: auth.HashRefreshToken(next), CreatedAt: now, ExpiresAt: now.Add(RefreshTokenTTL)}
		if err := tx.Create(&succ).Error; err != nil {
			return fmt.Errorf("store: rotate: create successor: %w", err)
		}
		sealed, err := auth.SealSuccessor(presented, next)
		if err != nil {
			return err
		}
		err = tx.Model(&rt).Updates(map[string]any{"used_at": now, "replaced_by": succ.ID, "successor_sealed": sealed}).Error
		if err != nil {
			return fmt.Errorf("store: rotate: spend token: %w", err)
		}
		// Only the token spent now may still be retried: forget older
		// sealed successors, and drop tokens past their life.
		err = tx.Model(&refreshToken{}).Where("session_id = ? AND id <> ? AND successor_sealed IS NOT NULL", sess.ID, rt.ID).
			Update("successor_sealed", nil).Error
		if err != nil {
			return fmt.Errorf("store: rotate: clear sealed successors: %w", err)
		}
		err = tx.Where("session_id = ? AND "+s.timeBefore("expires_at"), sess.ID, now).Delete(&refreshToken{}).Error
		if err != nil {
			return fmt.Errorf("store: rotate: drop expired tokens: %w", err)
		}
		if err := tx.Model(&sess).Update("last_used_at", now).Error; err != nil {
			return fmt.Errorf("store: rotate: touch session: %w", err)
		}
		g = &app.SessionGrant{User: u, Session: sess, RefreshToken: next, IssuedAt: now}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if reused {
		return nil, app.Errorf(app.EUNAUTHORIZED, "this refresh token was already used, so the session has been ended; sign in again")
	}
	return g, nil
}

// retried returns the successor a spent token produced, when the token is
// presented again within RefreshRetryGrace and that successor is still
// unspent; ok is false when the present is a reuse instead.
func retried(tx *gorm.DB, rt *refreshToken, presented string, now time.Time) (successor string, ok bool, err error) {
	if now.Sub(*rt.UsedAt) > RefreshRetryGrace || rt.ReplacedBy == nil || rt.SuccessorSealed == nil {
		return "", false, nil
	}
	var succ refreshToken
	if err := tx.First(&succ, *rt.ReplacedBy).Error; err != nil {
		return "", false, fmt.Errorf("store: rotate: load successor: %w", err)
	}
	if succ.UsedAt != nil {
		return "", false, nil
	}
	plain, err := auth.OpenSuccessor(presented, rt.SuccessorSealed)
	if err != nil {
		return "", false, fmt.Errorf("store: rotate: open successor of token %d: %w", rt.ID, err)
	}
	if !bytes.Equal(auth.HashRefreshToken(plain), succ.TokenHash) {
		return "", false, fmt.Errorf("store: rotate: sealed successor of token %d is not token %d", rt.ID, succ.ID)
	}
	return plain, true, nil
}

// RevokeSession ends one of a user's sessions.
func (s *Store) RevokeSession(ctx context.Context, userID, sessionID int64) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		var sess app.Session
		if err := tx.Where("id = ? AND user_id = ?", sessionID, userID).First(&sess).Error; err != nil {
			return notFound("revoke session", err)
		}
		if sess.RevokedAt != nil {
			return nil
		}
		if err := tx.Model(&sess).Update("revoked_at", s.Now()).Error; err != nil {
			return fmt.Errorf("store: revoke session: %w", err)
		}
		return nil
	})
}

// SessionActive reports whether a session is unrevoked and its user enabled.
func (s *Store) SessionActive(ctx context.Context, sessionID int64) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&app.Session{}).
		Joins("JOIN users ON users.id = sessions.user_id").
		Where("sessions.id = ? AND sessions.revoked_at IS NULL AND users.disabled = ?", sessionID, false).
		Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("store: session active: %w", err)
	}
	return n > 0, nil
}

// SessionUser returns the account of an active session in one query: the
// session unrevoked and userID's, the account enabled. ENOTFOUND once the
// session has ended.
func (s *Store) SessionUser(ctx context.Context, sessionID, userID int64) (*app.User, error) {
	var u app.User
	err := s.db.WithContext(ctx).
		Where("users.id = ? AND users.disabled = ? AND EXISTS (SELECT 1 FROM sessions "+
			"WHERE sessions.id = ? AND sessions.user_id = users.id AND sessions.revoked_at IS NULL)", userID, false, sessionID).
		Take(&u).Error
	if err != nil {
		return nil, notFound("session user", err)
	}
	return &u, nil
}
