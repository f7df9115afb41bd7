package app

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Safety timer statuses.
const (
	TimerActive    = "active"
	TimerCheckedIn = "checked_in"
	TimerFiring    = "firing" // claimed by one instance, raising its call
	TimerFired     = "fired"
)

// SafetyTimerGrace is how long the phone alerts after a timer runs out
// before the call is raised, so a forgotten timer can still be stopped.
const SafetyTimerGrace = 30 * time.Second

// SafetyTimer is a resident's 安全守护: unless they check in before it
// runs out, it raises an assistance call by itself.
type SafetyTimer struct {
	ID        int64      `json:"id,string" gorm:"primaryKey"`
	UserID    int64      `json:"-"`
	Minutes   int        `json:"minutes"`
	Note      string     `json:"note,omitempty"`
	Lat       *float64   `json:"lat,omitempty"`
	Lng       *float64   `json:"lng,omitempty"`
	AccuracyM *float64   `json:"accuracy_m,omitempty"`
	Status    string     `json:"status"`
	StartedAt time.Time  `json:"started_at"`
	DueAt     time.Time  `json:"due_at"`  // the phone starts alerting
	FireAt    time.Time  `json:"fire_at"` // the call is raised without a check-in
	ClaimedAt *time.Time `json:"-"`
	EndedAt   *time.Time `json:"ended_at,omitempty"`
	CallID    *int64     `json:"call_id,string,omitempty"`
}

// NewSafetyTimer is what a resident sends to start a timer.
type NewSafetyTimer struct {
	UserID    int64
	Minutes   int
	Note      string
	Lat, Lng  *float64
	AccuracyM *float64
}

// CheckSafetyTimer checks a new timer: 1 to 240 minutes, a note of up to
// 200 characters (trimmed). EINVALID otherwise.
func CheckSafetyTimer(t *NewSafetyTimer) error {
	if t.Minutes < 1 || t.Minutes > 240 {
		return Errorf(EINVALID, "minutes: 1 to 240").WithField("minutes")
	}
	t.Note = strings.TrimSpace(t.Note)
	if utf8.RuneCountInString(t.Note) > 200 {
		return Errorf(EINVALID, "note: at most 200 characters").WithField("note")
	}
	return nil
}

// SafetyTimerService keeps residents' safety timers.
type SafetyTimerService interface {
	// StartSafetyTimer starts a resident's timer. EINVALID as
	// CheckSafetyTimer or for a bad position; ECONFLICT while another runs;
	// EFORBIDDEN for anyone but an active resident.
	StartSafetyTimer(ctx context.Context, t NewSafetyTimer, now time.Time) (*SafetyTimer, error)
	// CurrentSafetyTimer returns the resident's running timer, else ENOTFOUND.
	CurrentSafetyTimer(ctx context.Context, userID int64) (*SafetyTimer, error)
	// CheckInSafetyTimer ends a running timer of the resident. ENOTFOUND
	// for another's; ECONFLICT once it has ended or raised its call.
	CheckInSafetyTimer(ctx context.Context, id, userID int64, now time.Time) (*SafetyTimer, error)
	// FireSafetyTimers raises a call for every timer past its fire time,
	// each once across instances, and returns the timers it fired with
	// their calls.
	FireSafetyTimers(ctx context.Context, now time.Time) ([]FiredTimer, error)
}

// FiredTimer is a timer the sweep fired and the call it raised (nil when
// the resident could no longer call, e.g. a disabled account).
type FiredTimer struct {
	Timer SafetyTimer
	Call  *AssistanceCall
}
