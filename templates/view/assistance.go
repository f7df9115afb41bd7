package view

// HelpPage is the resident's page to call for help.
type HelpPage struct {
	Categories     []Option
	Errors         Errors
	IdempotencyKey string
	BoothPhone     string // dialled when there is no network
	Medical        bool   // the refused call was medical: 120 beside 110
}

// CallPage is one assistance call as its caller or an officer sees it.
type CallPage struct {
	ID          string
	Status      string
	StatusLabel string
	Steps       []CallStep // the way from sent to arrived, for the caller
	Category    string
	Message     string
	Silent      bool
	Age         string
	Booth       string
	Location    string // coordinates with accuracy, or "unknown"
	MapURL      string // opens the device's maps app
	Officer     string // who acknowledged
	BadgeNo     string // the acknowledging officer's badge number, for the caller to check
	Escalation  int
	Repeated    int  // the caller's calls this hour when past the bound, else 0
	Medical     bool // 120 is offered beside 110
	Resolved    bool
	// VolunteerOnTheWay: a guard or volunteer answered and the booth lets
	// its callers know.
	VolunteerOnTheWay bool
	Outcome           string // the officer's note when resolving
	Messages          []CallMessageRow
	Timeline          []TimelineRow
	Caller            bool // the page is the caller's
	CanCancel         bool
	Actions           []RequestAction // the officer's next steps
	CanMessage        bool
	Error             string
	MessageKey        string    // Idempotency-Key of the message form
	Info              *CallInfo // caller, profile, place and hand-offs (callinfo.go)
	Photos            []CallPhotoRow
	CanAddPhoto       bool   // the caller, or the officer who took it, while it is open
	PhotoKey          string // Idempotency-Key of the photo form
}

// CallPhotoRow is one photo of a call: its thumbnail links to the display
// copy.
type CallPhotoRow struct {
	URL, ThumbURL, Alt string
}

// CallStep is one step of a call's progress.
type CallStep struct {
	Label string
	Done  bool
}

// CallMessageRow is one message of the thread.
type CallMessageRow struct {
	Who, At, Text string
	Mine          bool
}

// BoardPage is the officer's live board of open calls.
type BoardPage struct {
	Calls  []CallRow
	Staff  bool   // an officer, who clocks in (heads do not)
	OnDuty string // the booth the officer is clocked in at, or ""
	Flash  string
}

// CallRow is one open call on the board.
type CallRow struct {
	ID, Category, Message, Age, Location, MapURL, Distance, Status, StatusLabel, Officer string
	Unacknowledged                                                                       bool
	Escalation                                                                           int
	Silent                                                                               bool
	Repeated                                                                             int       // the caller's calls this hour when past the bound, else 0
	Info                                                                                 *CallInfo // caller, profile, place and hand-offs (callinfo.go)
}
