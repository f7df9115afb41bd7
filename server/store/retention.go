package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"policebooth/server/app"
)

var _ app.RightsService = (*Store)(nil)

// retentionBatch is how many records one purge statement takes; a purge
// repeats until a batch comes back short.
const retentionBatch = 200

// expiredBefore returns a condition that column, a time, lies further back
// from the now argument than the days in daysColumn.
func (s *Store) expiredBefore(column, daysColumn string) string {
	if s.postgres {
		return column + " < ?::timestamptz - " + daysColumn + " * interval '1 day'"
	}
	return "julianday(" + column + ") < julianday(?) - " + daysColumn
}

// PurgeCallLocations clears the coordinates of resolved and cancelled calls
// closed longer ago than their station's location period. One conditional
// UPDATE per batch: rows another instance holds are skipped (SKIP LOCKED)
// and a row it has cleared no longer matches, so each call is cleared once.
func (s *Store) PurgeCallLocations(ctx context.Context, now time.Time) (int64, error) {
	// The shortest period of any station bounds the scan of the located
	// calls' index (assistance_calls_located) to the ones that may be due.
	pick := "SELECT c.id FROM assistance_calls c JOIN stations s ON s.id = c.station_id " +
		"WHERE c.lat IS NOT NULL AND c.status IN ('resolved', 'cancelled') AND c.closed_at IS NOT NULL AND " +
		s.expiredBefore("c.closed_at", "s.location_retention_days") + " AND " +
		s.expiredBefore("c.closed_at", "(SELECT MIN(location_retention_days) FROM stations)") +
		" ORDER BY c.closed_at, c.id LIMIT " + fmt.Sprint(retentionBatch)
	if s.postgres {
		pick += " FOR UPDATE OF c SKIP LOCKED"
	}
	stmt := "UPDATE assistance_calls SET lat = NULL, lng = NULL, accuracy_m = NULL, location_at = NULL " +
		"WHERE lat IS NOT NULL AND id IN (" + pick + ")"
	// The trail goes first: once a call's own columns are cleared it no
	// longer matches the pick, and its trail would stay.
	trail := "DELETE FROM call_positions WHERE call_id IN (" +
		strings.Replace(pick, "c.lat IS NOT NULL", "EXISTS (SELECT 1 FROM call_positions p WHERE p.call_id = c.id)", 1) + ")"
	var total int64
	for {
		res := s.db.WithContext(ctx).Exec(trail, dbTime(now), dbTime(now))
		if res.Error != nil {
			return total, fmt.Errorf("store: purge call trails: %w", res.Error)
		}
		res = s.db.WithContext(ctx).Exec(stmt, dbTime(now), dbTime(now))
		if res.Error != nil {
			return total, fmt.Errorf("store: purge call locations: %w", res.Error)
		}
		total += res.RowsAffected
		if res.RowsAffected < retentionBatch {
			return total, nil
		}
	}
}

// PurgeAttachments deletes the attachments of requests finished longer ago
// than their station's attachment period. Each batch is claimed with row
// locks (SKIP LOCKED on PostgreSQL, the write lock on SQLite); the claiming
// transaction deletes the rows and queues the files in the blob purge
// queue, which the purge_blobs job empties after the commit: no file store
// is called while the transaction holds its locks.
func (s *Store) PurgeAttachments(ctx context.Context, now time.Time) (int64, error) {
	pick := "SELECT a.* FROM attachments a JOIN service_requests r ON r.id = a.request_id " +
		"JOIN stations s ON s.id = a.station_id WHERE r.closed_at IS NOT NULL AND " +
		s.expiredBefore("r.closed_at", "s.attachment_retention_days") + " ORDER BY a.id LIMIT " + fmt.Sprint(retentionBatch)
	if s.postgres {
		pick += " FOR UPDATE OF a SKIP LOCKED"
	}
	var total int64
	for {
		var n int
		err := s.tx(ctx, func(tx *gorm.DB) error {
			var due []app.Attachment
			if err := tx.Raw(pick, dbTime(now)).Scan(&due).Error; err != nil {
				return fmt.Errorf("store: purge attachments: %w", err)
			}
			if len(due) == 0 {
				return nil
			}
			ids := make([]int64, 0, len(due))
			requests := make([]int64, 0, len(due))
			keys := make([]string, 0, len(due))
			for _, a := range due {
				requests = append(requests, a.RequestID)
				ids = append(ids, a.ID)
				keys = append(keys, a.BlobKey)
			}
			if err := queueBlobPurges(tx, keys, now); err != nil {
				return fmt.Errorf("store: purge attachments: %w", err)
			}
			if err := tx.Where("id IN ?", ids).Delete(&app.Attachment{}).Error; err != nil {
				return fmt.Errorf("store: purge attachments: %w", err)
			}
			// The timeline keeps that a document was added, not its file name.
			names := make([]string, len(ids))
			for i, id := range ids {
				names[i] = fmt.Sprint(id)
			}
			err := tx.Model(&app.TimelineEntry{}).Where("request_id IN ? AND kind = ? AND to_status IN ?", requests, kindAttachment, names).
				Update("note", "").Error
			if err != nil {
				return fmt.Errorf("store: purge attachments: timeline: %w", err)
			}
			n = len(ids)
			return nil
		})
		total += int64(n)
		if err != nil || n < retentionBatch {
			return total, err
		}
	}
}

// SetRetention changes the retention periods of the head's own station.
func (s *Store) SetRetention(ctx context.Context, actor app.Actor, stationID int64, upd app.RetentionUpdate) (*app.Station, error) {
	if err := upd.Validate(); err != nil {
		return nil, err
	}
	var st app.Station
	err := s.tx(ctx, func(tx *gorm.DB) error {
		a, err := manager(tx, actor)
		if err != nil {
			return err
		}
		if a.Role != app.RoleHead {
			return app.Errorf(app.EFORBIDDEN, "a station's head sets its retention periods")
		}
		if a.StationID == nil || *a.StationID != stationID {
			return app.ErrNotFound
		}
		if err := tx.First(&st, stationID).Error; err != nil {
			return notFound("find station", err)
		}
		changes := map[string]any{}
		var detail []string
		set := func(col string, v *int, cur *int) {
			if v != nil && *v != *cur {
				changes[col] = *v
				detail = append(detail, fmt.Sprintf("%s %d→%d", strings.TrimSuffix(col, "_retention_days"), *cur, *v))
				*cur = *v
			}
		}
		set("location_retention_days", upd.LocationDays, &st.LocationRetentionDays)
		set("photo_retention_days", upd.PhotoDays, &st.PhotoRetentionDays)
		set("attachment_retention_days", upd.AttachmentDays, &st.AttachmentRetentionDays)
		if len(changes) == 0 {
			return nil
		}
		if err := tx.Model(&app.Station{}).Where("id = ?", st.ID).Updates(changes).Error; err != nil {
			return fmt.Errorf("store: set retention: %w", err)
		}
		return audit(tx, &app.AuditEntry{StationID: &st.ID, ActorID: &a.ID, IP: actor.IP, Action: "station.retention",
			Target: fmt.Sprintf("station/%d", st.ID), Detail: strings.Join(detail, ", ")})
	})
	if err != nil {
		return nil, err
	}
	return &st, nil
}
