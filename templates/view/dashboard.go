package view

// Dashboard is the head's home: the station at a glance.
type Dashboard struct {
	Name string
	// Urgent is what needs someone now, first on the page: calls nobody
	// has taken, booths nobody covers, dark tablets.
	Urgent []Attention
	// UrgentKeys names the urgent items, so the page sounds once for each
	// new one.
	UrgentKeys string
	Booths     []DashboardBooth
	Calls      []DashboardCall // the open calls already taken
	Today      []DashboardFigure
	Queue      []DashboardFigure
	Alerts     []DashboardFigure
	Charts     []Chart // the last 7 days: calls and time to acknowledge
	Links      []Link  // the head's other pages
}

// Attention is one thing that needs action now.
type Attention struct {
	Kind string // call, uncovered, dark
	Key  string // stable while the thing lasts
	Text string
	Href string
	Link string // the link's words
}

// DashboardBooth is one booth now.
type DashboardBooth struct {
	Name     string
	OnDuty   string // "李明 since 08:02", or ""
	Status   string // covered, uncovered, dark
	StatusOf string // the status in words
	Gap      string // the open gap in words, or ""
	Href     string
}

// DashboardCall is an open call someone has taken.
type DashboardCall struct {
	ID, Booth, Category, StatusLabel, Age, Href string
	Escalation                                  int
}

// DashboardFigure is one figure with where it is handled.
type DashboardFigure struct {
	Label, Value, Href string
	Warn               bool // not zero where zero is good
}

// Link is one of the head's other pages.
type Link struct {
	Href, Title, Text string
}

// TabletHome is the booth tablet's one screen for an officer: the call
// board, the queue's next people, and the shift with its handover and
// quick log.
type TabletHome struct {
	Name           string
	Board          BoardPage
	Queue          []RequestRow // the next people, the longest waiting first
	QueueMore      int          // how many more wait
	Shift          *ShiftHead   // nil: not clocked in
	Booths         []Option     // where to clock in
	Handover       *Handover
	QuickKinds     []Option // one button each: the kind and its usual text
	IdempotencyKey string
	Links          []Link
}
