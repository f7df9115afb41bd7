package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"policebooth/server/app"
)

var _ app.PhoneCodeService = (*Store)(nil)

// Phone code limits.
const (
	CodeTTL      = 10 * time.Minute
	CodeAttempts = 5
)

// phoneCode is the live one-time code of a phone and purpose. The code is
// kept hashed so it cannot be read off a backup; a six-digit code would
// not resist guessing against its hash, so its real protection is its
// short life and the attempt limit.
type phoneCode struct {
	ID        int64 `gorm:"primaryKey"`
	Phone     string
	Purpose   app.CodePurpose
	CodeHash  []byte
	Attempts  int
	ExpiresAt time.Time
	UsedAt    *time.Time
	CreatedAt time.Time
}

func hashCode(phone string, purpose app.CodePurpose, code string) []byte {
	h := sha256.Sum256([]byte(phone + "\x00" + string(purpose) + "\x00" + code))
	return h[:]
}

// IssueCode makes a new six-digit code, replacing any earlier one, and
// queues the text that carries it in language. It returns the code.
func (s *Store) IssueCode(ctx context.Context, phone string, purpose app.CodePurpose, language string) (string, error) {
	p, err := app.NormalizePhone(phone)
	if err != nil {
		return "", err
	}
	if !purpose.Valid() {
		return "", app.Errorf(app.EINVALID, "unknown code purpose %q", purpose)
	}
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", fmt.Errorf("store: issue code: %w", err)
	}
	code := fmt.Sprintf("%06d", n.Int64())
	now := s.Now()
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("phone = ? AND purpose = ?", p, purpose).Delete(&phoneCode{}).Error; err != nil {
			return fmt.Errorf("store: issue code: replace: %w", err)
		}
		c := phoneCode{Phone: p, Purpose: purpose, CodeHash: hashCode(p, purpose, code), ExpiresAt: now.Add(CodeTTL), CreatedAt: now}
		if err := tx.Create(&c).Error; err != nil {
			return fmt.Errorf("store: issue code: %w", err)
		}
		kind := "sms.code"
		if purpose == app.CodeReset {
			kind = "sms.reset_code"
		}
		return queueText(tx, nil, p, language, kind, map[string]any{"Code": code})
	})
	if err != nil {
		return "", err
	}
	return code, nil
}

// CheckCode spends the code when it matches. A wrong try is counted even
// though the call fails, so the count survives the error.
func (s *Store) CheckCode(ctx context.Context, phone string, purpose app.CodePurpose, code string) error {
	p, err := app.NormalizePhone(phone)
	if err != nil {
		return err
	}
	now := s.Now()
	var wrong error
	err = s.tx(ctx, func(tx *gorm.DB) error {
		var c phoneCode
		q := tx
		if s.postgres {
			q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
		}
		err := q.Where("phone = ? AND purpose = ?", p, purpose).First(&c).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return app.Errorf(app.EINVALID, "no code was sent to this number; ask for a new one")
		}
		if err != nil {
			return fmt.Errorf("store: check code: %w", err)
		}
		switch {
		case c.UsedAt != nil:
			return app.Errorf(app.EINVALID, "this code was already used; ask for a new one")
		case c.Attempts >= CodeAttempts:
			return app.Errorf(app.ERATELIMIT, "too many wrong codes; ask for a new one")
		case !now.Before(c.ExpiresAt):
			return app.Errorf(app.EINVALID, "this code has expired; ask for a new one")
		}
		if subtle.ConstantTimeCompare(hashCode(p, purpose, strings.TrimSpace(code)), c.CodeHash) == 1 {
			if err := tx.Model(&c).Update("used_at", now).Error; err != nil {
				return fmt.Errorf("store: check code: spend: %w", err)
			}
			return nil
		}
		if err := tx.Model(&c).Update("attempts", gorm.Expr("attempts + 1")).Error; err != nil {
			return fmt.Errorf("store: check code: count try: %w", err)
		}
		wrong = app.Errorf(app.EINVALID, "wrong code; %d tries left", CodeAttempts-c.Attempts-1)
		return nil
	})
	if err != nil {
		return err
	}
	return wrong
}
