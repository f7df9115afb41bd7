package view

// ShiftPage is the officer's tablet page for the current shift: clock in
// or out, the handover to acknowledge, the log growing live, quick entries
// and the switch of the acting officer.
type ShiftPage struct {
	Flash      string
	Errors     Errors
	Officer    string   // who is acting on this tablet
	Booths     []Option // where to clock in
	Shift      *ShiftHead
	Handover   *Handover // the booth's open handover, to acknowledge
	Entries    []EntryRow
	EntryKinds []Option
	Responders []Option // guards and volunteers who may go along on a patrol
	// VolunteersVisible: the booth's callers see that a community volunteer
	// is on the way (offered while the station has guards or volunteers).
	VolunteersVisible bool
	IdempotencyKey    string
	Colleagues        []Option // officers of the station who may take the tablet over
	HasPin            bool
	DueVisits         []DueVisitRow // today's planned visits at the shift's booth
}

// ShiftHead describes one shift.
type ShiftHead struct {
	ID, Booth, Officer, Started, Ended, Status, StatusLabel string
	Distance                                                string // "1.2 km from the booth", or ""
	Far                                                     bool
	Handover, HandoverAck                                   string
	SignedOff, SignOffComment                               string
}

// Handover is a note left at clock-out for the next officer.
type Handover struct {
	ShiftID, Officer, At, Note string
}

// EntryRow is one entry of a shift log, with the corrections that point
// at it shown beneath it.
type EntryRow struct {
	ID, At, WrittenAt, Kind, KindLabel, Text, Who, Link string
	Participants                                        string // the guards and volunteers along on a patrol
	System, HeadNote, CanCorrect                        bool
	Corrections                                         []EntryRow
}

// ShiftReview is the head's review of a period's shifts.
type ShiftReview struct {
	Booths, Officers []Option
	From, To         string
	Figures          []Figure
	Charts           []Chart
	Shifts           []ShiftHead
	Gaps             []GapRow
	Visits           VisitFigures // planned visits: done in the period, due and overdue now
	CSVURL, NextURL  string
	SelfURL          string // this review, fetched again when a gap opens
	Errors           Errors
}

// Figure is one labelled number of a review.
type Figure struct {
	Label, Value string
}

// GapRow is one coverage gap.
type GapRow struct {
	Booth, From, To, Minutes string
}

// Chart is a bar chart drawn as SVG, with the same figures as a table for
// screen readers.
type Chart struct {
	ID, Title, Unit string
	Bars            []Bar
	Max             int
}

// Bar is one bar of a chart: its value and the text a person reads.
type Bar struct {
	Label string
	Value int
	Text  string
}

// ShiftDetail is one shift for the head (or the officer who worked it):
// its head, handover, figures and full log.
type ShiftDetail struct {
	Flash          string
	Errors         Errors
	Shift          ShiftHead
	Figures        []Figure
	Charts         []Chart
	Entries        []EntryRow
	EntryKinds     []Option
	Responders     []Option // guards and volunteers who may go along on a patrol
	CanSignOff     bool
	CanHeadNote    bool
	CanWrite       bool // the shift's own officer, not sealed
	Sealed         bool
	IdempotencyKey string
}
