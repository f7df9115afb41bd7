package app

import (
	"context"
	"time"
)

// CallStatus is where an assistance call is.
type CallStatus string

// Call statuses.
const (
	CallOpen         CallStatus = "open"
	CallAcknowledged CallStatus = "acknowledged"
	CallEnRoute      CallStatus = "en_route"
	CallOnScene      CallStatus = "on_scene"
	CallResolved     CallStatus = "resolved"
	CallCancelled    CallStatus = "cancelled"
)

// Open reports whether the call still needs someone.
func (s CallStatus) Open() bool { return s != CallResolved && s != CallCancelled }

// CallCategories are what a resident can say the call is about.
var CallCategories = []string{"crime", "medical", "lost_person", "domestic", "traffic", "other"}

// callFlow lists the moves officers may make from each status.
var callFlow = map[CallStatus][]CallStatus{
	CallOpen:         {CallAcknowledged},
	CallAcknowledged: {CallEnRoute, CallOnScene, CallResolved},
	CallEnRoute:      {CallOnScene, CallResolved},
	CallOnScene:      {CallResolved},
}

// CheckCallMove says whether a call may move from one status to another:
// officers follow the flow, the caller may only cancel a call still open
// in any way. EINVALID for an unknown status, EFORBIDDEN for a caller's
// move other than cancelling, ECONFLICT for a move the flow forbids.
func CheckCallMove(from, to CallStatus, byCaller bool) error {
	switch to {
	case CallOpen, CallAcknowledged, CallEnRoute, CallOnScene, CallResolved, CallCancelled:
	default:
		return Errorf(EINVALID, "unknown status %q", to).WithMessage("unknown_status")
	}
	if byCaller {
		if to != CallCancelled {
			return Errorf(EFORBIDDEN, "the caller may only cancel a call").WithMessage("caller_cancel_only")
		}
		if !from.Open() {
			return Errorf(ECONFLICT, "the call is already %s", from).WithMessage("call_closed")
		}
		return nil
	}
	for _, next := range callFlow[from] {
		if next == to {
			return nil
		}
	}
	return Errorf(ECONFLICT, "a call cannot move from %s to %s", from, to).WithMessage("call_moved")
}

// RepeatedCallsPerHour is how many calls a resident may raise in a rolling
// hour before the next is marked repeated for the officers. It is never
// refused: a person in danger may call again and again.
const RepeatedCallsPerHour = 5

// IsRepeatedCall reports whether a call that is the caller's nth in the
// last hour is marked repeated.
func IsRepeatedCall(nth int) bool { return nth > RepeatedCallsPerHour }

// EscalationDelay is how long after escalation step level (1, 2, …) the
// next re-alert comes: doubling from 30 s, never more than 5 minutes.
func EscalationDelay(level int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < level && d < 5*time.Minute; i++ {
		d *= 2
	}
	return min(d, 5*time.Minute)
}

// AssistanceCall is a resident's call for help right now.
type AssistanceCall struct {
	ID              int64         `json:"id,string" gorm:"primaryKey"`
	StationID       int64         `json:"station_id,string"`
	BoothID         int64         `json:"booth_id,string"`
	CallerID        *int64        `json:"caller_id,string,omitempty"` // nil once the caller deleted their account
	Category        string        `json:"category"`
	Message         string        `json:"message,omitempty"`
	Silent          bool          `json:"silent"` // text only: the caller cannot speak safely or cannot hear
	Lat             *float64      `json:"lat,omitempty"`
	Lng             *float64      `json:"lng,omitempty"`
	AccuracyM       *float64      `json:"accuracy_m,omitempty"`
	LocationAt      *time.Time    `json:"location_at,omitempty"`
	Status          CallStatus    `json:"status"`
	AcknowledgedBy  *int64        `json:"acknowledged_by,string,omitempty"`
	AcknowledgedAt  *time.Time    `json:"acknowledged_at,omitempty"`
	ClosedAt        *time.Time    `json:"closed_at,omitempty"`
	EscalationLevel int           `json:"escalation_level"`     // 0: not escalated
	CallsThisHour   int           `json:"calls_this_hour"`      // the caller's calls in the hour up to and including this one
	Repeated        bool          `json:"repeated"`             // past RepeatedCallsPerHour: shown to officers as repeated
	NextAlertAt     *time.Time    `json:"-"`                    // when the escalation worker next looks at it
	WrittenAt       *time.Time    `json:"written_at,omitempty"` // the phone's clock, for a call sent late
	CreatedAt       time.Time     `json:"created_at"`
	UpdatedAt       time.Time     `json:"updated_at"`
	Timeline        []CallEntry   `json:"timeline,omitempty" gorm:"foreignKey:CallID"`
	Messages        []CallMessage `json:"messages,omitempty" gorm:"foreignKey:CallID"`
}

