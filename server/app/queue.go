package app

import (
	"context"
	"crypto/subtle"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Queue statuses of a request, besides the flow's others: called to a
// window by queue/next, and a booking nobody came for.
const (
	RequestCalled RequestStatus = "called"
	RequestNoShow RequestStatus = "no_show"
)

// Rules of the counter's queue.
const (
	BookingDays      = 14               // slots are bookable this many local days ahead, today included
	ArrivalRadiusM   = 300              // a resident arrives from within this distance of the booth
	NoShowAfter      = 15 * time.Minute // a booking not arrived this long after its slot starts is a no-show
	ReminderSoon     = 30 * time.Minute // the second reminder goes this long before the slot
	ReminderEveHour  = 18               // the first goes from 18:00 local the day before
	ServiceSamples   = 5                // finished visits of a service before its median replaces the target
	DefaultWindow    = 1                // an officer's counter window unless they give one at clock-in
	MaxWindow        = 99
	DisplayNext      = 5 // the display shows this many tickets after the one served
	MaxRatingComment = 500
	MaxRatingAnswer  = 1000
)

// Waiting reports whether a request is in its booth's line: arrived and
// not yet called.
func (r *ServiceRequest) Waiting() bool {
	return r.ArrivedAt != nil && (r.Status == RequestSubmitted || r.Status == RequestAccepted)
}

// Bookable reports whether a request's booking may be made, moved or
// dropped: before arrival while it waits for its visit, or after a no-show
// (booking again puts it back to submitted).
func (r *ServiceRequest) Bookable() bool {
	return r.ArrivedAt == nil && (r.Status == RequestSubmitted || r.Status == RequestAccepted || r.Status == RequestNoShow)
}

// OpeningRange is one span of a weekday in which the counter takes visits,
// in the station's zone, cut into slots.
type OpeningRange struct {
	Weekday     int    `json:"weekday"` // 1 Monday … 7 Sunday
	Opens       string `json:"opens"`   // HH:MM
	Closes      string `json:"closes"`
	SlotMinutes int    `json:"slot_minutes"`
	Capacity    int    `json:"capacity"`
}

// OpeningHours are a booth's weekly hours and the dates it is closed.
type OpeningHours struct {
	Weekly      []OpeningRange `json:"weekly"`
	ClosedDates []string       `json:"closed_dates"` // YYYY-MM-DD
}

// clockMinutes reads HH:MM as minutes after midnight.
func clockMinutes(s string) (int, bool) {
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// Validate checks the hours: known weekdays, ranges that open before they
// close and do not overlap on a day, slots of 5 to 240 minutes that fit the
// range, capacities of 1 to 100, real dates. EINVALID names the first
// problem. Closed dates come back sorted without repeats.
func (h *OpeningHours) Validate() error {
	if len(h.Weekly) > 7*6 {
		return Errorf(EINVALID, "weekly: at most 6 ranges a day").WithMessage("hours_invalid")
	}
	for i, r := range h.Weekly {
		opens, ok1 := clockMinutes(r.Opens)
		closes, ok2 := clockMinutes(r.Closes)
		switch {
		case r.Weekday < 1 || r.Weekday > 7:
			return Errorf(EINVALID, "weekly[%d].weekday: 1 (Monday) to 7 (Sunday)", i).WithMessage("hours_invalid")
		case !ok1 || !ok2:
			return Errorf(EINVALID, "weekly[%d]: opens and closes are times like 09:00", i).WithMessage("hours_invalid")
		case closes <= opens:
			return Errorf(EINVALID, "weekly[%d]: closes must be after opens", i).WithMessage("hours_invalid")
		case r.SlotMinutes < 5 || r.SlotMinutes > 240 || r.SlotMinutes > closes-opens:
			return Errorf(EINVALID, "weekly[%d].slot_minutes: 5 to 240, and no longer than the range", i).WithMessage("hours_invalid")
		case r.Capacity < 1 || r.Capacity > 100:
			return Errorf(EINVALID, "weekly[%d].capacity: 1 to 100 visits a slot", i).WithMessage("hours_invalid")
		}
		for j, o := range h.Weekly[:i] {
			oOpens, _ := clockMinutes(o.Opens)
			oCloses, _ := clockMinutes(o.Closes)
			if o.Weekday == r.Weekday && opens < oCloses && oOpens < closes {
				return Errorf(EINVALID, "weekly[%d] overlaps weekly[%d]", i, j).WithMessage("hours_invalid")
			}
		}
	}
	if len(h.ClosedDates) > 366 {
		return Errorf(EINVALID, "closed_dates: at most 366").WithMessage("hours_invalid")
	}
	for i, d := range h.ClosedDates {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return Errorf(EINVALID, "closed_dates[%d] is not a date like 2026-12-25", i).WithMessage("hours_invalid")
		}
	}
	slices.Sort(h.ClosedDates)
	h.ClosedDates = slices.Compact(h.ClosedDates)
	if h.ClosedDates == nil {
		h.ClosedDates = []string{}
	}
	if h.Weekly == nil {
		h.Weekly = []OpeningRange{}
	}
	slices.SortFunc(h.Weekly, func(a, b OpeningRange) int {
		if a.Weekday != b.Weekday {
			return a.Weekday - b.Weekday
		}
		return strings.Compare(a.Opens, b.Opens)
	})
	return nil
}

// ISOWeekday is t's weekday with Monday 1 and Sunday 7.
func ISOWeekday(t time.Time) int {
	if t.Weekday() == time.Sunday {
		return 7
	}
	return int(t.Weekday())
}

// Slots lists the slots the hours open on the local days from from's day
// for days days, skipping closed dates, in time order. A range's last
// piece shorter than a slot is not opened.
func (h OpeningHours) Slots(from time.Time, days int, loc *time.Location) []Slot {
	var out []Slot
	local := from.In(loc)
	y, m, d := local.Date()
	for i := range days {
		day := time.Date(y, m, d+i, 0, 0, 0, 0, loc)
		if slices.Contains(h.ClosedDates, day.Format(time.DateOnly)) {
			continue
		}
		for _, r := range h.Weekly {
			if r.Weekday != ISOWeekday(day) {
				continue
			}
			opens, _ := clockMinutes(r.Opens)
			closes, _ := clockMinutes(r.Closes)
			for at := opens; at+r.SlotMinutes <= closes; at += r.SlotMinutes {
				start := time.Date(day.Year(), day.Month(), day.Day(), at/60, at%60, 0, 0, loc)
				out = append(out, Slot{StartsAt: start, EndsAt: start.Add(time.Duration(r.SlotMinutes) * time.Minute), Capacity: r.Capacity})
			}
		}
	}
	slices.SortFunc(out, func(a, b Slot) int { return a.StartsAt.Compare(b.StartsAt) })
	return out
}

// RemindersDue says which of a booking's two reminders are due at now:
// the evening before (from 18:00 local on the previous day, for a slot on
// a later day than now's) and the one 30 minutes before. A slot already
// started needs neither.
func RemindersDue(start, now time.Time, loc *time.Location) (eve, soon bool) {
	if !now.Before(start) {
		return false, false
	}
	soon = !now.Before(start.Add(-ReminderSoon))
	ls, ln := start.In(loc), now.In(loc)
	eveAt := time.Date(ls.Year(), ls.Month(), ls.Day()-1, ReminderEveHour, 0, 0, 0, loc)
	laterDay := ls.Format(time.DateOnly) > ln.Format(time.DateOnly)
	eve = laterDay && !now.Before(eveAt) && !soon
	return eve, soon
}

// QueueEntry is a waiting request as the queue orders it.
type QueueEntry struct {
	RequestID    int64
	Ticket       string
	ArrivedAt    time.Time
	SkippedAt    *time.Time // passed over when called: back of the line from then
	SlotStartsAt *time.Time // its booking's start, if booked
	Services     []string
}

// OrderQueue sorts a booth's waiting requests into calling order: booked
// arrivals whose slot has started first, then everyone else by arrival (a
// skipped request counts as arriving when it was skipped), then by id.
func OrderQueue(q []QueueEntry, now time.Time) {
	key := func(e QueueEntry) (int, time.Time) {
		at := e.ArrivedAt
		if e.SkippedAt != nil {
			return 1, *e.SkippedAt
		}
		if e.SlotStartsAt != nil && !e.SlotStartsAt.After(now) {
			return 0, at
		}
		return 1, at
	}
	slices.SortStableFunc(q, func(a, b QueueEntry) int {
		pa, ta := key(a)
		pb, tb := key(b)
		if pa != pb {
			return pa - pb
		}
		if c := ta.Compare(tb); c != 0 {
			return c
		}
		return int(a.RequestID - b.RequestID)
	})
}

// ServiceMinutes is how long a service is expected to take at a booth:
// the median of its recent real service times once there are at least
// five, else the catalogue's target.
func ServiceMinutes(samples []float64, targetMinutes int) float64 {
	if len(samples) < ServiceSamples {
		return float64(targetMinutes)
	}
	return Median(samples)
}

// Median is the middle of xs (the mean of the two middle ones for an even
// count); 0 for none.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// WaitMinutes is the expected wait of someone behind requests expected to
// take ahead minutes in all, served at windows windows at once (at least
// one), to the nearest minute: an estimate, said as "about".
func WaitMinutes(ahead float64, windows int) int {
	if windows < 1 {
		windows = 1
	}
	return int(math.Round(ahead / float64(windows)))
}

// Arrival is a request's owner or an officer saying the visitor is at the
// booth. A resident proves it by their position or the booth's QR code.
type Arrival struct {
	ActorID  int64
	ByStaff  bool
	Lat, Lng *float64
	Code     string // from the booth's printed QR code
}

// CheckArrival says whether a resident is at a booth: within 300 m of it,
// or holding the code of its printed QR code. Staff need neither.
// EINVALID for half a position; EFORBIDDEN (arrival_far) otherwise.
func CheckArrival(a Arrival, b *Booth) error {
	if a.ByStaff {
		return nil
	}
	if (a.Lat == nil) != (a.Lng == nil) {
		return Errorf(EINVALID, "give lat and lng together")
	}
	if a.Code != "" && b.ArrivalCode != "" && subtle.ConstantTimeCompare([]byte(a.Code), []byte(b.ArrivalCode)) == 1 {
		return nil
	}
	if a.Lat != nil && DistanceM(b.Lat, b.Lng, *a.Lat, *a.Lng) <= ArrivalRadiusM {
		return nil
	}
	return Errorf(EFORBIDDEN, "you are not at the booth yet: come within %d m or scan the QR code at the counter", ArrivalRadiusM).WithMessage("arrival_far")
}

// WalkIn is a visitor without the app, filed by an officer at the counter.
type WalkIn struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

// Validate trims the name and normalises the phone. EINVALID names the
// problem.
func (w *WalkIn) Validate() error {
	w.Name = strings.TrimSpace(w.Name)
	if w.Name == "" || utf8.RuneCountInString(w.Name) > 50 {
		return Errorf(EINVALID, "walk_in.name needs 1 to 50 characters").WithMessage("walk_in_name")
	}
	p, err := NormalizePhone(w.Phone)
	if err != nil {
		return Errorf(EINVALID, "walk_in.phone is not a mobile number").WithMessage("walk_in_phone")
	}
	w.Phone = p
	return nil
}

// Rating is a resident's 好差评 of a finished visit, with the head's answer.
type Rating struct {
	ID          int64      `json:"id,string" gorm:"primaryKey"`
	RequestID   int64      `json:"request_id,string"`
	StationID   int64      `json:"-"`
	BoothID     int64      `json:"booth_id,string"`
	Score       int        `json:"score"`
	Comment     string     `json:"comment,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	Response    string     `json:"response,omitempty"`
	ResponderID *int64     `json:"responder_id,string,omitempty"`
	RespondedAt *time.Time `json:"responded_at,omitempty"`
}

// NeedsAnswer reports whether a rating is bad (1 or 2), which the head must answer.
func (r *Rating) NeedsAnswer() bool { return r.Score <= 2 }

// CheckRating checks a score of 1 (非常不满意) to 5 (非常满意) and its
// comment, required for 1 and 2. EINVALID names the problem.
func CheckRating(score int, comment string) error {
	switch {
	case score < 1 || score > 5:
		return Errorf(EINVALID, "score: 1 to 5").WithMessage("rating_score")
	case score <= 2 && strings.TrimSpace(comment) == "":
		return Errorf(EINVALID, "comment: say what went wrong; a rating of 1 or 2 needs a comment").WithMessage("rating_comment_required")
	case utf8.RuneCountInString(comment) > MaxRatingComment:
		return Errorf(EINVALID, "comment: at most %d characters", MaxRatingComment).WithMessage("text_too_long", "Max", MaxRatingComment)
	}
	return nil
}

// DisplayKey opens a booth's display (叫号屏) without signing in.
type DisplayKey struct {
	ID        int64      `json:"id,string" gorm:"primaryKey"`
	StationID int64      `json:"-"`
	BoothID   int64      `json:"booth_id,string"`
	KeyHash   string     `json:"-"`
	CreatedBy *int64     `json:"created_by,string,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// QueueTicket is a ticket as the display and the line show it: no names.
type QueueTicket struct {
	RequestID  int64  `json:"-"`
	Ticket     string `json:"ticket"`
	Window     int    `json:"window,omitempty"`
	ETAMinutes int    `json:"eta_minutes"`
}

// QueueState is a booth's line now: the tickets being served (latest call
// first) and the waiting ones in calling order with their expected waits.
type QueueState struct {
	BoothID int64         `json:"booth_id,string"`
	Serving []QueueTicket `json:"serving"`
	Waiting []QueueTicket `json:"waiting"`
}

// Place returns a waiting request's place in line (1 = next) and its
// expected wait; ok is false when it is not waiting.
func (q *QueueState) Place(requestID int64) (position, eta int, ok bool) {
	for i, t := range q.Waiting {
		if t.RequestID == requestID {
			return i + 1, t.ETAMinutes, true
		}
	}
	return 0, 0, false
}

// CounterFigures are the counter's visits of a period.
type CounterFigures struct {
	Visits             int             `json:"visits"`               // completed after arriving
	MedianWaitMinutes  *float64        `json:"median_wait_minutes"`  // arrival to call
	MedianVisitMinutes *float64        `json:"median_visit_minutes"` // arrival to completion
	WithinTargetShare  *float64        `json:"within_target_share"`  // visits done within the station's visit target
	TargetMinutes      int             `json:"target_minutes"`       // that target
	NoShows            int             `json:"no_shows"`             // bookings nobody came for
	ServiceMinutes     []ServiceMedian `json:"service_minutes"`      // call to completion, per service
}

// ServiceMedian is the median service time of one service in a period.
type ServiceMedian struct {
	Code    string  `json:"code"`
	Visits  int     `json:"visits"`
	Minutes float64 `json:"median_minutes"`
}

// RatingFigures count a period's ratings; who gave them is not among them.
type RatingFigures struct {
	Count        int            `json:"count"`
	Satisfaction *float64       `json:"satisfaction"` // share of 4 and 5
	ByScore      map[string]int `json:"by_score"`     // "1" … "5"
	Unanswered   int            `json:"unanswered"`   // bad ratings (1, 2) the head has not answered
}

// QueueService is the counter's queue: hours and slots, bookings,
// arrivals and tickets, calling, the display and ratings.
type QueueService interface {
	// OpeningHours returns a booth's hours (empty when it has none).
	OpeningHours(ctx context.Context, boothID int64) (*OpeningHours, error)
	// SetOpeningHours replaces a booth's hours and opens its slots for the
	// coming days; unbooked generated slots the hours no longer hold go.
	SetOpeningHours(ctx context.Context, actor Actor, boothID int64, h OpeningHours) error
	// OpenSlots opens the generated slots of every booth with hours for
	// the coming days; it returns how many it added.
	OpenSlots(ctx context.Context, now time.Time) (int, error)
	// Book books, moves (slotID set) or drops (nil) a request's slot.
	// ECONFLICT when the slot is full or the request is past booking.
	Book(ctx context.Context, id int64, scope RequestFilter, actorID int64, slotID *int64) (*ServiceRequest, error)
	// Arrive records that the visitor is at the booth and issues the ticket.
	Arrive(ctx context.Context, id int64, scope RequestFilter, a Arrival) (*ServiceRequest, error)
	// CallNext calls the booth's next waiting request to the officer's window.
	CallNext(ctx context.Context, boothID int64, officer Actor) (*ServiceRequest, error)
	// Recall announces a called request again; Skip passes it over.
	Recall(ctx context.Context, id int64, scope RequestFilter, officer Actor) (*ServiceRequest, error)
	Skip(ctx context.Context, id int64, scope RequestFilter, officer Actor) (*ServiceRequest, error)
	// Queue returns a booth's line now.
	Queue(ctx context.Context, boothID int64) (*QueueState, error)
	// MarkNoShows closes bookings not arrived 15 minutes after their start.
	MarkNoShows(ctx context.Context, now time.Time) ([]ServiceRequest, error)
	// RemindBookings queues the reminders that are due.
	RemindBookings(ctx context.Context, now time.Time) (int, error)
	// Rate stores the resident's rating of a completed request; ECONFLICT
	// for a second one or an unfinished request.
	Rate(ctx context.Context, id int64, residentID int64, score int, comment string) (*Rating, error)
	// AnswerRating stores the head's answer to a rating of their station.
	AnswerRating(ctx context.Context, actor Actor, ratingID int64, text string) (*Rating, error)
	// RatingOf returns a request's rating, ENOTFOUND when it has none.
	RatingOf(ctx context.Context, requestID int64) (*Rating, error)
	// ListRatings returns a station's ratings, newest first; bad unanswered ones only if asked.
	ListRatings(ctx context.Context, stationID int64, unansweredOnly bool, before int64, limit int) ([]Rating, error)
	// CreateDisplayKey makes a key for a booth's display and returns it once.
	CreateDisplayKey(ctx context.Context, actor Actor, boothID int64) (*DisplayKey, string, error)
	// RevokeDisplayKey revokes a display key of the head's station.
	RevokeDisplayKey(ctx context.Context, actor Actor, boothID, keyID int64) error
	// ListDisplayKeys returns a booth's display keys.
	ListDisplayKeys(ctx context.Context, boothID int64) ([]DisplayKey, error)
	// ArrivalCode returns the code of a booth's printed arrival QR code.
	ArrivalCode(ctx context.Context, actor Actor, boothID int64) (string, error)
	// SetVisitTarget sets a station's visit target, arrival to completion.
	SetVisitTarget(ctx context.Context, actor Actor, stationID int64, minutes int) error
	// CheckDisplayKey returns ENOTFOUND unless key opens the booth's display.
	CheckDisplayKey(ctx context.Context, boothID int64, key string) error
}
