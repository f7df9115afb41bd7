package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"policebooth/server/app"
)

var _ app.ShiftService = (*Store)(nil)

// shiftEvent is the payload of shift.updated: ids and what changed.
type shiftEvent struct {
	ID      string `json:"id"`
	BoothID string `json:"booth_id"`
	Status  string `json:"status"` // on_duty, ended, signed_off
	Change  string `json:"change"` // clock_in, clock_out, entry, handover_ack, sign_off
}

func shiftStatus(sh *app.Shift) string {
	switch {
	case sh.SignedOffAt != nil:
		return "signed_off"
	case sh.EndedAt != nil:
		return "ended"
	}
	return "on_duty"
}

// shiftChanged appends shift.updated in the caller's transaction.
func shiftChanged(tx *gorm.DB, sh *app.Shift, change string) error {
	return appendEvent(tx, &app.Event{StationID: sh.StationID, Name: "shift.updated", RecordID: sh.ID, BoothID: &sh.BoothID},
		shiftEvent{ID: strconv.FormatInt(sh.ID, 10), BoothID: strconv.FormatInt(sh.BoothID, 10), Status: shiftStatus(sh), Change: change})
}

// countOnDuty counts the enabled officers clocked in at a booth.
func countOnDuty(tx *gorm.DB, boothID int64) (int64, error) {
	var n int64
	err := tx.Table("shifts").Joins("JOIN users ON users.id = shifts.officer_id").
		Where("shifts.booth_id = ? AND shifts.ended_at IS NULL AND users.disabled = ?", boothID, false).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("store: count officers on duty: %w", err)
	}
	return n, nil
}

// lockShift loads a shift of the station for update.
func (s *Store) lockShift(tx *gorm.DB, stationID, id int64) (*app.Shift, error) {
	q := tx.Where("station_id = ?", stationID)
	if s.postgres {
		q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
	}
	var sh app.Shift
	if err := q.First(&sh, id).Error; err != nil {
		return nil, notFound("load shift", err)
	}
	return &sh, nil
}

// StartShift clocks an officer in. A location, when given, is kept with
// its distance from the booth; further than app.FarFromBoothM is flagged,
// not refused. Clocking in ends the booth's open coverage gap.
func (s *Store) StartShift(ctx context.Context, in app.ClockIn, now time.Time) (*app.Shift, error) {
	if (in.Lat == nil) != (in.Lng == nil) {
		return nil, app.Errorf(app.EINVALID, "give lat and lng together")
	}
	if err := checkLocation(in.Lat, in.Lng, nil); err != nil {
		return nil, err
	}
	if in.Window == 0 {
		in.Window = app.DefaultWindow
	}
	if in.Window < 1 || in.Window > app.MaxWindow {
		return nil, app.Errorf(app.EINVALID, "window: 1 to %d", app.MaxWindow)
	}
	now = dbTime(now)
	var sh *app.Shift
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var u app.User
		if err := tx.First(&u, in.OfficerID).Error; err != nil {
			return notFound("clock in", err)
		}
		if u.Role != app.RoleOfficer || u.Disabled || u.StationID == nil {
			return app.Errorf(app.EFORBIDDEN, "only an active officer clocks in").WithMessage("not_officer")
		}
		var b app.Booth
		if err := s.lockBooth(tx.Where("station_id = ?", *u.StationID), in.BoothID, &b); err != nil {
			return notFound("clock in: load booth", err)
		}
		var open int64
		if err := tx.Model(&app.Shift{}).Where("officer_id = ? AND ended_at IS NULL", u.ID).Count(&open).Error; err != nil {
			return fmt.Errorf("store: clock in: %w", err)
		}
		if open > 0 {
			return app.Errorf(app.ECONFLICT, "you are already clocked in; clock out first").WithMessage("already_clocked_in")
		}
		sh = &app.Shift{StationID: b.StationID, BoothID: b.ID, OfficerID: u.ID, StartedAt: now, Lat: in.Lat, Lng: in.Lng,
			WindowNo: in.Window, CreatedAt: now, UpdatedAt: now}
		if in.Lat != nil {
			d := int(math.Round(app.DistanceM(b.Lat, b.Lng, *in.Lat, *in.Lng)))
			sh.DistanceM, sh.Far = &d, d > app.FarFromBoothM
		}
		if err := tx.Omit(clause.Associations).Create(sh).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return app.Errorf(app.ECONFLICT, "you are already clocked in; clock out first").WithMessage("already_clocked_in")
			}
			return fmt.Errorf("store: clock in: %w", err)
		}
		err := tx.Model(&app.CoverageGap{}).Where("booth_id = ? AND ended_at IS NULL", b.ID).Update("ended_at", now).Error
		if err != nil {
			return fmt.Errorf("store: clock in: close gap: %w", err)
		}
		if err := audit(tx, &app.AuditEntry{StationID: &b.StationID, ActorID: &u.ID, Action: "shift.clock_in",
			Target: "shift:" + strconv.FormatInt(sh.ID, 10), Detail: "booth:" + strconv.FormatInt(b.ID, 10), CreatedAt: now}); err != nil {
			return err
		}
		return shiftChanged(tx, sh, "clock_in")
	})
	if err != nil {
		return nil, err
	}
	return sh, nil
}

