package app

import (
	"context"
	"time"
)

// AssistStatus is a guard's or volunteer's answer to a call of their booth.
type AssistStatus string

// Assist statuses.
const (
	AssistOnMyWay AssistStatus = "on_my_way"
	AssistArrived AssistStatus = "arrived"
)

// Valid reports whether s is on_my_way or arrived.
func (s AssistStatus) Valid() bool { return s == AssistOnMyWay || s == AssistArrived }

// CallAssist records that a guard or volunteer answered a call. The
// officer still owns the call; this only tells them (and, where the booth
// allows it, the caller) that community help is coming.
type CallAssist struct {
	ID        int64        `json:"-" gorm:"primaryKey"`
	CallID    int64        `json:"-"`
	StationID int64        `json:"-"`
	UserID    *int64       `json:"user_id,string,omitempty"` // nil once the account is deleted
	Status    AssistStatus `json:"status"`
	CreatedAt time.Time    `json:"at"`
}

// ResponderService serves guards and volunteers: their availability, their
// booth's open calls and their answers to them. Every method takes the
// responder's own id; anyone else is EFORBIDDEN.
type ResponderService interface {
	// SetAvailability marks a guard or volunteer available or not and
	// returns them. EFORBIDDEN for other roles or a disabled account.
	SetAvailability(ctx context.Context, userID int64, available bool) (*User, error)
	// ResponderCalls returns the open calls of the responder's booth,
	// newest first, while they are available (none otherwise). EFORBIDDEN
	// for other roles.
	ResponderCalls(ctx context.Context, userID int64) ([]AssistanceCall, error)
	// AssistCall records an available responder's answer to an open call of
	// their booth, with an assistance.updated event. ENOTFOUND for a call
	// of another booth, ECONFLICT for a closed call or while unavailable,
	// EINVALID for a bad status, EFORBIDDEN for other roles.
	AssistCall(ctx context.Context, callID, userID int64, status AssistStatus, now time.Time) (*CallAssist, error)
	// CallAssists returns a call's answers, oldest first. Callers check
	// that the call is in their scope first.
	CallAssists(ctx context.Context, callID int64) ([]CallAssist, error)
	// SetVolunteersVisible lets a booth's callers see that a community
	// volunteer is on the way, or not. ENOTFOUND for a booth outside the
	// station.
	SetVolunteersVisible(ctx context.Context, actor Actor, stationID, boothID int64, visible bool) (*Booth, error)
}
