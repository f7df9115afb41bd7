package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"policebooth/server/app"
)

// Book books, moves or drops (slotID nil) the slot of a request in scope,
// with a timeline entry and a request.updated event, in one transaction.
// The slot's row is locked while its bookings are counted (bookSlot), so
// no slot goes past its capacity. Booking again after a no-show puts the
// request back to submitted. ECONFLICT for a full slot or a request that
// arrived or finished.
func (s *Store) Book(ctx context.Context, id int64, scope app.RequestFilter, actorID int64, slotID *int64) (*app.ServiceRequest, error) {
	var fresh app.ServiceRequest
	err := s.tx(ctx, func(tx *gorm.DB) error {
		r, err := s.lockRequest(tx, id, scope)
		if err != nil {
			return err
		}
		if !r.Bookable() {
			return app.Errorf(app.ECONFLICT, "the request is past booking: it arrived or finished").WithMessage("booking_closed")
		}
		if idString(r.SlotID) == idString(slotID) && r.Status != app.RequestNoShow {
			return withEverything(tx).First(&fresh, r.ID).Error
		}
		now := dbTime(s.Now())
		if slotID != nil {
			if err := s.bookSlot(tx, *slotID, r.BoothID, now); err != nil {
				return err
			}
		}
		updates := map[string]any{"slot_id": slotID, "reminded_eve": false, "reminded_soon": false, "updated_at": now}
		entries := []app.TimelineEntry{{RequestID: r.ID, StationID: r.StationID, At: now, ActorID: &actorID, Kind: kindBooking,
			From: idString(r.SlotID), To: idString(slotID)}}
		if r.Status == app.RequestNoShow {
			updates["status"], updates["closed_at"] = app.RequestSubmitted, nil
			entries = append(entries, app.TimelineEntry{RequestID: r.ID, StationID: r.StationID, At: now, ActorID: &actorID, Kind: kindStatus,
				From: string(app.RequestNoShow), To: string(app.RequestSubmitted)})
		}
		if err := tx.Model(&app.ServiceRequest{}).Where("id = ?", r.ID).Updates(updates).Error; err != nil {
			return fmt.Errorf("store: book: %w", err)
		}
		if err := tx.Create(&entries).Error; err != nil {
			return fmt.Errorf("store: book: timeline: %w", err)
		}
		if err := withEverything(tx).First(&fresh, r.ID).Error; err != nil {
			return fmt.Errorf("store: book: reload: %w", err)
		}
		return requestChanged(tx, "request.updated", &fresh, []string{kindBooking})
	})
	if err != nil {
		return nil, err
	}
	return &fresh, nil
}

// bookedVisit is a booking not arrived, with what its texts say.
type bookedVisit struct {
	ID           int64
	StationID    int64
	ResidentID   *int64
	Status       app.RequestStatus
	StartsAt     time.Time
	BoothName    string
	TimeZone     string
	RemindedEve  bool
	RemindedSoon bool
}

// bookedVisits loads bookings not arrived whose slot starts in [from, to).
func (s *Store) bookedVisits(db *gorm.DB, from, to time.Time, limit int) ([]bookedVisit, error) {
	var rows []bookedVisit
	err := db.Table("service_requests r").
		Select("r.id, r.station_id, r.resident_id, r.status, sl.starts_at, b.name AS booth_name, st.time_zone, r.reminded_eve, r.reminded_soon").
		Joins("JOIN slots sl ON sl.id = r.slot_id").
		Joins("JOIN booths b ON b.id = r.booth_id").
		Joins("JOIN stations st ON st.id = r.station_id").
		Where("r.slot_id IS NOT NULL AND r.arrived_at IS NULL AND r.status IN ?", waitingStatuses).
		Where(s.timeCompare("sl.starts_at", ">="), dbTime(from)).Where(s.timeCompare("sl.starts_at", "<"), dbTime(to)).
		Order(s.timeSort("sl.starts_at") + ", r.id").Limit(limit).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: booked visits: %w", err)
	}
	return rows, nil
}

// textResident queues a text to a request's resident in their language;
// a request without one (a walk-in, a deleted account) is texted nothing.
func textResident(tx *gorm.DB, stationID int64, residentID *int64, kind string, params map[string]any) error {
	if residentID == nil {
		return nil
	}
	var u app.User
	if err := tx.Select("id, phone, language, disabled").First(&u, *residentID).Error; err != nil {
		return notFound("text resident", err)
	}
	if u.Disabled || u.Phone == "" {
		return nil
	}
	return queueText(tx, &stationID, u.Phone, u.Language, kind, params)
}

