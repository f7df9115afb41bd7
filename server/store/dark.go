package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"policebooth/server/app"
)

// TouchStreams records that these users have a live event stream open now.
func (s *Store) TouchStreams(ctx context.Context, userIDs []int64, now time.Time) error {
	for len(userIDs) > 0 {
		chunk := userIDs[:min(len(userIDs), 1000)]
		userIDs = userIDs[len(chunk):]
		err := s.db.WithContext(ctx).Model(&app.User{}).Where("id IN ?", chunk).Update("stream_seen_at", dbTime(now)).Error
		if err != nil {
			return fmt.Errorf("store: touch streams: %w", err)
		}
	}
	return nil
}

// DarkBooths finds booths where officers are on duty but none has had a
// live event stream within grace: a dark tablet is a missed call waiting
// to happen. Each booth is returned once per dark spell, whichever
// instance asks (the mark is set by a conditional update); a booth whose
// tablet is live again is unmarked.
func (s *Store) DarkBooths(ctx context.Context, now time.Time, grace time.Duration) ([]app.Booth, error) {
	db := s.db.WithContext(ctx)
	since := dbTime(now.Add(-grace))
	onDuty := "SELECT 1 FROM shifts sh JOIN users u ON u.id = sh.officer_id WHERE sh.booth_id = booths.id AND sh.ended_at IS NULL AND u.disabled = ?"
	live := onDuty + " AND u.stream_seen_at IS NOT NULL AND " + s.timeCompare("u.stream_seen_at", ">=")
	err := db.Exec("UPDATE booths SET dark_since = NULL WHERE dark_since IS NOT NULL AND EXISTS ("+live+")", false, since).Error
	if err != nil {
		return nil, fmt.Errorf("store: dark booths: %w", err)
	}
	var dark []app.Booth
	err = s.tx(ctx, func(tx *gorm.DB) error {
		err := tx.Raw("UPDATE booths SET dark_since = ? WHERE dark_since IS NULL AND EXISTS ("+onDuty+") AND NOT EXISTS ("+live+
			") RETURNING id, station_id, name, name_en, phone, lat, lng, ack_limit_seconds, dark_since, coverage_grace_minutes, created_at, updated_at",
			dbTime(now), false, false, since).Scan(&dark).Error
		if err != nil {
			return fmt.Errorf("store: dark booths: %w", err)
		}
		for _, b := range dark {
			if err := queueHeadTexts(tx, b.StationID, "sms.dark_booth", map[string]any{"Booth": b.Name}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return dark, nil
}
