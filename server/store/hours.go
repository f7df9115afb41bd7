package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"policebooth/server/app"
)

// openingRange is a row of opening_hours.
type openingRange struct {
	BoothID     int64 `gorm:"primaryKey;autoIncrement:false"`
	StationID   int64
	Weekday     int    `gorm:"primaryKey;autoIncrement:false"`
	Opens       string `gorm:"primaryKey"`
	Closes      string
	SlotMinutes int
	Capacity    int
}

func (openingRange) TableName() string { return "opening_hours" }

// closedDate is a row of closed_dates.
type closedDate struct {
	BoothID   int64 `gorm:"primaryKey;autoIncrement:false"`
	StationID int64
	Day       string `gorm:"primaryKey"`
}

// generatedSlot is a slot made from opening hours.
type generatedSlot struct {
	app.Slot
	Generated bool
}

func (generatedSlot) TableName() string { return "slots" }

// OpeningHours returns a booth's weekly hours and closed dates.
func (s *Store) OpeningHours(ctx context.Context, boothID int64) (*app.OpeningHours, error) {
	return openingHours(s.db.WithContext(ctx), boothID)
}

func openingHours(db *gorm.DB, boothID int64) (*app.OpeningHours, error) {
	var ranges []openingRange
	if err := db.Where("booth_id = ?", boothID).Order("weekday, opens").Find(&ranges).Error; err != nil {
		return nil, fmt.Errorf("store: opening hours: %w", err)
	}
	h := &app.OpeningHours{Weekly: []app.OpeningRange{}, ClosedDates: []string{}}
	for _, r := range ranges {
		h.Weekly = append(h.Weekly, app.OpeningRange{Weekday: r.Weekday, Opens: r.Opens, Closes: r.Closes, SlotMinutes: r.SlotMinutes, Capacity: r.Capacity})
	}
	if err := db.Model(&closedDate{}).Where("booth_id = ?", boothID).Order("day").Pluck("day", &h.ClosedDates).Error; err != nil {
		return nil, fmt.Errorf("store: closed dates: %w", err)
	}
	return h, nil
}

// SetOpeningHours replaces a booth's hours and closed dates, drops the
// generated slots still ahead that nobody booked, and opens the slots of
// the coming days again, audited, in one transaction. Slots with bookings
// stay: a booking is kept even when the hours change. The actor must be a
// head of the booth's station or the admin.
func (s *Store) SetOpeningHours(ctx context.Context, actor app.Actor, boothID int64, h app.OpeningHours) error {
	if err := h.Validate(); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		booth, loc, err := s.boothZone(tx, boothID)
		if err != nil {
			return err
		}
		a, err := stationHead(tx, actor, booth.StationID)
		if err != nil {
			return err
		}
		if err := tx.Where("booth_id = ?", boothID).Delete(&openingRange{}).Error; err != nil {
			return fmt.Errorf("store: set opening hours: %w", err)
		}
		if err := tx.Where("booth_id = ?", boothID).Delete(&closedDate{}).Error; err != nil {
			return fmt.Errorf("store: set closed dates: %w", err)
		}
		var summary []string
		for _, r := range h.Weekly {
			row := openingRange{BoothID: boothID, StationID: booth.StationID, Weekday: r.Weekday, Opens: r.Opens, Closes: r.Closes,
				SlotMinutes: r.SlotMinutes, Capacity: r.Capacity}
			if err := tx.Create(&row).Error; err != nil {
				return fmt.Errorf("store: set opening hours: %w", err)
			}
			summary = append(summary, fmt.Sprintf("%d %s-%s/%dmin×%d", r.Weekday, r.Opens, r.Closes, r.SlotMinutes, r.Capacity))
		}
		for _, d := range h.ClosedDates {
			if err := tx.Create(&closedDate{BoothID: boothID, StationID: booth.StationID, Day: d}).Error; err != nil {
				return fmt.Errorf("store: set closed dates: %w", err)
			}
		}
		now := dbTime(s.Now())
		booked := tx.Model(&app.ServiceRequest{}).Select("slot_id").Where("slot_id IS NOT NULL AND status NOT IN ?", unbooking)
		err = tx.Where("booth_id = ? AND generated AND "+s.timeCompare("starts_at", ">"), boothID, now).
			Where("id NOT IN (?)", booked).Delete(&app.Slot{}).Error
		if err != nil {
			return fmt.Errorf("store: set opening hours: drop slots: %w", err)
		}
		if _, err := s.openBoothSlots(tx, booth, h, loc, now); err != nil {
			return err
		}
		return audit(tx, &app.AuditEntry{StationID: &booth.StationID, ActorID: &a.ID, IP: actor.IP, Action: "booth.opening_hours",
			Target: fmt.Sprintf("booth/%d", boothID), Detail: strings.Join(summary, ", ") + "; closed " + strings.Join(h.ClosedDates, ", ")})
	})
}

// openBoothSlots adds the generated slots of a booth's hours that start
// after now and within app.BookingDays local days; those there already
// stay as they are.
func (s *Store) openBoothSlots(tx *gorm.DB, booth *app.Booth, h app.OpeningHours, loc *time.Location, now time.Time) (int, error) {
	var rows []generatedSlot
	for _, sl := range h.Slots(now, app.BookingDays, loc) {
		if !sl.StartsAt.After(now) {
			continue
		}
		sl.StationID, sl.BoothID = booth.StationID, booth.ID
		sl.StartsAt, sl.EndsAt = dbTime(sl.StartsAt), dbTime(sl.EndsAt)
		rows = append(rows, generatedSlot{Slot: sl, Generated: true})
	}
	if len(rows) == 0 {
		return 0, nil
	}
	res := tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(&rows, 200)
	if res.Error != nil {
		return 0, fmt.Errorf("store: open slots: %w", res.Error)
	}
	return int(res.RowsAffected), nil
}

// OpenSlots opens, for every booth with opening hours, the slots of the
// coming days that are not open yet (the window of app.BookingDays moves
// on each day). Run by a job; safe to run on several instances at once.
func (s *Store) OpenSlots(ctx context.Context, now time.Time) (int, error) {
	var booths []int64
	if err := s.db.WithContext(ctx).Model(&openingRange{}).Distinct("booth_id").Order("booth_id").Pluck("booth_id", &booths).Error; err != nil {
		return 0, fmt.Errorf("store: open slots: %w", err)
	}
	added := 0
	for _, id := range booths {
		err := s.tx(ctx, func(tx *gorm.DB) error {
			booth, loc, err := s.boothZone(tx, id)
			if err != nil {
				return err
			}
			h, err := openingHours(tx, id)
			if err != nil {
				return err
			}
			n, err := s.openBoothSlots(tx, booth, *h, loc, dbTime(now))
			added += n
			return err
		})
		if err != nil {
			return added, err
		}
	}
	return added, nil
}
