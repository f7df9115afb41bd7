package store

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"policebooth/server/app"
)

var _ app.StationService = (*Store)(nil)

// CreateStation stores a new station.
func (s *Store) CreateStation(ctx context.Context, actor app.Actor, st *app.Station) error {
	if err := st.Validate(); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(st).Error; err != nil {
			return fmt.Errorf("store: create station: %w", err)
		}
		return audit(tx, &app.AuditEntry{StationID: &st.ID, ActorID: actorID(actor), IP: actor.IP, Action: "station.create", Target: fmt.Sprintf("station/%d", st.ID), Detail: st.Name})
	})
}

// FindStation returns one station.
func (s *Store) FindStation(ctx context.Context, id int64) (*app.Station, error) {
	var st app.Station
	if err := s.db.WithContext(ctx).First(&st, id).Error; err != nil {
		return nil, notFound("find station", err)
	}
	return &st, nil
}

// CreateBooth stores a new booth of an existing station.
func (s *Store) CreateBooth(ctx context.Context, actor app.Actor, b *app.Booth) error {
	if err := b.Validate(); err != nil {
		return err
	}
	if _, err := s.FindStation(ctx, b.StationID); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		err := tx.Create(b).Error
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return app.Errorf(app.ECONFLICT, "the station already has a booth named %q", b.Name)
		}
		if err != nil {
			return fmt.Errorf("store: create booth: %w", err)
		}
		return audit(tx, &app.AuditEntry{StationID: &b.StationID, ActorID: actorID(actor), IP: actor.IP, Action: "booth.create", Target: fmt.Sprintf("booth/%d", b.ID), Detail: b.Name})
	})
}

// FindBooth returns one booth.
func (s *Store) FindBooth(ctx context.Context, id int64) (*app.Booth, error) {
	var b app.Booth
	if err := s.db.WithContext(ctx).First(&b, id).Error; err != nil {
		return nil, notFound("find booth", err)
	}
	return &b, nil
}

// ListBooths returns every booth, ordered by station and name.
func (s *Store) ListBooths(ctx context.Context) ([]app.Booth, error) {
	var booths []app.Booth
	if err := s.db.WithContext(ctx).Order("station_id, name").Find(&booths).Error; err != nil {
		return nil, fmt.Errorf("store: list booths: %w", err)
	}
	return booths, nil
}

// ListStations returns every station by name.
func (s *Store) ListStations(ctx context.Context) ([]app.Station, error) {
	var stations []app.Station
	if err := s.db.WithContext(ctx).Order("name").Find(&stations).Error; err != nil {
		return nil, fmt.Errorf("store: list stations: %w", err)
	}
	return stations, nil
}

// SetAckLimit sets how long a call at a booth may wait for an
// acknowledgement before it escalates. Only the head of the booth's
// station may (ENOTFOUND for another station's booth); audited.
func (s *Store) SetAckLimit(ctx context.Context, actor app.Actor, boothID int64, seconds int) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		a, err := manager(tx, actor)
		if err != nil {
			return err
		}
		var b app.Booth
		if err := tx.First(&b, boothID).Error; err != nil {
			return notFound("find booth", err)
		}
		if a.Role != app.RoleAdmin && (a.StationID == nil || *a.StationID != b.StationID) {
			return app.ErrNotFound
		}
		b.AckLimitSeconds = seconds
		if err := b.Validate(); err != nil {
			return err
		}
		if err := tx.Model(&b).Update("ack_limit_seconds", seconds).Error; err != nil {
			return fmt.Errorf("store: set acknowledgement limit: %w", err)
		}
		return audit(tx, &app.AuditEntry{StationID: &b.StationID, ActorID: &a.ID, IP: actor.IP, Action: "booth.ack_limit",
			Target: fmt.Sprintf("booth/%d", b.ID), Detail: fmt.Sprintf("%d s", seconds)})
	})
}
