package view

// NoticeRow is one notice in a list: a resident's (with the unread
// marker) or the station's (with its status and, for heads, its reach).
type NoticeRow struct {
	ID            string
	Title         string
	Lang          string // the language it was written in, for assistive technology
	Kind          string // translated
	Severity      string // the severity's code, for the style
	SeverityLabel string // translated: the meaning never rests on colour alone
	Urgent        bool
	Unread        bool
	NeedsAck      bool
	Acknowledged  bool
	When          string
	Status        string // staff: scheduled, current, expired, withdrawn
	StatusLabel   string
	Reach         *NoticeReach
}

// NoticeReach counts a notice's residents and what they did with it.
type NoticeReach struct {
	Residents, Received, Opened, Acknowledged int
}

// NoticeList is the notices page: a resident's current notices or a
// station's notices.
type NoticeList struct {
	Staff   bool
	Rows    []NoticeRow
	NextURL string // staff: the next page, "" on the last
	Flash   string
}

// NoticeHistoryRow is one message a notice went out as.
type NoticeHistoryRow struct {
	At, Label, Who, Note string
}

// NoticePage is one notice: its text for a resident, with the "I have read
// this" button for anti-fraud notices; for staff also its area, reach,
// history and the actions.
type NoticePage struct {
	Row            NoticeRow
	Body           string
	Starts         string
	Expires        string
	Area           string
	Staff          bool
	CanChange      bool // staff, not withdrawn
	Withdrawn      bool
	WithdrawReason string
	AckedAt        string
	CAPURL         string
	History        []NoticeHistoryRow
	Errors         Errors
	Flash          string
}

// BoothChoice is a booth a notice may be for.
type BoothChoice struct {
	ID, Name string
	Checked  bool
}

// NoticeForm is the staff's form to write or change a notice.
type NoticeForm struct {
	ID             string // "" for a new notice
	Action         string
	IdempotencyKey string
	Title          Field
	Body           string
	Kinds          []Option
	Severities     []Option
	Languages      []Option
	Booths         []BoothChoice
	Urgent         bool
	Public         bool
	StartsAt       string // datetime-local, station time
	ExpiresAt      string
	Errors         Errors
}

// UrgentNotices are the urgent notices a resident has not opened, shown
// on every page as they arrive.
type UrgentNotices struct {
	Rows []NoticeRow
}
