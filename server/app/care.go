package app

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Reasons a resident is on the care register (关爱名册).
var CareReasons = []string{"lives_alone", "elderly", "disability", "recent_fraud_victim", "other"}

// Cadences of planned visits and the days between two visits.
var careCadenceDays = map[string]int{"weekly": 7, "fortnightly": 14, "monthly": 30}

// CareCadences are the cadences a resident may ask for, shortest first.
var CareCadences = []string{"weekly", "fortnightly", "monthly"}

// Who consented to an enrolment: the resident, or a named family member.
const (
	ConsentResident = "resident"
	ConsentFamily   = "family"
)

// NotHomeRetryDays is how soon a resident who was not home is due again.
const NotHomeRetryDays = 2

// Limits of care texts.
const (
	MaxCareNote           = 1000
	MaxCarePreferredTimes = 200
)

// CareEnrolment is a resident on the station's care register: why, how
// often an officer visits, and who consented to it.
type CareEnrolment struct {
	ID             int64     `json:"id,string" gorm:"primaryKey"`
	StationID      int64     `json:"station_id,string"`
	BoothID        int64     `json:"booth_id,string"`
	ResidentID     int64     `json:"resident_id,string"`
	ReasonCodes    string    `json:"-" gorm:"column:reasons"` // comma-separated CareReasons
	Reasons        []string  `json:"reasons" gorm:"-"`
	Cadence        string    `json:"cadence"`
	PreferredTimes string    `json:"preferred_times,omitempty"`
	Note           string    `json:"note,omitempty"`
	ConsentBy      string    `json:"consent_by"`             // resident or family
	ConsentName    string    `json:"consent_name,omitempty"` // the family member who consented
	ConsentAt      time.Time `json:"consent_at"`
	EnrolledBy     int64     `json:"enrolled_by,string"` // the resident, or the officer who recorded the consent
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// NewEnrolment is a request to put a resident on the care register.
type NewEnrolment struct {
	ResidentID     int64
	BoothID        int64 // 0: the resident's home booth
	Reasons        []string
	Cadence        string
	PreferredTimes string
	Note           string
	ConsentBy      string // set by staff; a resident's own enrolment is their consent
	ConsentName    string
	EnrolledBy     int64
	ByStaff        bool
}

// Validate checks an enrolment and tidies its texts.
func (n *NewEnrolment) Validate() error {
	n.PreferredTimes = strings.TrimSpace(n.PreferredTimes)
	n.Note = strings.TrimSpace(n.Note)
	n.ConsentName = strings.TrimSpace(n.ConsentName)
	if len(n.Reasons) == 0 {
		return Errorf(EINVALID, "reasons: at least one of %s", strings.Join(CareReasons, ", ")).WithField("reasons")
	}
	seen := map[string]bool{}
	for _, r := range n.Reasons {
		if !slices.Contains(CareReasons, r) || seen[r] {
			return Errorf(EINVALID, "reasons: each one of %s, once", strings.Join(CareReasons, ", ")).WithField("reasons")
		}
		seen[r] = true
	}
	if _, ok := careCadenceDays[n.Cadence]; !ok {
		return Errorf(EINVALID, "cadence: one of %s", strings.Join(CareCadences, ", ")).WithField("cadence")
	}
	if err := checkText("preferred_times", n.PreferredTimes, MaxCarePreferredTimes); err != nil {
		return err
	}
	if err := checkText("note", n.Note, MaxCareNote); err != nil {
		return err
	}
	if !n.ByStaff {
		n.ConsentBy, n.ConsentName = ConsentResident, ""
		return nil
	}
	switch n.ConsentBy {
	case ConsentResident:
		n.ConsentName = ""
	case ConsentFamily:
		if n.ConsentName == "" {
			return Errorf(EINVALID, "consent_name: the family member who consented").WithField("consent_name")
		}
		if err := checkText("consent_name", n.ConsentName, 50); err != nil {
			return err
		}
	default:
		return Errorf(EINVALID, "consent_by: resident or family (with consent_name)").WithField("consent_by")
	}
	return nil
}

// checkText refuses text that is too long or holds control characters.
func checkText(field, s string, max int) error {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		return Errorf(EINVALID, "%s: at most %d characters", field, max)
	}
	for _, r := range s {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
			return Errorf(EINVALID, "%s: no control characters", field)
		}
	}
	return nil
}

// Outcomes of a visit and the resident's wellbeing found there.
const (
	VisitVisited  = "visited"
	VisitNotHome  = "not_home"
	VisitDeclined = "declined"

	WellbeingGood      = "good"
	WellbeingNeedsHelp = "needs_help"
	WellbeingUrgent    = "urgent"
)

// VisitOutcomes and Wellbeings are the values a visit may record.
var (
	VisitOutcomes = []string{VisitVisited, VisitNotHome, VisitDeclined}
	Wellbeings    = []string{WellbeingGood, WellbeingNeedsHelp, WellbeingUrgent}
)