// MarkNoShows closes the bookings not arrived 15 minutes after their slot
// started (app.NoShowAfter): each becomes no_show with a timeline entry,
// a request.updated event and a text to the resident, in its own
// transaction. The change is conditional on the request still waiting for
// its visitor, so on several instances at once each booking is marked
// exactly once.
func (s *Store) MarkNoShows(ctx context.Context, now time.Time) ([]app.ServiceRequest, error) {
	now = dbTime(now)
	// Up to and including the instant 15 minutes ago: a millisecond past it,
	// since SQLite's julianday tells apart only times about 40 µs apart.
	due, err := s.bookedVisits(s.db.WithContext(ctx), now.Add(-app.BookingDays*24*time.Hour), now.Add(-app.NoShowAfter).Add(time.Millisecond), 100)
	if err != nil {
		return nil, err
	}
	var out []app.ServiceRequest
	for _, v := range due {
		var fresh app.ServiceRequest
		marked := false
		err := s.tx(ctx, func(tx *gorm.DB) error {
			res := tx.Model(&app.ServiceRequest{}).Where("id = ? AND arrived_at IS NULL AND status IN ?", v.ID, waitingStatuses).
				Updates(map[string]any{"status": app.RequestNoShow, "closed_at": now, "updated_at": now})
			if res.Error != nil {
				return fmt.Errorf("store: no-show: %w", res.Error)
			}
			if res.RowsAffected == 0 {
				return nil // arrived, cancelled, or marked by another instance
			}
			entry := app.TimelineEntry{RequestID: v.ID, StationID: v.StationID, At: now, Kind: kindStatus, From: string(v.Status), To: string(app.RequestNoShow)}
			if err := tx.Create(&entry).Error; err != nil {
				return fmt.Errorf("store: no-show: timeline: %w", err)
			}
			if err := withServices(tx).First(&fresh, v.ID).Error; err != nil {
				return fmt.Errorf("store: no-show: reload: %w", err)
			}
			loc, err := time.LoadLocation(v.TimeZone)
			if err != nil {
				return fmt.Errorf("store: no-show: %w", err)
			}
			if err := textResident(tx, v.StationID, v.ResidentID, "no_show",
				map[string]any{"Booth": v.BoothName, "Time": v.StartsAt.In(loc).Format("01-02 15:04")}); err != nil {
				return err
			}
			marked = true
			return requestChanged(tx, "request.updated", &fresh, []string{kindStatus})
		})
		if err != nil {
			return out, err
		}
		if marked {
			out = append(out, fresh)
		}
	}
	return out, nil
}

// RemindBookings queues the reminders that are due (app.RemindersDue):
// the evening before and 30 minutes before a booking. Each is claimed by
// setting its flag in the transaction that queues the text, so it goes
// once across instances. It returns how many it queued.
func (s *Store) RemindBookings(ctx context.Context, now time.Time) (int, error) {
	now = dbTime(now)
	list, err := s.bookedVisits(s.db.WithContext(ctx), now, now.Add(2*24*time.Hour), 500)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, v := range list {
		loc, err := time.LoadLocation(v.TimeZone)
		if err != nil {
			return sent, fmt.Errorf("store: remind: %w", err)
		}
		eve, soon := app.RemindersDue(v.StartsAt, now, loc)
		flag, kind := "reminded_eve", "booking_eve"
		switch {
		case soon && !v.RemindedSoon:
			flag, kind = "reminded_soon", "booking_soon"
		case eve && !v.RemindedEve:
		default:
			continue
		}
		err = s.tx(ctx, func(tx *gorm.DB) error {
			res := tx.Model(&app.ServiceRequest{}).Where("id = ? AND arrived_at IS NULL AND "+flag+" = ?", v.ID, false).
				Updates(map[string]any{flag: true})
			if res.Error != nil {
				return fmt.Errorf("store: remind: %w", res.Error)
			}
			if res.RowsAffected == 0 {
				return nil
			}
			sent++
			return textResident(tx, v.StationID, v.ResidentID, kind, map[string]any{"Booth": v.BoothName,
				"Time": v.StartsAt.In(loc).Format("01-02 15:04"), "Request": strconv.FormatInt(v.ID, 10)})
		})
		if err != nil {
			return sent, err
		}
	}
	return sent, nil
}