// CallEntry is one step of a call's history.
type CallEntry struct {
	ID        int64     `json:"-" gorm:"primaryKey"`
	CallID    int64     `json:"-"`
	StationID int64     `json:"-"`
	At        time.Time `json:"at"`
	ActorID   *int64    `json:"actor_id,string,omitempty"`
	Kind      string    `json:"kind"` // status, escalation, message, location
	From      string    `json:"from,omitempty" gorm:"column:from_status"`
	To        string    `json:"to,omitempty" gorm:"column:to_status"`
	Note      string    `json:"note,omitempty"`
}

// CallMessage is a short message between the caller and the officers.
type CallMessage struct {
	ID        int64     `json:"id,string" gorm:"primaryKey"`
	CallID    int64     `json:"-"`
	StationID int64     `json:"-"`
	AuthorID  int64     `json:"author_id,string"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
}

// NewCall is what a resident sends to ask for help.
type NewCall struct {
	CallerID  int64
	BoothID   int64 // 0: the caller's home booth, else the nearest to the location
	Category  string
	Message   string
	Silent    bool
	Lat, Lng  *float64
	AccuracyM *float64
	WrittenAt *time.Time
}

// CallScope is what a caller of the store may see: a resident their own
// calls, staff their station's.
type CallScope struct {
	CallerID  int64
	StationID int64
}

// Escalation is one escalation step the worker took, for notifying people.
type Escalation struct {
	Call  AssistanceCall
	Level int
	// NobodyOnDuty is true when the call escalated at once because nobody
	// was on duty at its booth.
	NobodyOnDuty bool
}

// AssistanceService keeps assistance calls.
type AssistanceService interface {
	// CreateCall stores a call with its first timeline entry and an
	// assistance.created event. When nobody is on duty at the booth it is
	// escalated at once (an assistance.escalated event in the same
	// transaction). EINVALID for a bad category, text or location;
	// ECONFLICT when the resident already has an open call (the message
	// names it). A call past the hourly bound is never refused: it is
	// stored with Repeated set and the caller's CallsThisHour.
	CreateCall(ctx context.Context, c NewCall, now time.Time) (*AssistanceCall, error)
	// FindCall returns a call in scope with timeline and messages, else ENOTFOUND.
	FindCall(ctx context.Context, id int64, scope CallScope) (*AssistanceCall, error)
	// ListCalls returns calls in scope, newest first; open ones only when
	// openOnly.
	ListCalls(ctx context.Context, scope CallScope, openOnly bool, before int64, limit int) ([]AssistanceCall, error)
	// UpdateLocation records the caller's newer position with an
	// assistance.updated event that carries no coordinates (locations are
	// personal). ENOTFOUND, ECONFLICT when closed, EINVALID for a bad
	// position.
	UpdateLocation(ctx context.Context, id, callerID int64, lat, lng, accuracyM float64, now time.Time) error
	// AddCallMessage adds a message from the caller or a station officer,
	// with an assistance.updated event. ENOTFOUND, ECONFLICT when closed,
	// EINVALID for empty or over-long text.
	AddCallMessage(ctx context.Context, id int64, scope CallScope, authorID int64, text string, now time.Time) (*CallMessage, error)
	// MoveCall changes a call's status. The first acknowledgement wins: a
	// later one is ECONFLICT naming who has it. Other errors as
	// CheckCallMove, and ENOTFOUND out of scope.
	MoveCall(ctx context.Context, id int64, scope CallScope, actorID int64, to CallStatus, note string, now time.Time) (*AssistanceCall, error)
	// EscalateDue takes every open, unacknowledged call whose next alert
	// is due, once across all instances (row claims), raises its level
	// with a timeline entry and an assistance.escalated event, and sets
	// the next alert with backoff. It returns what it escalated.
	EscalateDue(ctx context.Context, now time.Time) ([]Escalation, error)
}
