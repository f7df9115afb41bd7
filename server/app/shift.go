package app

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Shift is one officer's time on duty at a booth, from clock-in to
// clock-out, with the handover note left for the next officer and the
// head's sign-off that seals its log.
type Shift struct {
	ID            int64        `json:"id,string" gorm:"primaryKey"`
	StationID     int64        `json:"station_id,string"`
	BoothID       int64        `json:"booth_id,string"`
	OfficerID     int64        `json:"officer_id,string"`
	StartedAt     time.Time    `json:"started_at"`
	EndedAt       *time.Time   `json:"ended_at,omitempty"` // nil while on duty
	Lat           *float64     `json:"lat,omitempty"`      // where the device was at clock-in
	Lng           *float64     `json:"lng,omitempty"`
	DistanceM     *int         `json:"distance_m,omitempty"` // from the booth, when a location was given
	Far           bool         `json:"far"`                  // clocked in further than FarFromBoothM from the booth
	HandoverNote  string       `json:"handover_note,omitempty"`
	HandoverAckBy *int64       `json:"handover_ack_by,string,omitempty"` // the next officer who read it
	HandoverAckAt *time.Time   `json:"handover_ack_at,omitempty"`
	SignedOffBy   *int64       `json:"signed_off_by,string,omitempty"`
	SignedOffAt   *time.Time   `json:"signed_off_at,omitempty"` // set: the log is sealed
	SignOffNote   string       `json:"sign_off_comment,omitempty"`
	WindowNo      int          `json:"window" gorm:"default:1"` // the counter window the officer serves at
	CreatedAt     time.Time    `json:"created_at"`
	UpdatedAt     time.Time    `json:"updated_at"`
	Entries       []ShiftEntry `json:"entries,omitempty" gorm:"foreignKey:ShiftID"`
}

// Sealed reports whether a head has signed the shift's log off.
func (s *Shift) Sealed() bool { return s.SignedOffAt != nil }

// FarFromBoothM is how far from its booth a clock-in may be before it is
// flagged (it is still allowed: the device's location can be poor).
const FarFromBoothM = 300

// Kinds of shift-log entry. Officers write the first five; heads write
// head notes; the system writes one for every call, request, photo or
// notice handled at the booth while the shift is open.
const (
	EntryPatrol    = "patrol"
	EntryVisit     = "visit"
	EntryFraudTalk = "fraud_talk"
	EntryVisitor   = "visitor"
	EntryNote      = "note"
	EntryHeadNote  = "head_note"
	EntryCall      = "call"
	EntryRequest   = "request"
	EntryPhoto     = "photo"
	EntryNotice    = "notice"
)

// OfficerEntryKinds are the kinds an officer writes by hand, in the order
// the tablet offers them.
var OfficerEntryKinds = []string{EntryPatrol, EntryVisit, EntryFraudTalk, EntryVisitor, EntryNote}

// ShiftEntry is one line of a shift's log. Entries are never changed or
// removed (the database refuses it); a correction is a new entry that
// names the one it corrects.
type ShiftEntry struct {
	ID         int64      `json:"id,string" gorm:"primaryKey"`
	ShiftID    int64      `json:"shift_id,string"`
	StationID  int64      `json:"-"`
	AuthorID   *int64     `json:"author_id,string,omitempty"` // nil: written by the system
	Kind       string     `json:"kind"`
	Text       string     `json:"text,omitempty"`
	EventName  string     `json:"event,omitempty"`          // system entries: the event that made it
	DoneBy     *int64     `json:"done_by,string,omitempty"` // system entries: the member of staff who took the step
	RecordID   *int64     `json:"record_id,string,omitempty"`
	CorrectsID *int64     `json:"corrects,string,omitempty"`
	WrittenAt  *time.Time `json:"written_at,omitempty"` // the device's clock, for an entry written offline
	CreatedAt  time.Time  `json:"created_at"`           // when the server received it
	// Participants are the guards and volunteers who went along on a patrol.
	Participants []EntryParticipant `json:"participants,omitempty" gorm:"foreignKey:EntryID"`
}

// EntryParticipant is a guard or volunteer named on a patrol entry.
type EntryParticipant struct {
	EntryID   int64 `json:"-" gorm:"primaryKey;autoIncrement:false"`
	UserID    int64 `json:"user_id,string" gorm:"primaryKey;autoIncrement:false"`
	StationID int64 `json:"-"`
}

