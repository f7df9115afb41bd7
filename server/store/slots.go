package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"policebooth/server/app"
)

// maxSlotCapacity bounds the visits one slot takes.
const maxSlotCapacity = 100

// unbooking are the statuses of requests that no longer hold their slot.
var unbooking = []app.RequestStatus{app.RequestCancelled, app.RequestRejected, app.RequestNoShow}

// CreateSlot stores a bookable time at a booth. The actor must be a head of
// the booth's station or the admin; a booth of another station is
// ENOTFOUND.
func (s *Store) CreateSlot(ctx context.Context, actor app.Actor, sl *app.Slot) error {
	sl.StartsAt, sl.EndsAt = dbTime(sl.StartsAt), dbTime(sl.EndsAt)
	if !sl.EndsAt.After(sl.StartsAt) {
		return app.Errorf(app.EINVALID, "a time slot must end after it starts")
	}
	if !sl.EndsAt.After(s.Now()) {
		return app.Errorf(app.EINVALID, "that time slot is already over")
	}
	if sl.Capacity < 1 || sl.Capacity > maxSlotCapacity {
		return app.Errorf(app.EINVALID, "a time slot takes 1 to %d visits", maxSlotCapacity)
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		var b app.Booth
		if err := tx.First(&b, sl.BoothID).Error; err != nil {
			return notFound("create slot", err)
		}
		if sl.StationID != 0 && sl.StationID != b.StationID {
			return app.ErrNotFound
		}
		a, err := stationHead(tx, actor, b.StationID)
		if err != nil {
			return err
		}
		sl.ID, sl.StationID, sl.Booked = 0, b.StationID, 0
		if err := tx.Create(sl).Error; err != nil {
			return fmt.Errorf("store: create slot: %w", err)
		}
		return audit(tx, &app.AuditEntry{StationID: &b.StationID, ActorID: &a.ID, IP: actor.IP,
			Action: "slot.create", Target: fmt.Sprintf("slot/%d", sl.ID),
			Detail: fmt.Sprintf("booth %s, %s to %s, %d visits", b.Name, sl.StartsAt.Format(time.RFC3339), sl.EndsAt.Format(time.RFC3339), sl.Capacity)})
	})
}

// ListSlots returns a booth's slots that start at from or later (any, for
// a zero from), earliest first, each with the requests booked on it.
func (s *Store) ListSlots(ctx context.Context, boothID int64, from time.Time, limit int) ([]app.Slot, error) {
	db := s.db.WithContext(ctx)
	q := db.Where("booth_id = ?", boothID)
	if !from.IsZero() {
		q = q.Where(s.timeCompare("starts_at", ">="), dbTime(from))
	}
	slots := []app.Slot{}
	if err := q.Order("starts_at, id").Limit(listLimit(limit)).Find(&slots).Error; err != nil {
		return nil, fmt.Errorf("store: list slots: %w", err)
	}
	if len(slots) == 0 {
		return slots, nil
	}
	ids := make([]int64, len(slots))
	for i, sl := range slots {
		ids[i] = sl.ID
	}
	booked, err := bookings(db, ids)
	if err != nil {
		return nil, err
	}
	for i := range slots {
		slots[i].Booked = booked[slots[i].ID]
	}
	return slots, nil
}

// bookings counts the requests that hold each slot.
func bookings(db *gorm.DB, slotIDs []int64) (map[int64]int, error) {
	var rows []struct {
		SlotID int64
		N      int
	}
	err := db.Model(&app.ServiceRequest{}).Select("slot_id, COUNT(*) AS n").
		Where("slot_id IN ? AND status NOT IN ?", slotIDs, unbooking).Group("slot_id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: count bookings: %w", err)
	}
	booked := make(map[int64]int, len(rows))
	for _, r := range rows {
		booked[r.SlotID] = r.N
	}
	return booked, nil
}

// listLimit is a list's page size: 50 unless asked, at most 200.
func listLimit(n int) int {
	switch {
	case n <= 0:
		return 50
	case n > 200:
		return 200
	}
	return n
}
