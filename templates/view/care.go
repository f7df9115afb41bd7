package view

// CarePage is a resident's own page of the care register: the enrolment
// (or the form to join) and the visits made to them.
type CarePage struct {
	Flash          string
	Errors         Errors
	Enrolment      *CareEnrolment
	Reasons        []Option // to choose from when joining
	Cadences       []Option
	Visits         []VisitLine
	IdempotencyKey string
}

// CareEnrolment describes an enrolment for its resident.
type CareEnrolment struct {
	ID, Reasons, Cadence, PreferredTimes, Since, Consent string
}

// VisitLine is one visit as its resident reads it.
type VisitLine struct {
	Text, Note string
	Warning    bool // a fraud warning was given
}

// DueVisitRow is one resident due a visit, on the officer's shift page,
// with the form that records the visit.
type DueVisitRow struct {
	EnrolmentID, Name, Reasons, DueLabel, PreferredTimes, LastVisit string
	Overdue, FollowUp                                               bool
	IdempotencyKey                                                  string
}

// VisitFigures are the planned-visit counts of the head's review.
type VisitFigures struct {
	Booths   []BoothVisitRow
	Officers []Figure
}

// BoothVisitRow counts one booth's visits.
type BoothVisitRow struct {
	Booth, Done, Due, Overdue string
}