// TableName is where participants are kept.
func (EntryParticipant) TableName() string { return "shift_entry_participants" }

// MaxParticipants bounds the guards and volunteers on one patrol entry.
const MaxParticipants = 10

// Limits of shift texts.
const (
	MaxEntryText    = 2000
	MaxHandoverText = 4000
)

// NewEntry is what an officer or head adds to a shift's log.
type NewEntry struct {
	Kind         string
	Text         string
	Corrects     int64
	WrittenAt    *time.Time
	Participants []int64 // patrol entries: the guards and volunteers along
}

// Validate checks an entry written by someone of role.
func (e *NewEntry) Validate(role Role, now time.Time) error {
	e.Text = strings.TrimSpace(e.Text)
	switch {
	case role == RoleHead && e.Kind != EntryHeadNote:
		return Errorf(EINVALID, "a head adds kind head_note")
	case role == RoleOfficer && !slices.Contains(OfficerEntryKinds, e.Kind):
		return Errorf(EINVALID, "kind must be one of patrol, visit, fraud_talk, visitor, note").WithField("kind")
	case e.Text == "" || utf8.RuneCountInString(e.Text) > MaxEntryText:
		return Errorf(EINVALID, "text must be 1 to %d characters", MaxEntryText).WithField("text")
	case e.WrittenAt != nil && e.WrittenAt.After(now.Add(5*time.Minute)):
		return Errorf(EINVALID, "written_at is in the future").WithField("written_at")
	case e.WrittenAt != nil && e.WrittenAt.Before(now.Add(-7*24*time.Hour)):
		return Errorf(EINVALID, "written_at is more than 7 days ago").WithField("written_at")
	case len(e.Participants) > 0 && e.Kind != EntryPatrol:
		return Errorf(EINVALID, "participants go with kind patrol")
	case len(e.Participants) > MaxParticipants:
		return Errorf(EINVALID, "at most %d participants", MaxParticipants)
	}
	return nil
}

// ClockIn is an officer starting a shift at a booth.
type ClockIn struct {
	OfficerID int64
	BoothID   int64
	Lat, Lng  *float64
	Window    int // the counter window; 0: DefaultWindow
}

// CoverageGap is a spell in which nobody was clocked in at a booth for
// longer than its grace period.
type CoverageGap struct {
	ID        int64      `json:"id,string" gorm:"primaryKey"`
	StationID int64      `json:"station_id,string"`
	BoothID   int64      `json:"booth_id,string"`
	StartedAt time.Time  `json:"started_at"`         // when the last officer left
	EndedAt   *time.Time `json:"ended_at,omitempty"` // when someone clocked in again
	CreatedAt time.Time  `json:"created_at"`         // when it was found and reported
}

// MinutesIn is how much of the gap lies in the period [from, to), counted
// up to now for a gap still open, in whole minutes (rounded), and whether
// it counts in the period at all: a gap that only touches the period by
// less than a minute does not. The review's figures and its list of gaps
// both use it, so they agree.
func (g CoverageGap) MinutesIn(from, to, now time.Time) (int, bool) {
	stop := to
	if now.Before(stop) {
		stop = now
	}
	if g.EndedAt != nil && g.EndedAt.Before(stop) {
		stop = *g.EndedAt
	}
	start := g.StartedAt
	if start.Before(from) {
		start = from
	}
	d := stop.Sub(start)
	if d < time.Minute {
		return 0, false
	}
	return int(d.Round(time.Minute) / time.Minute), true
}

// ShiftFilter narrows the shifts of a station.
type ShiftFilter struct {
	StationID int64
	BoothID   int64
	OfficerID int64
	From, To  time.Time // shifts that overlap [From, To)
	Before    int64     // cursor: only shifts with a lower id
	Limit     int
	// OldestFirst lists in the order the shifts began (ascending ids),
	// from the cursor After on.
	OldestFirst bool
	After       int64
	Entries     bool // load each shift's log too
}