// CareVisit is one planned visit an officer made (or tried to make) to a
// resident on the care register.
type CareVisit struct {
	ID                int64      `json:"id,string" gorm:"primaryKey"`
	StationID         int64      `json:"station_id,string"`
	BoothID           int64      `json:"booth_id,string"`
	EnrolmentID       *int64     `json:"enrolment_id,string,omitempty"` // nil once the resident left the register
	ResidentID        int64      `json:"resident_id,string"`
	OfficerID         int64      `json:"officer_id,string"`
	OfficerName       string     `json:"officer_name" gorm:"-"`
	ShiftID           int64      `json:"shift_id,string"`
	Outcome           string     `json:"outcome"`
	Wellbeing         string     `json:"wellbeing,omitempty"`
	FraudWarningGiven bool       `json:"fraud_warning_given"`
	Note              string     `json:"note,omitempty"`
	CallID            *int64     `json:"call_id,string,omitempty"` // the call an urgent visit opened
	FollowUp          bool       `json:"follow_up"`                // needs_help: on the booth's list until closed
	FollowUpClosedAt  *time.Time `json:"follow_up_closed_at,omitempty"`
	VisitedAt         time.Time  `json:"visited_at"`           // the device's clock when written offline, else when received
	WrittenAt         *time.Time `json:"written_at,omitempty"` // the device's clock, for a visit written offline
	CreatedAt         time.Time  `json:"created_at"`
}

// NewVisit is what an officer records after a visit.
type NewVisit struct {
	EnrolmentID       int64
	OfficerID         int64
	Outcome           string
	Wellbeing         string
	FraudWarningGiven bool
	Note              string
	WrittenAt         *time.Time
}

// Validate checks a visit: the wellbeing is found only when the officer
// saw the resident.
func (v *NewVisit) Validate(now time.Time) error {
	v.Note = strings.TrimSpace(v.Note)
	if !slices.Contains(VisitOutcomes, v.Outcome) {
		return Errorf(EINVALID, "outcome: one of %s", strings.Join(VisitOutcomes, ", ")).WithField("outcome")
	}
	switch {
	case v.Outcome == VisitVisited && !slices.Contains(Wellbeings, v.Wellbeing):
		return Errorf(EINVALID, "wellbeing: one of %s", strings.Join(Wellbeings, ", ")).WithField("wellbeing")
	case v.Outcome != VisitVisited && v.Wellbeing != "":
		return Errorf(EINVALID, "wellbeing: only for a visit where the resident was seen").WithField("wellbeing")
	case v.WrittenAt != nil && v.WrittenAt.After(now.Add(5*time.Minute)):
		return Errorf(EINVALID, "written_at is in the future").WithField("written_at")
	case v.WrittenAt != nil && v.WrittenAt.Before(now.Add(-7*24*time.Hour)):
		return Errorf(EINVALID, "written_at is more than 7 days ago").WithField("written_at")
	}
	return checkText("note", v.Note, MaxCareNote)
}

// DueVisit is a resident on the register whose visit is due today or
// overdue, or who has an open follow-up.
type DueVisit struct {
	EnrolmentID    int64      `json:"enrolment_id,string"`
	ResidentID     int64      `json:"resident_id,string"`
	ResidentName   string     `json:"resident_name"`
	BoothID        int64      `json:"booth_id,string"`
	Reasons        []string   `json:"reasons"`
	Cadence        string     `json:"cadence"`
	PreferredTimes string     `json:"preferred_times,omitempty"`
	LastVisitAt    *time.Time `json:"last_visit_at,omitempty"`
	LastOutcome    string     `json:"last_outcome,omitempty"`
	DueOn          string     `json:"due_on"` // YYYY-MM-DD in the station's time zone
	Overdue        bool       `json:"overdue"`
	FollowUp       bool       `json:"follow_up"` // a needs_help visit not yet closed
}

// NextVisitDue is the local day a resident is next due a visit: at once
// when never visited, two days after a visit that found nobody home, else
// one cadence after the last visit.
func NextVisitDue(enrolledAt time.Time, cadence string, last *CareVisit, loc *time.Location) time.Time {
	day := func(t time.Time) time.Time {
		t = t.In(loc)
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	}
	if last == nil {
		return day(enrolledAt)
	}
	if last.Outcome == VisitNotHome {
		return day(last.VisitedAt).AddDate(0, 0, NotHomeRetryDays)
	}
	return day(last.VisitedAt).AddDate(0, 0, careCadenceDays[cadence])
}

// VisitFigures are a period's planned-visit figures for the head's review:
// visits done per booth and per officer, and who is due or overdue now.
type VisitFigures struct {
	Booths   []BoothVisits   `json:"booths"`
	Officers []OfficerVisits `json:"officers"`
}

// BoothVisits counts one booth's visits.
type BoothVisits struct {
	BoothID int64 `json:"booth_id,string"`
	Done    int64 `json:"done"`
	Due     int64 `json:"due"`     // due today, or with an open follow-up
	Overdue int64 `json:"overdue"` // past their due day
}

// OfficerVisits counts one officer's visits in the period.
type OfficerVisits struct {
	OfficerID int64 `json:"officer_id,string"`
	Done      int64 `json:"done"`
}
