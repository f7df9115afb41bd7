package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"policebooth/server/app"
)

// IdempotencyTTL is how long a stored first answer is replayed.
const IdempotencyTTL = 24 * time.Hour

// IdempotencyLease is app.IdempotencyLease.
const IdempotencyLease = app.IdempotencyLease

// BeginIdempotent claims (user, key) for a request. When the key is new it
// records the claim and returns (nil, nil): the caller runs the request and
// then calls FinishIdempotent or AbandonIdempotent. When the key is known it
// returns the stored answer; Status 0 means the first request is still
// running, IdempotencyWritten that it stored its write but died before its
// answer was kept. A key reused for another method or path is EINVALID.
func (s *Store) BeginIdempotent(ctx context.Context, userID int64, key, method, path string) (*app.IdempotentResponse, error) {
	db := s.db.WithContext(ctx)
	claim := app.IdempotentResponse{UserID: userID, Key: key, Method: method, Path: path, Body: []byte{}, CreatedAt: s.Now()}
	for range 2 {
		res := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&claim)
		if res.Error != nil {
			return nil, fmt.Errorf("store: claim idempotency key: %w", res.Error)
		}
		if res.RowsAffected == 1 {
			return nil, nil
		}
		var prev app.IdempotentResponse
		err := db.Where("user_id = ? AND key = ?", userID, key).First(&prev).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			continue // abandoned between our insert and read: claim again
		}
		if err != nil {
			return nil, fmt.Errorf("store: read idempotency key: %w", err)
		}
		if s.Now().Sub(prev.CreatedAt) > IdempotencyTTL {
			// Expired: forget it and claim afresh.
			if err := db.Where("user_id = ? AND key = ? AND created_at = ?", userID, key, prev.CreatedAt).Delete(&app.IdempotentResponse{}).Error; err != nil {
				return nil, fmt.Errorf("store: expire idempotency key: %w", err)
			}
			continue
		}
		if prev.Status == 0 && s.Now().Sub(prev.CreatedAt) > IdempotencyLease {
			// Its request is no longer running anywhere: take the key over.
			if err := db.Where("user_id = ? AND key = ? AND status = 0 AND created_at = ?", userID, key, prev.CreatedAt).Delete(&app.IdempotentResponse{}).Error; err != nil {
				return nil, fmt.Errorf("store: take over idempotency key: %w", err)
			}
			continue
		}
		if prev.Method != method || prev.Path != path {
			return nil, app.Errorf(app.EINVALID, "this Idempotency-Key was used for another request")
		}
		return &prev, nil
	}
	return nil, app.Errorf(app.ECONFLICT, "the Idempotency-Key is busy; retry")
}

// IdempotencyWritten is app.IdempotencyWritten.
const IdempotencyWritten = app.IdempotencyWritten

// markWritten ends every transaction of the store (see tx); the first one
// under a claim marks it written.
func markWritten(tx *gorm.DB) error {
	c, ok := app.IdempotencyClaimOf(tx.Statement.Context)
	if !ok {
		return nil
	}
	err := tx.Model(&app.IdempotentResponse{}).Where("user_id = ? AND key = ? AND status = 0", c.UserID, c.Key).
		Update("status", IdempotencyWritten).Error
	if err != nil {
		return fmt.Errorf("store: mark idempotency key written: %w", err)
	}
	return nil
}

// TouchIdempotent renews the lease of a running request's claim.
func (s *Store) TouchIdempotent(ctx context.Context, userID int64, key string, now time.Time) error {
	err := s.db.WithContext(ctx).Model(&app.IdempotentResponse{}).
		Where("user_id = ? AND key = ? AND status = 0", userID, key).
		Update("created_at", now.UTC()).Error
	if err != nil {
		return fmt.Errorf("store: renew idempotency key: %w", err)
	}
	return nil
}

// FinishIdempotent stores the answer to replay for (user, key): its
// status, content type, Location (for redirects) and body.
func (s *Store) FinishIdempotent(ctx context.Context, userID int64, key string, answer app.IdempotentResponse) error {
	if answer.Body == nil {
		answer.Body = []byte{} // a redirect has none; the column is NOT NULL
	}
	err := s.db.WithContext(ctx).Model(&app.IdempotentResponse{}).
		Where("user_id = ? AND key = ?", userID, key).
		Updates(map[string]any{"status": answer.Status, "content_type": answer.ContentType, "location": answer.Location, "body": answer.Body}).Error
	if err != nil {
		return fmt.Errorf("store: finish idempotency key: %w", err)
	}
	return nil
}

// AbandonIdempotent forgets a claim whose request failed on the server's
// side, so a retry runs the request again.
func (s *Store) AbandonIdempotent(ctx context.Context, userID int64, key string) error {
	err := s.db.WithContext(ctx).Where("user_id = ? AND key = ? AND status = 0", userID, key).Delete(&app.IdempotentResponse{}).Error
	if err != nil {
		return fmt.Errorf("store: abandon idempotency key: %w", err)
	}
	return nil
}

// PurgeIdempotent deletes answers older than their lifetime (see
// idempotentLifetime).
func (s *Store) PurgeIdempotent(ctx context.Context, now time.Time) (int64, error) {
	n, err := s.deleteInBatches(ctx, "idempotent_responses", s.timeBefore("created_at"), dbTime(now.Add(-idempotentLifetime)))
	if err != nil {
		return n, fmt.Errorf("store: purge idempotency keys: %w", err)
	}
	return n, nil
}