// ShiftService keeps shifts, their logs and the booths' coverage.
type ShiftService interface {
	// StartShift clocks an active officer in at a booth of their station;
	// ECONFLICT when they are already on a shift.
	StartShift(ctx context.Context, in ClockIn, now time.Time) (*Shift, error)
	// EndShift clocks the officer out with a handover note; ECONFLICT when
	// they are not on a shift.
	EndShift(ctx context.Context, officerID int64, handover string, now time.Time) (*Shift, error)
	// CurrentShift is the officer's open shift with its log, or ENOTFOUND.
	CurrentShift(ctx context.Context, officerID int64) (*Shift, error)
	// OpenShift is the officer's open shift without its log, or
	// ENOTFOUND: one indexed read, for pages that only ask where they are.
	OpenShift(ctx context.Context, officerID int64) (*Shift, error)
	// FindShift returns a shift of the station with its entries.
	FindShift(ctx context.Context, stationID, id int64) (*Shift, error)
	// ListShifts returns shifts matching f, newest first unless f asks
	// for the oldest first.
	ListShifts(ctx context.Context, f ShiftFilter) ([]Shift, error)
	// AddEntry appends an entry to a shift's log; ECONFLICT once sealed
	// (except a head's note) or when the officer is not the shift's.
	AddEntry(ctx context.Context, stationID, shiftID int64, author Claims, e NewEntry, now time.Time) (*ShiftEntry, error)
	// SignOff seals a finished shift's log.
	SignOff(ctx context.Context, stationID, shiftID int64, head Actor, comment string, now time.Time) (*Shift, error)
	// AcknowledgeHandover records that an officer on duty at the booth read
	// the handover note of an earlier shift.
	AcknowledgeHandover(ctx context.Context, stationID, shiftID, officerID int64, now time.Time) (*Shift, error)
	// OpenHandover is the latest unacknowledged handover at a booth, or ENOTFOUND.
	OpenHandover(ctx context.Context, boothID, officerID int64) (*Shift, error)
	// OnDuty lists the open shifts at a booth.
	OnDuty(ctx context.Context, boothID int64) ([]Shift, error)
	// FindGaps opens a gap for every booth nobody has covered for longer
	// than its grace, once whichever instance asks, and returns the new ones.
	FindGaps(ctx context.Context, now time.Time) ([]CoverageGap, error)
	// ListGaps returns a station's gaps that overlap [from, to).
	ListGaps(ctx context.Context, stationID, boothID int64, from, to time.Time) ([]CoverageGap, error)
}

// FigureQuery picks what a review's figures count: a station's (or one
// booth's) calls, requests and gaps in [From, To), the entries of Shifts,
// and hours and days in the station's time zone.
type FigureQuery struct {
	StationID int64
	BoothID   int64
	From, To  time.Time
	// Entries counts the log entries of the shifts that overlap the
	// period (at the booth when one is given, of OfficerID when set);
	// ShiftID counts one shift's instead.
	Entries   bool
	OfficerID int64
	ShiftID   int64
	Zone      *time.Location
	Now       time.Time // what "still open" is measured to; zero: the clock
}

// Figures are how fast and how much a booth served in a period.
type Figures struct {
	Calls              int            `json:"calls"`
	Acknowledged       int            `json:"acknowledged"`
	AckMedianS         *int           `json:"ack_median_s,omitempty"` // seconds from call to acknowledgement
	AckWorstS          *int           `json:"ack_worst_s,omitempty"`
	RequestsCompleted  int            `json:"requests_completed"`
	RequestsPastTarget int            `json:"requests_past_target"` // completed late, or still open past target at the end
	Gaps               int            `json:"gaps"`
	GapMinutes         int            `json:"gap_minutes"`
	Entries            map[string]int `json:"entries"`  // by kind
	Handoffs           map[string]int `json:"handoffs"` // calls handed to 110, 120, 119, by number
	ByHour             []Bucket       `json:"by_hour"`  // 24, local hours
	ByDay              []Bucket       `json:"by_day"`   // each local day of the period
	Visits             CounterFigures `json:"visits"`   // the counter's visits
	Ratings            RatingFigures  `json:"ratings"`  // 好差评
}

// Bucket is one bar of a chart: calls in an hour or day and their median
// time to acknowledge.
type Bucket struct {
	Label      string `json:"label"`
	Calls      int    `json:"calls"`
	AckMedianS *int   `json:"ack_median_s,omitempty"`
}

// LocalDays lists the local dates (YYYY-MM-DD in zone) that the period
// [from, to) touches, from the day from falls on: a night shift from 20:00
// to 08:00 touches two.
func LocalDays(from, to time.Time, zone *time.Location) []string {
	var days []string
	if !from.Before(to) {
		return nil
	}
	f := from.In(zone)
	for d := time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, zone); d.Before(to); d = d.AddDate(0, 0, 1) {
		days = append(days, d.Format(time.DateOnly))
	}
	return days
}
