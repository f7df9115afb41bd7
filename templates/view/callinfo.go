package view

// CallInfo is what the staff of a call's station see to act on it: who is
// calling and how to reach them, what their safety profile asks, where
// they are on the maps people use, and the hand-off to 110/120/119. The
// caller's own page gets only Handoffs and ProfileURL.
type CallInfo struct {
	CallID string

	// Caller identity, for staff only; empty once the caller deleted their account.
	CallerName  string
	CallerPhone string // shown, and rung through TelURL
	TelURL      string
	ElderMode   bool

	// The safety profile, while the call is open.
	LivesAlone   bool
	Reminders    []string // one per need, e.g. "hearing: text only"
	MedicalNotes string
	Contacts     []string // "name (relation) phone"

	// Where the caller is.
	Place    string // distance and compass direction from the booth, or ""
	Accuracy string
	AMapURL  string // GCJ-02
	BaiduURL string // BD-09
	GeoURL   string // WGS-84
	Trail    []TrailRow

	// Hand-offs made, and the form to make one (staff).
	Handoffs   []string
	CanHandOff bool
	HandoffTo  []Option
	ProfileURL string // the caller's page: where to fill in the safety profile, when they have none
	Staff      bool
}

// TrailRow is one earlier position of the caller.
type TrailRow struct {
	At, Text string
}

// SafetyProfilePage is the resident's form for their safety profile.
type SafetyProfilePage struct {
	MedicalNotes   string
	LivesAlone     bool
	Needs          []Option
	Contacts       []ContactRow // always three rows, blank ones to fill in
	NotifyContacts bool
	Errors         Errors
	Saved          bool
}

// ContactRow is one emergency contact of the form.
type ContactRow struct {
	N                     string // 1, 2, 3: the fields' suffix
	Name, Phone, Relation string
}

// SafetyTimerPage is the resident's safety timer (安全守护): the running
// timer's countdown and "I'm safe" button, else the form to start one.
type SafetyTimerPage struct {
	Running        bool
	ID             string
	Note           string
	DueAt, FireAt  string // RFC 3339, read by the countdown script
	DueLocal       string // when it runs out, local time
	CheckedIn      bool
	Minutes        []int // the quick choices
	Errors         Errors
	IdempotencyKey string
}