// EndShift clocks an officer out. The handover note is required: the next
// officer must know what is pending, even if it is "nothing pending".
func (s *Store) EndShift(ctx context.Context, officerID int64, handover string, now time.Time) (*app.Shift, error) {
	handover = strings.TrimSpace(handover)
	if handover == "" || utf8.RuneCountInString(handover) > app.MaxHandoverText {
		return nil, app.Errorf(app.EINVALID, "handover_note: 1 to %d characters; write what the next officer must know", app.MaxHandoverText)
	}
	now = dbTime(now)
	var sh app.Shift
	err := s.tx(ctx, func(tx *gorm.DB) error {
		q := tx.Where("officer_id = ? AND ended_at IS NULL", officerID)
		if s.postgres {
			q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
		}
		if err := q.First(&sh).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return app.Errorf(app.ECONFLICT, "you are not clocked in").WithMessage("not_clocked_in")
			}
			return fmt.Errorf("store: clock out: %w", err)
		}
		sh.EndedAt, sh.HandoverNote, sh.UpdatedAt = &now, handover, now
		err := tx.Model(&app.Shift{}).Where("id = ?", sh.ID).
			Updates(map[string]any{"ended_at": now, "handover_note": handover, "updated_at": now}).Error
		if err != nil {
			return fmt.Errorf("store: clock out: %w", err)
		}
		if err := audit(tx, &app.AuditEntry{StationID: &sh.StationID, ActorID: &officerID, Action: "shift.clock_out",
			Target: "shift:" + strconv.FormatInt(sh.ID, 10), CreatedAt: now}); err != nil {
			return err
		}
		return shiftChanged(tx, &sh, "clock_out")
	})
	if err != nil {
		return nil, err
	}
	return &sh, nil
}

// CurrentShift is the officer's open shift with its log.
func (s *Store) CurrentShift(ctx context.Context, officerID int64) (*app.Shift, error) {
	return openShift(s.db.WithContext(ctx).Preload("Entries", orderByID).Preload("Entries.Participants"), officerID)
}

// OpenShift is the officer's open shift without its log.
func (s *Store) OpenShift(ctx context.Context, officerID int64) (*app.Shift, error) {
	return openShift(s.db.WithContext(ctx), officerID)
}

// openShift reads an officer's open shift (one at most: shifts_open_officer).
func openShift(db *gorm.DB, officerID int64) (*app.Shift, error) {
	var sh app.Shift
	if err := db.Where("officer_id = ? AND ended_at IS NULL", officerID).Take(&sh).Error; err != nil {
		return nil, notFound("current shift", err)
	}
	return &sh, nil
}

func orderByID(db *gorm.DB) *gorm.DB { return db.Order("id") }

// FindShift returns a shift of the station with its log.
func (s *Store) FindShift(ctx context.Context, stationID, id int64) (*app.Shift, error) {
	var sh app.Shift
	err := s.db.WithContext(ctx).Preload("Entries", orderByID).Preload("Entries.Participants").Where("station_id = ?", stationID).First(&sh, id).Error
	if err != nil {
		return nil, notFound("find shift", err)
	}
	return &sh, nil
}

// overlappingShifts narrows q (on shifts) to f's station, booth, officer
// and the shifts that overlap its period.
func (s *Store) overlappingShifts(q *gorm.DB, f app.ShiftFilter) *gorm.DB {
	q = q.Where("station_id = ?", f.StationID)
	if f.BoothID != 0 {
		q = q.Where("booth_id = ?", f.BoothID)
	}
	if f.OfficerID != 0 {
		q = q.Where("officer_id = ?", f.OfficerID)
	}
	if !f.To.IsZero() {
		q = q.Where(s.timeCompare("started_at", "<"), dbTime(f.To))
	}
	if !f.From.IsZero() {
		q = q.Where("(ended_at IS NULL OR "+s.timeCompare("ended_at", ">=")+")", dbTime(f.From))
	}
	return q
}

