package view

// Display is a booth's calling screen (叫号屏): tickets and windows only.
type Display struct {
	Lang      string
	Title     string // the booth's name as the screen heads it
	CSS, JS   string
	Icon      string
	StateURL  string // the line as JSON, read again on every change
	EventsURL string // the booth's stream of changes
	Serving   *DisplayTicket
	Next      []string // the next tickets, at most five
	Earlier   []DisplayTicket
}

// DisplayTicket is a ticket called to a window.
type DisplayTicket struct {
	Ticket string `json:"ticket"`
	Window int    `json:"window"`
}

// RequestQueue is a request's place at the counter as its page shows it:
// ticket, place in line, booking, arrival, calling and rating.
type RequestQueue struct {
	ID         string
	Ticket     string // empty before arrival
	Waiting    bool
	Position   int // 1 = next
	Ahead      int
	ETA        int
	Called     bool
	Window     int
	Staff      bool
	CanArrive  bool // staff: mark the visitor arrived
	ArriveHint bool // resident: scan the booth's QR code or come near
	CanBook    bool
	Booking    string   // the booked time, if any
	Slots      []Option // times to book or move to
	CanCall    bool     // an officer on duty here: recall or skip a called request
	CanRate    bool
	Rating     *RatingView
}

// RatingView is a visit's rating with the head's answer.
type RatingView struct {
	ID        string
	Score     int
	Label     string
	Comment   string
	Response  string
	CanAnswer bool // a head, for a bad rating not yet answered
}

// RatingChoice is one of the five levels of 好差评.
type RatingChoice struct {
	Score int
	Label string
}

// QueueDesk is the officer's counter controls on the queue page.
type QueueDesk struct {
	BoothID string
	Booth   string
	OnDuty  bool // clocked in at a booth: call the next number there
	Waiting []string
	Serving []DisplayTicket
}

// ArrivePage is where a booth's printed QR code takes a resident.
type ArrivePage struct {
	BoothID  string
	Booth    string
	Code     string
	Requests []Option // their requests at the booth not yet arrived
	Error    string
}

// CounterPage is a head's page for the counter: hours, display keys, the
// arrival QR code, bad ratings to answer.
type CounterPage struct {
	Booths       []CounterBooth
	Unanswered   []UnansweredRating
	Flash, Error string
	NewKeyURL    string // shown once after a display key is made
	VisitTarget  int    // minutes from arrival to completion
}

// CounterBooth is one booth's counter settings.
type CounterBooth struct {
	ID          string
	Name        string
	Hours       []HoursRow // one per weekday, Monday first
	ClosedDates string     // comma-separated
	ArrivalURL  string
	QRCode      string // an SVG data URL of ArrivalURL
	Keys        []DisplayKeyRow
}

// HoursRow is one weekday's opening range in the hours form.
type HoursRow struct {
	Weekday     int
	Label       string
	Opens       string
	Closes      string
	SlotMinutes int
	Capacity    int
}

// DisplayKeyRow is a display key in the head's list.
type DisplayKeyRow struct {
	ID      string
	Created string
	Revoked bool
}

// UnansweredRating is a bad rating waiting for the head's answer; who gave
// it is not shown.
type UnansweredRating struct {
	ID        string
	RequestID string
	Score     int
	Comment   string
	At        string
}
