package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"

	"gorm.io/gorm"

	"policebooth/server/app"
)

// displayKeyHash is what the store keeps of a display key.
func displayKeyHash(key string) string {
	h := sha256.Sum256([]byte(key))
	return hex.EncodeToString(h[:])
}

// CreateDisplayKey makes a key that opens a booth's display without
// signing in, audited; the key itself is returned once and only its hash
// kept. The actor must be a head of the booth's station or the admin.
func (s *Store) CreateDisplayKey(ctx context.Context, actor app.Actor, boothID int64) (*app.DisplayKey, string, error) {
	var raw [24]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, "", fmt.Errorf("store: display key: %w", err)
	}
	key := base64.RawURLEncoding.EncodeToString(raw[:])
	var k app.DisplayKey
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var b app.Booth
		if err := tx.First(&b, boothID).Error; err != nil {
			return notFound("display key", err)
		}
		a, err := stationHead(tx, actor, b.StationID)
		if err != nil {
			return err
		}
		k = app.DisplayKey{StationID: b.StationID, BoothID: b.ID, KeyHash: displayKeyHash(key), CreatedBy: &a.ID, CreatedAt: dbTime(s.Now())}
		if err := tx.Create(&k).Error; err != nil {
			return fmt.Errorf("store: display key: %w", err)
		}
		return audit(tx, &app.AuditEntry{StationID: &b.StationID, ActorID: &a.ID, IP: actor.IP, Action: "display_key.create",
			Target: fmt.Sprintf("display_key/%d", k.ID), Detail: "booth " + b.Name})
	})
	if err != nil {
		return nil, "", err
	}
	return &k, key, nil
}

// RevokeDisplayKey revokes a key of a booth, audited; a display opened
// with it stops at its next request. ENOTFOUND for another station's.
func (s *Store) RevokeDisplayKey(ctx context.Context, actor app.Actor, boothID, keyID int64) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		var k app.DisplayKey
		if err := tx.Where("booth_id = ?", boothID).First(&k, keyID).Error; err != nil {
			return notFound("revoke display key", err)
		}
		a, err := stationHead(tx, actor, k.StationID)
		if err != nil {
			return err
		}
		if k.RevokedAt != nil {
			return nil
		}
		if err := tx.Model(&k).Update("revoked_at", dbTime(s.Now())).Error; err != nil {
			return fmt.Errorf("store: revoke display key: %w", err)
		}
		return audit(tx, &app.AuditEntry{StationID: &k.StationID, ActorID: &a.ID, IP: actor.IP, Action: "display_key.revoke",
			Target: fmt.Sprintf("display_key/%d", k.ID)})
	})
}

// ListDisplayKeys returns a booth's display keys, newest first.
func (s *Store) ListDisplayKeys(ctx context.Context, boothID int64) ([]app.DisplayKey, error) {
	list := []app.DisplayKey{}
	if err := s.db.WithContext(ctx).Where("booth_id = ?", boothID).Order("id DESC").Limit(100).Find(&list).Error; err != nil {
		return nil, fmt.Errorf("store: list display keys: %w", err)
	}
	return list, nil
}

// CheckDisplayKey returns ENOTFOUND unless key is a live key of the booth.
func (s *Store) CheckDisplayKey(ctx context.Context, boothID int64, key string) error {
	if key == "" || len(key) > 100 {
		return app.ErrNotFound
	}
	var n int64
	err := s.db.WithContext(ctx).Model(&app.DisplayKey{}).
		Where("booth_id = ? AND key_hash = ? AND revoked_at IS NULL", boothID, displayKeyHash(key)).Count(&n).Error
	if err != nil {
		return fmt.Errorf("store: check display key: %w", err)
	}
	if n == 0 {
		return app.ErrNotFound
	}
	return nil
}

// ArrivalCode returns the code in a booth's printed arrival QR code for
// its head (or the admin), making one first for a booth that has none.
func (s *Store) ArrivalCode(ctx context.Context, actor app.Actor, boothID int64) (string, error) {
	var code string
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var b app.Booth
		if err := tx.First(&b, boothID).Error; err != nil {
			return notFound("arrival code", err)
		}
		if _, err := stationHead(tx, actor, b.StationID); err != nil {
			return err
		}
		if b.ArrivalCode != "" {
			code = b.ArrivalCode
			return nil
		}
		var raw [16]byte
		if _, err := rand.Read(raw[:]); err != nil {
			return fmt.Errorf("store: arrival code: %w", err)
		}
		code = hex.EncodeToString(raw[:])
		if err := tx.Model(&app.Booth{}).Where("id = ? AND arrival_code = ''", b.ID).Update("arrival_code", code).Error; err != nil {
			return fmt.Errorf("store: arrival code: %w", err)
		}
		return tx.Model(&app.Booth{}).Where("id = ?", b.ID).Pluck("arrival_code", &code).Error
	})
	return code, err
}

// SetVisitTarget sets the minutes a counter visit should take from arrival
// to completion at a station (5 to 240), audited. The actor must be its
// head or the admin.
func (s *Store) SetVisitTarget(ctx context.Context, actor app.Actor, stationID int64, minutes int) error {
	if minutes < 5 || minutes > 240 {
		return app.Errorf(app.EINVALID, "visit_target_minutes: 5 to 240").WithMessage("visit_target")
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		a, err := stationHead(tx, actor, stationID)
		if err != nil {
			return err
		}
		if err := tx.Model(&app.Station{}).Where("id = ?", stationID).Update("visit_target_minutes", minutes).Error; err != nil {
			return fmt.Errorf("store: set visit target: %w", err)
		}
		return audit(tx, &app.AuditEntry{StationID: &stationID, ActorID: &a.ID, IP: actor.IP, Action: "station.visit_target",
			Target: fmt.Sprintf("station/%d", stationID), Detail: fmt.Sprintf("%d minutes", minutes)})
	})
}
