package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"policebooth/server/app"
)

var _ app.SafetyTimerService = (*Store)(nil)

// Limits of the safety timer sweep.
const (
	timerBatch      = 100             // timers looked at per sweep
	timerClaimStale = 2 * time.Minute // a claim older than this was lost with its instance
	kindSafetyTimer = "safety_timer"  // the timeline entry of a call a timer raised
)

// StartSafetyTimer starts a resident's timer; the one-running-timer index
// settles a race between two starts.
func (s *Store) StartSafetyTimer(ctx context.Context, nt app.NewSafetyTimer, now time.Time) (*app.SafetyTimer, error) {
	if err := app.CheckSafetyTimer(&nt); err != nil {
		return nil, err
	}
	if err := checkLocation(nt.Lat, nt.Lng, nt.AccuracyM); err != nil {
		return nil, err
	}
	now = dbTime(now)
	due := now.Add(time.Duration(nt.Minutes) * time.Minute)
	t := &app.SafetyTimer{UserID: nt.UserID, Minutes: nt.Minutes, Note: nt.Note, Lat: nt.Lat, Lng: nt.Lng, AccuracyM: nt.AccuracyM,
		Status: app.TimerActive, StartedAt: now, DueAt: due, FireAt: due.Add(app.SafetyTimerGrace)}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if _, err := s.lockCaller(tx, nt.UserID); err != nil {
			return err
		}
		var running int64
		if err := tx.Model(&app.SafetyTimer{}).Where("user_id = ? AND status IN ?", nt.UserID, []string{app.TimerActive, app.TimerFiring}).Count(&running).Error; err != nil {
			return fmt.Errorf("store: start safety timer: %w", err)
		}
		if running > 0 {
			return app.Errorf(app.ECONFLICT, "a safety timer is already running; check in first")
		}
		if err := tx.Create(t).Error; err != nil {
			return fmt.Errorf("store: start safety timer: %w", err)
		}
		return nil
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return nil, &app.Error{Code: app.ECONFLICT, Message: "a safety timer is already running", Err: err}
	}
	if err != nil {
		return nil, err
	}
	return t, nil
}

// CurrentSafetyTimer returns the resident's running timer.
func (s *Store) CurrentSafetyTimer(ctx context.Context, userID int64) (*app.SafetyTimer, error) {
	var t app.SafetyTimer
	err := s.db.WithContext(ctx).Where("user_id = ? AND status IN ?", userID, []string{app.TimerActive, app.TimerFiring}).
		Order("id DESC").First(&t).Error
	if err != nil {
		return nil, notFound("current safety timer", err)
	}
	return &t, nil
}

// CheckInSafetyTimer ends a running timer. The conditional update loses
// to a sweep that claimed the timer first: then the call is already on its
// way (ECONFLICT).
func (s *Store) CheckInSafetyTimer(ctx context.Context, id, userID int64, now time.Time) (*app.SafetyTimer, error) {
	now = dbTime(now)
	var t app.SafetyTimer
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("id = ? AND user_id = ?", id, userID).First(&t).Error; err != nil {
			return notFound("check in safety timer", err)
		}
		res := tx.Model(&app.SafetyTimer{}).Where("id = ? AND status = ?", id, app.TimerActive).
			Updates(map[string]any{"status": app.TimerCheckedIn, "ended_at": now})
		if res.Error != nil {
			return fmt.Errorf("store: check in safety timer: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return app.Errorf(app.ECONFLICT, "the timer has already %s", t.Status)
		}
		t.Status, t.EndedAt = app.TimerCheckedIn, &now
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// FireSafetyTimers raises the call of every timer past its fire time. Each
// timer is claimed first by a conditional update (active → firing), which
// one instance alone wins on either database; the winner raises the call
// and records it (firing → fired). A claim left by an instance that died
// half-way is taken again after two minutes; the resident's one-open-call
// rule then turns a call already raised into the one recorded, so a
// timer raises its call once.
func (s *Store) FireSafetyTimers(ctx context.Context, now time.Time) ([]app.FiredTimer, error) {
	now = dbTime(now)
	db := s.db.WithContext(ctx)
	var due []app.SafetyTimer
	err := db.Where("status = ? AND "+s.timeCompare("fire_at", "<="), app.TimerActive, now).
		Or("status = ? AND "+s.timeCompare("claimed_at", "<="), app.TimerFiring, now.Add(-timerClaimStale)).
		Order("fire_at, id").Limit(timerBatch).Find(&due).Error
	if err != nil {
		return nil, fmt.Errorf("store: safety timers due: %w", err)
	}
	var out []app.FiredTimer
	for i := range due {
		t := &due[i]
		claim := db.Model(&app.SafetyTimer{}).Where("id = ? AND status = ?", t.ID, t.Status)
		if t.Status == app.TimerFiring {
			claim = claim.Where(s.timeCompare("claimed_at", "="), t.ClaimedAt)
		}
		res := claim.Updates(map[string]any{"status": app.TimerFiring, "claimed_at": now})
		if res.Error != nil {
			return out, fmt.Errorf("store: claim safety timer: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			continue // another instance has it, or the resident checked in
		}
		fired, err := s.fireTimer(ctx, t, now)
		if err != nil {
			return out, err
		}
		out = append(out, *fired)
	}
	return out, nil
}

// fireTimer raises the call of a claimed timer and records it.
func (s *Store) fireTimer(ctx context.Context, t *app.SafetyTimer, now time.Time) (*app.FiredTimer, error) {
	message := "【安全守护 Safety timer】"
	if t.Note != "" {
		message += t.Note
	}
	nc := app.NewCall{CallerID: t.UserID, Category: "other", Message: message, Lat: t.Lat, Lng: t.Lng, AccuracyM: t.AccuracyM}
	call, err := s.CreateCall(ctx, nc, now)
	switch app.ErrorCode(err) {
	case "":
	case app.ECONFLICT:
		// The resident already has an open call (perhaps this timer's,
		// raised before a lost claim): that call is the one.
		calls, lerr := s.ListCalls(ctx, app.CallScope{CallerID: t.UserID}, true, 0, 1)
		if lerr != nil {
			return nil, lerr
		}
		if len(calls) > 0 {
			call = &calls[0]
		}
	case app.EFORBIDDEN:
		call = nil // the account is disabled or gone: nobody left to call for
	default:
		// Give the timer back to the next sweep.
		if rerr := s.db.WithContext(ctx).Model(&app.SafetyTimer{}).Where("id = ? AND status = ?", t.ID, app.TimerFiring).
			Updates(map[string]any{"status": app.TimerActive, "claimed_at": nil}).Error; rerr != nil {
			return nil, errors.Join(err, rerr)
		}
		return nil, err
	}
	t.Status, t.EndedAt, t.ClaimedAt = app.TimerFired, &now, &now
	updates := map[string]any{"status": app.TimerFired, "ended_at": now}
	if call != nil {
		t.CallID = &call.ID
		updates["call_id"] = call.ID
	}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Model(&app.SafetyTimer{}).Where("id = ?", t.ID).Updates(updates).Error; err != nil {
			return fmt.Errorf("store: fire safety timer: %w", err)
		}
		if call == nil {
			return nil
		}
		entry := app.CallEntry{CallID: call.ID, StationID: call.StationID, At: now, Kind: kindSafetyTimer,
			To: strconv.Itoa(t.Minutes), Note: t.Note}
		if err := tx.Create(&entry).Error; err != nil {
			return fmt.Errorf("store: fire safety timer: timeline: %w", err)
		}
		call.Timeline = append(call.Timeline, entry)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &app.FiredTimer{Timer: *t, Call: call}, nil
}