// ListShifts returns the station's shifts that overlap the filter's
// period, newest first (or oldest first), with their logs when the filter
// asks.
func (s *Store) ListShifts(ctx context.Context, f app.ShiftFilter) ([]app.Shift, error) {
	q := s.overlappingShifts(s.db.WithContext(ctx), f)
	if f.Before != 0 {
		q = q.Where("id < ?", f.Before)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 500
	}
	if f.Entries {
		q = q.Preload("Entries", orderByID).Preload("Entries.Participants")
	}
	order := "id DESC"
	if f.OldestFirst {
		q, order = q.Where("id > ?", f.After), "id"
	}
	var out []app.Shift
	if err := q.Order(order).Limit(f.Limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: list shifts: %w", err)
	}
	return out, nil
}

// AddEntry appends an officer's or a head's entry to a shift's log. An
// officer writes only in their own shift's log and not once it is sealed;
// a head's note goes in at any time and is marked as the head's.
func (s *Store) AddEntry(ctx context.Context, stationID, shiftID int64, author app.Claims, ne app.NewEntry, now time.Time) (*app.ShiftEntry, error) {
	now = dbTime(now)
	if err := ne.Validate(author.Role, now); err != nil {
		return nil, err
	}
	var e *app.ShiftEntry
	err := s.tx(ctx, func(tx *gorm.DB) error {
		sh, err := s.lockShift(tx, stationID, shiftID)
		if err != nil {
			return err
		}
		if author.Role == app.RoleOfficer {
			if sh.OfficerID != author.UserID {
				return app.Errorf(app.EFORBIDDEN, "only the shift's own officer writes in its log").WithMessage("not_shift_officer")
			}
			if sh.Sealed() {
				return app.Errorf(app.ECONFLICT, "the head has signed this shift off; its log is sealed").WithMessage("shift_sealed")
			}
		}
		e = &app.ShiftEntry{ShiftID: sh.ID, StationID: sh.StationID, AuthorID: &author.UserID, Kind: ne.Kind, Text: ne.Text, CreatedAt: now}
		if ne.WrittenAt != nil {
			w := dbTime(*ne.WrittenAt)
			e.WrittenAt = &w
		}
		if ne.Corrects != 0 {
			var old app.ShiftEntry
			if err := tx.Where("shift_id = ?", sh.ID).First(&old, ne.Corrects).Error; err != nil {
				if errors.Is(err, gorm.ErrRecordNotFound) {
					return app.Errorf(app.EINVALID, "corrects: no entry %d in this shift's log", ne.Corrects).WithField("corrects")
				}
				return fmt.Errorf("store: add entry: %w", err)
			}
			if old.AuthorID == nil || *old.AuthorID != author.UserID {
				return app.Errorf(app.EINVALID, "corrects: you can correct only your own entries").WithField("corrects")
			}
			e.CorrectsID = &old.ID
		}
		if err := tx.Omit(clause.Associations).Create(e).Error; err != nil {
			return fmt.Errorf("store: add entry: %w", err)
		}
		if err := addParticipants(tx, e, sh.StationID, ne.Participants); err != nil {
			return err
		}
		return shiftChanged(tx, sh, "entry")
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// SignOff seals a finished shift's log with the head's comment.
func (s *Store) SignOff(ctx context.Context, stationID, shiftID int64, head app.Actor, comment string, now time.Time) (*app.Shift, error) {
	comment = strings.TrimSpace(comment)
	if utf8.RuneCountInString(comment) > app.MaxEntryText {
		return nil, app.Errorf(app.EINVALID, "comment: at most %d characters", app.MaxEntryText)
	}
	now = dbTime(now)
	var sh *app.Shift
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var err error
		if sh, err = s.lockShift(tx, stationID, shiftID); err != nil {
			return err
		}
		switch {
		case sh.EndedAt == nil:
			return app.Errorf(app.ECONFLICT, "the shift is still open; sign it off after clock-out").WithMessage("shift_still_open")
		case sh.Sealed():
			return app.Errorf(app.ECONFLICT, "the shift is already signed off").WithMessage("shift_signed_off")
		}
		sh.SignedOffBy, sh.SignedOffAt, sh.SignOffNote, sh.UpdatedAt = &head.ID, &now, comment, now
		err = tx.Model(&app.Shift{}).Where("id = ?", sh.ID).
			Updates(map[string]any{"signed_off_by": head.ID, "signed_off_at": now, "sign_off_note": comment, "updated_at": now}).Error
		if err != nil {
			return fmt.Errorf("store: sign off: %w", err)
		}
		if err := audit(tx, &app.AuditEntry{StationID: &stationID, ActorID: &head.ID, Action: "shift.sign_off",
			Target: "shift:" + strconv.FormatInt(sh.ID, 10), IP: head.IP, CreatedAt: now}); err != nil {
			return err
		}
		return shiftChanged(tx, sh, "sign_off")
	})
	if err != nil {
		return nil, err
	}
	return sh, nil
}

// AcknowledgeHandover records that an officer now on duty at the booth
// read an earlier shift's handover note.
func (s *Store) AcknowledgeHandover(ctx context.Context, stationID, shiftID, officerID int64, now time.Time) (*app.Shift, error) {
	now = dbTime(now)
	var sh *app.Shift
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var err error
		if sh, err = s.lockShift(tx, stationID, shiftID); err != nil {
			return err
		}
		switch {
		case sh.EndedAt == nil || sh.HandoverNote == "":
			return app.Errorf(app.ECONFLICT, "this shift has no handover yet").WithMessage("no_handover")
		case sh.HandoverAckAt != nil:
			return app.Errorf(app.ECONFLICT, "this handover was already acknowledged").WithMessage("handover_acknowledged")
		case sh.OfficerID == officerID:
			return app.Errorf(app.ECONFLICT, "the next officer acknowledges a handover, not its writer").WithMessage("handover_own")
		}
		var here int64
		err = tx.Model(&app.Shift{}).Where("officer_id = ? AND booth_id = ? AND ended_at IS NULL", officerID, sh.BoothID).Count(&here).Error
		if err != nil {
			return fmt.Errorf("store: acknowledge handover: %w", err)
		}
		if here == 0 {
			return app.Errorf(app.ECONFLICT, "clock in at this booth before acknowledging its handover").WithMessage("handover_clock_in")
		}
		sh.HandoverAckBy, sh.HandoverAckAt, sh.UpdatedAt = &officerID, &now, now
		err = tx.Model(&app.Shift{}).Where("id = ?", sh.ID).
			Updates(map[string]any{"handover_ack_by": officerID, "handover_ack_at": now, "updated_at": now}).Error
		if err != nil {
			return fmt.Errorf("store: acknowledge handover: %w", err)
		}
		return shiftChanged(tx, sh, "handover_ack")
	})
	if err != nil {
		return nil, err
	}
	return sh, nil
}

