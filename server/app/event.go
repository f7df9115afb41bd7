package app

import (
	"strconv"
	"strings"
	"time"
)

// Event is one entry of the event log: a state change someone must see.
// Its payload carries ids, statuses and names, never personal data.
type Event struct {
	ID        int64     `json:"id,string" gorm:"primaryKey"`
	StationID int64     `json:"station_id,string"`
	OwnerID   *int64    `json:"owner_id,string,omitempty"` // the resident the record belongs to, if any
	Name      string    `json:"name"`                      // <record>.<change>, e.g. request.created
	RecordID  int64     `json:"record_id,string"`
	BoothID   *int64    `json:"booth_id,string,omitempty"` // where it happened: the shift logs there record it
	Payload   string    `json:"payload"`                   // a JSON object
	CreatedAt time.Time `json:"created_at"`
}

// AuditEntry records one staff action: who did what to which record, and when.
type AuditEntry struct {
	ID        int64     `json:"id,string" gorm:"primaryKey"`
	StationID *int64    `json:"station_id,string,omitempty"`
	ActorID   *int64    `json:"actor_id,string,omitempty"`
	Action    string    `json:"action"`
	Target    string    `json:"target"`
	Detail    string    `json:"detail"`
	IP        string    `json:"ip" gorm:"column:ip"`
	CreatedAt time.Time `json:"created_at"`
}

// EventChannel is the PostgreSQL channel that wakes every instance's event
// reader. Its payload is empty: readers read the log, never the message.
const EventChannel = "policebooth_events"

// IdempotentResponse is the stored first answer to a create request sent
// with an Idempotency-Key, replayed to retries of the same key.
type IdempotentResponse struct {
	UserID      int64  `gorm:"primaryKey;autoIncrement:false"`
	Key         string `gorm:"primaryKey"`
	Method      string
	Path        string
	Status      int
	ContentType string
	Location    string // a redirect's target, replayed with it
	Body        []byte
	CreatedAt   time.Time
}

// Key is a secret generated once and shared by every instance through the
// database, such as the token signing key.
type Key struct {
	Name      string `gorm:"primaryKey"`
	Value     []byte
	CreatedAt time.Time
}

// AuditFilter narrows a station's audit log. Zero fields match everything;
// Before is a cursor: only entries with a lower id.
type AuditFilter struct {
	StationID int64
	ActorID   int64
	Action    string // a prefix: "officer" matches officer.create and officer.disable
	From, To  time.Time
	Before    int64
	Limit     int
}

// EventCursor is a position in the event log. Events are read in cursor
// order: on PostgreSQL by (transaction id, id), so an event whose
// transaction commits late is still read after the ones before it; on
// SQLite, whose writers take turns, by id alone (Tx is 0).
type EventCursor struct {
	Tx uint64
	ID int64
}

// Less reports whether c comes before d.
func (c EventCursor) Less(d EventCursor) bool {
	return c.Tx < d.Tx || (c.Tx == d.Tx && c.ID < d.ID)
}

// String is the cursor as a client holds it (a page's data-live-from, an
// event's SSE id): opaque to the client, read back by ParseEventCursor.
// On SQLite, where Tx is 0, it is the event id itself.
func (c EventCursor) String() string {
	if c.Tx == 0 {
		return strconv.FormatInt(c.ID, 10)
	}
	return strconv.FormatUint(c.Tx, 10) + "." + strconv.FormatInt(c.ID, 10)
}

// ParseEventCursor reads a cursor written by String. A plain number is
// either a SQLite cursor or an event id (what streams sent as ids before
// cursors): plain reports it, so the caller can look the id up.
func ParseEventCursor(s string) (c EventCursor, plain bool, err error) {
	txText, idText, dotted := strings.Cut(s, ".")
	if !dotted {
		idText = txText
	}
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id < 0 {
		return EventCursor{}, false, Errorf(EINVALID, "Last-Event-ID must be an event id")
	}
	if !dotted {
		return EventCursor{ID: id}, true, nil
	}
	tx, err := strconv.ParseUint(txText, 10, 64)
	if err != nil {
		return EventCursor{}, false, Errorf(EINVALID, "Last-Event-ID must be an event id")
	}
	return EventCursor{Tx: tx, ID: id}, false, nil
}

// EventFilter picks the events one reader may see: a resident's own
// (OwnerID) and the notices of their home station (NoticeStationID), a
// station's (StationID), or the call events of one booth (ResponderBoothID,
// an available guard's or volunteer's). A filter with none matches nothing
// (an admin's stream carries no station's events); All, for the hub that
// fans the whole log out, matches everything.
type EventFilter struct {
	StationID        int64
	OwnerID          int64
	NoticeStationID  int64
	ResponderBoothID int64
	All              bool
}

// None reports whether the filter matches nothing.
func (f EventFilter) None() bool {
	return !f.All && f.StationID == 0 && f.OwnerID == 0 && f.ResponderBoothID == 0
}

// CallEventPrefix starts the names of the events about assistance calls,
// the only ones a guard or volunteer sees (their booth's).
const CallEventPrefix = "assistance."

// NoticeEventPrefix starts the names of the events about community notices,
// which every resident of the station may see.
const NoticeEventPrefix = "notice."

// QueueEventPrefix starts the names of the events about a booth's waiting
// line (ids only), which every resident of the station may see: their
// place in line moves when someone else's does.
const QueueEventPrefix = "queue."

// StationWide reports whether an event without an owner goes to every
// resident of its station: notices and the queue's moves.
func StationWide(name string) bool {
	return strings.HasPrefix(name, NoticeEventPrefix) || strings.HasPrefix(name, QueueEventPrefix)
}

// Match reports whether the filter lets ev through.
func (f EventFilter) Match(ev *Event) bool {
	switch {
	case f.All:
		return true
	case f.OwnerID != 0:
		if ev.OwnerID == nil {
			return f.NoticeStationID != 0 && ev.StationID == f.NoticeStationID && StationWide(ev.Name)
		}
		return *ev.OwnerID == f.OwnerID
	case f.StationID != 0:
		return ev.StationID == f.StationID
	case f.ResponderBoothID != 0:
		return ev.BoothID != nil && *ev.BoothID == f.ResponderBoothID && strings.HasPrefix(ev.Name, CallEventPrefix)
	}
	return false
}

// LoggedEvent is an event with its place in the log.
type LoggedEvent struct {
	Event
	Cursor EventCursor
	// Held: committed, but an older transaction is still running and may
	// yet commit an event that comes before it in the log.
	Held bool
	// Resume is where a stream that has sent this event resumes from: the
	// event's own cursor when it was delivered in log order; when it was
	// delivered ahead of a held transaction (or late, once that one
	// committed), the position below the hold, so a resumed stream reads
	// the overlap again rather than skip what that transaction committed.
	Resume EventCursor
}
