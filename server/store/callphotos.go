package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"policebooth/server/app"
)

var _ app.CallPhotoService = (*Store)(nil)

// maxCallPhotos bounds the photos of one call.
const maxCallPhotos = 20

// AddCallPhoto stores the record of a photo whose copies are already in the
// blob store, on an open call in scope; see app.CallPhotoService.
func (s *Store) AddCallPhoto(ctx context.Context, callID int64, scope app.CallScope, addedBy int64, p *app.CallPhoto) error {
	if scope.CallerID != 0 {
		addedBy = scope.CallerID
	}
	now := s.Now()
	return s.tx(ctx, func(tx *gorm.DB) error {
		c, err := s.lockCall(tx, callID, scope)
		if err != nil {
			return err
		}
		if scope.CallerID == 0 {
			if err := checkCallStaff(tx, addedBy, c.StationID); err != nil {
				return err
			}
		}
		if err := app.CheckCallPhoto(c, addedBy, scope.CallerID != 0); err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&app.CallPhoto{}).Where("call_id = ?", c.ID).Count(&n).Error; err != nil {
			return fmt.Errorf("store: add call photo: count: %w", err)
		}
		if n >= maxCallPhotos {
			return app.Errorf(app.ECONFLICT, "a call holds at most %d photos", maxCallPhotos).WithMessage("too_many_call_photos", "Max", maxCallPhotos)
		}
		p.ID, p.CallID, p.StationID, p.AddedBy, p.CreatedAt = 0, c.ID, c.StationID, &addedBy, now
		if err := tx.Create(p).Error; err != nil {
			return fmt.Errorf("store: add call photo: %w", err)
		}
		// The timeline entry's To is the photo's id (kind "photo", as on a
		// request's timeline).
		entry := app.CallEntry{CallID: c.ID, StationID: c.StationID, At: now, ActorID: &addedBy, Kind: kindPhoto,
			To: strconv.FormatInt(p.ID, 10)}
		if err := tx.Create(&entry).Error; err != nil {
			return fmt.Errorf("store: add call photo: timeline: %w", err)
		}
		if err := tx.Model(&app.AssistanceCall{}).Where("id = ?", c.ID).Update("updated_at", now).Error; err != nil {
			return fmt.Errorf("store: add call photo: %w", err)
		}
		ev := callUpdated(c)
		ev.Photos = int(n) + 1
		return callEvent(tx, "assistance.updated", c, ev)
	})
}

// ListCallPhotos returns the photos of a call in scope, oldest first.
func (s *Store) ListCallPhotos(ctx context.Context, callID int64, scope app.CallScope) ([]app.CallPhoto, error) {
	db := s.db.WithContext(ctx)
	if err := callInScope(db, callID, scope); err != nil {
		return nil, err
	}
	list := []app.CallPhoto{}
	if err := db.Where("call_id = ?", callID).Order("id").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("store: list call photos: %w", err)
	}
	return list, nil
}

// FindCallPhoto returns one photo of a call in scope.
func (s *Store) FindCallPhoto(ctx context.Context, callID, photoID int64, scope app.CallScope) (*app.CallPhoto, error) {
	db := s.db.WithContext(ctx)
	if err := callInScope(db, callID, scope); err != nil {
		return nil, err
	}
	var p app.CallPhoto
	if err := db.Where("call_id = ?", callID).First(&p, photoID).Error; err != nil {
		return nil, notFound("find call photo", err)
	}
	return &p, nil
}

// callInScope answers ENOTFOUND unless the call exists in scope.
func callInScope(db *gorm.DB, callID int64, scope app.CallScope) error {
	q, ok := callsInScope(db.Model(&app.AssistanceCall{}), scope)
	if !ok {
		return app.ErrNotFound
	}
	var ids []int64
	if err := q.Where("assistance_calls.id = ?", callID).Limit(1).Pluck("assistance_calls.id", &ids).Error; err != nil {
		return fmt.Errorf("store: find call: %w", err)
	}
	if len(ids) == 0 {
		return app.ErrNotFound
	}
	return nil
}

// PurgeCallPhotos deletes the photos of calls closed longer ago than their
// station's location period, a batch per transaction: the rows are claimed
// (SKIP LOCKED on PostgreSQL, the write lock on SQLite), deleted, and their
// blobs queued for the purge_blobs job, which removes them after the
// commit. The timeline keeps that a photo was added.
func (s *Store) PurgeCallPhotos(ctx context.Context, now time.Time) (int64, error) {
	pick := "SELECT p.* FROM call_photos p JOIN assistance_calls c ON c.id = p.call_id " +
		"JOIN stations s ON s.id = p.station_id WHERE c.status IN ('resolved', 'cancelled') AND c.closed_at IS NOT NULL AND " +
		s.expiredBefore("c.closed_at", "s.location_retention_days") + " ORDER BY p.id LIMIT " + fmt.Sprint(retentionBatch)
	if s.postgres {
		pick += " FOR UPDATE OF p SKIP LOCKED"
	}
	var total int64
	for {
		var n int
		err := s.tx(ctx, func(tx *gorm.DB) error {
			var due []app.CallPhoto
			if err := tx.Raw(pick, dbTime(now)).Scan(&due).Error; err != nil {
				return fmt.Errorf("store: purge call photos: %w", err)
			}
			var err error
			n, err = deleteCallPhotos(tx, due)
			return err
		})
		total += int64(n)
		if err != nil || n < retentionBatch {
			return total, err
		}
	}
}

// deleteCallPhotos deletes call photos in the caller's transaction and
// queues their blobs for removal. It returns how many it deleted.
func deleteCallPhotos(tx *gorm.DB, photos []app.CallPhoto) (int, error) {
	if len(photos) == 0 {
		return 0, nil
	}
	ids := make([]int64, 0, len(photos))
	var keys []string
	for i := range photos {
		ids = append(ids, photos[i].ID)
		keys = append(keys, photos[i].BlobKeys()...)
	}
	if err := queueBlobPurges(tx, keys, tx.NowFunc()); err != nil {
		return 0, fmt.Errorf("store: delete call photos: %w", err)
	}
	if err := tx.Where("id IN ?", ids).Delete(&app.CallPhoto{}).Error; err != nil {
		return 0, fmt.Errorf("store: delete call photos: %w", err)
	}
	return len(ids), nil
}