// OpenHandover is the latest handover at the booth that nobody has
// acknowledged, written by someone other than officerID.
func (s *Store) OpenHandover(ctx context.Context, boothID, officerID int64) (*app.Shift, error) {
	var sh app.Shift
	err := s.db.WithContext(ctx).Where("booth_id = ? AND ended_at IS NOT NULL AND handover_ack_at IS NULL AND handover_note <> '' AND officer_id <> ?",
		boothID, officerID).Order(s.timeSort("ended_at") + " DESC").First(&sh).Error
	if err != nil {
		return nil, notFound("open handover", err)
	}
	return &sh, nil
}

// OnDuty lists the shifts open at a booth, earliest first.
func (s *Store) OnDuty(ctx context.Context, boothID int64) ([]app.Shift, error) {
	var out []app.Shift
	if err := s.db.WithContext(ctx).Where("booth_id = ? AND ended_at IS NULL", boothID).Order(s.timeSort("started_at")).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: on duty: %w", err)
	}
	return out, nil
}

// FindGaps opens a coverage gap for every booth with nobody clocked in
// for longer than its grace: since its last shift ended, or since it was
// created if nobody ever covered it. The partial unique index keeps one
// open gap per booth, so each gap is found once, by whichever instance
// gets there first; it ends when someone clocks in.
//
// The first read only picks candidates: each booth is decided again inside
// the transaction that opens its gap, under the booth's row lock that
// clock-in also takes, so an officer who clocked in meanwhile never gets an
// open gap (and the heads no text) for a covered booth.
func (s *Store) FindGaps(ctx context.Context, now time.Time) ([]app.CoverageGap, error) {
	now = dbTime(now)
	var candidates []int64
	err := s.db.WithContext(ctx).Model(&app.Booth{}).Where(`NOT EXISTS (SELECT 1 FROM shifts sh WHERE sh.booth_id = booths.id AND sh.ended_at IS NULL)
		AND NOT EXISTS (SELECT 1 FROM coverage_gaps g WHERE g.booth_id = booths.id AND g.ended_at IS NULL)`).Pluck("id", &candidates).Error
	if err != nil {
		return nil, fmt.Errorf("store: find gaps: %w", err)
	}
	if afterGapCandidates != nil {
		afterGapCandidates()
	}
	var found []app.CoverageGap
	for _, id := range candidates {
		gap, err := s.openGap(ctx, id, now)
		if err != nil {
			return nil, err
		}
		if gap != nil {
			found = append(found, *gap)
		}
	}
	return found, nil
}

