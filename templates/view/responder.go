package view

// ResponderPage is a guard's or volunteer's tablet page: whether they are
// available, and their booth's open calls with the answers they may give.
type ResponderPage struct {
	Name      string
	Booth     string
	Available bool
	Calls     []ResponderCallRow
	Flash     string
}

// ResponderCallRow is an open call as a guard or volunteer sees it: no
// caller, position or messages.
type ResponderCallRow struct {
	ID          string
	StatusLabel string
	Category    string
	Message     string
	Distance    string // "about 300 m from the booth", or ""
	Age         string
	Answer      string // the responder's last answer, as a label, or ""
}