// afterGapCandidates, when set by a test, runs between FindGaps' first
// read and the transactions that decide.
var afterGapCandidates func()

// openGap opens a coverage gap at booth id if, now, nobody is clocked in
// there, no gap is open and its last cover ended longer than its grace
// ago. It answers nil when the booth is covered.
func (s *Store) openGap(ctx context.Context, id int64, now time.Time) (*app.CoverageGap, error) {
	var opened *app.CoverageGap
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var b app.Booth
		if err := s.lockBooth(tx, id, &b); err != nil {
			return notFound("open gap", err)
		}
		var covered int64
		err := tx.Raw(`SELECT (SELECT COUNT(*) FROM shifts WHERE booth_id = ? AND ended_at IS NULL) +
			(SELECT COUNT(*) FROM coverage_gaps WHERE booth_id = ? AND ended_at IS NULL)`, id, id).Scan(&covered).Error
		if err != nil || covered > 0 {
			return err
		}
		since := b.CreatedAt
		var last []app.Shift
		if err := tx.Where("booth_id = ? AND ended_at IS NOT NULL", b.ID).Order(s.timeSort("ended_at") + " DESC").Limit(1).Find(&last).Error; err != nil {
			return fmt.Errorf("store: open gap: %w", err)
		}
		if len(last) == 1 {
			since = *last[0].EndedAt
		}
		if now.Sub(since) <= time.Duration(b.CoverageGraceMinutes)*time.Minute {
			return nil
		}
		gap := app.CoverageGap{StationID: b.StationID, BoothID: b.ID, StartedAt: dbTime(since), CreatedAt: now}
		res := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "booth_id"}}, TargetWhere: clause.Where{
			Exprs: []clause.Expression{clause.Expr{SQL: "ended_at IS NULL"}}}, DoNothing: true}).Create(&gap)
		if res.Error != nil {
			return fmt.Errorf("store: open gap: %w", res.Error)
		}
		if res.RowsAffected != 1 {
			return nil
		}
		opened = &gap
		err = appendEvent(tx, &app.Event{StationID: gap.StationID, Name: "coverage.gap", RecordID: gap.ID, BoothID: &gap.BoothID},
			map[string]string{"id": strconv.FormatInt(gap.ID, 10), "booth_id": strconv.FormatInt(gap.BoothID, 10), "status": "open"})
		if err != nil {
			return err
		}
		return queueHeadTexts(tx, gap.StationID, "sms.coverage_gap", map[string]any{"Booth": b.Name})
	})
	if err != nil {
		return nil, err
	}
	return opened, nil
}

// lockBooth loads booth id for the rest of the transaction: on PostgreSQL
// with its row lock, which clock-in and opening a gap both take so they
// decide one after the other; SQLite's transactions already do.
func (s *Store) lockBooth(tx *gorm.DB, id int64, b *app.Booth) error {
	q := tx
	if s.postgres {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	return q.First(b, id).Error
}

// timeSort is what sorts a time column in time order: SQLite's text
// times need julianday() (see timeCompare).
func (s *Store) timeSort(column string) string {
	if s.postgres {
		return column
	}
	return "julianday(" + column + ")"
}

// ListGaps returns a station's coverage gaps overlapping [from, to),
// earliest first; boothID 0 means every booth.
func (s *Store) ListGaps(ctx context.Context, stationID, boothID int64, from, to time.Time) ([]app.CoverageGap, error) {
	q := s.db.WithContext(ctx).Where("station_id = ?", stationID).
		Where(s.timeCompare("started_at", "<"), dbTime(to)).
		Where("(ended_at IS NULL OR "+s.timeCompare("ended_at", ">=")+")", dbTime(from))
	if boothID != 0 {
		q = q.Where("booth_id = ?", boothID)
	}
	var out []app.CoverageGap
	if err := q.Order(s.timeSort("started_at")).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: list gaps: %w", err)
	}
	return out, nil
}
