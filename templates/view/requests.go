package view

// ServiceOption is one service a resident can pick for a visit.
type ServiceOption struct {
	Code          string
	Name          string
	Description   string
	Note          string
	Documents     []string
	TargetMinutes int
	Selected      bool
}

// ServiceFields are the extra fields of one picked service.
type ServiceFields struct {
	Code    string
	Name    string
	Fields  []Field // Name is "f.<service>.<field>"
	Selects []SelectField
}

// SelectField is a labelled choice, already translated.
type SelectField struct {
	Name    string
	Label   string
	Options []Option
	Error   string
}

// NewRequestPage is the form to build a visit.
type NewRequestPage struct {
	Services     []ServiceOption
	Picked       []ServiceFields
	Checklist    []string // every document to bring, for the picked services
	TotalMinutes int
	Booths       []Option
	Slots        []Option
	Note         string
	Newborn      bool // newborn_registration is picked: show its fields
	NewbornForm  NewbornForm
	Errors       Errors
	Summary      []ErrorLink // each field's error, linking to the field, in the form's order
	// IdempotencyKey makes a double-tapped submit create one request.
	IdempotencyKey string
}

// NewbornForm holds what was typed about a newborn.
type NewbornForm struct {
	BabyName, Sex, BirthDate, BirthPlace, CertificateNo string
	GuardianName, GuardianRelation, GuardianPhone       string
}

// RequestRow is one request in a list.
type RequestRow struct {
	ID          string
	Ticket      string
	Services    string
	Status      string
	StatusLabel string
	Created     string
	Waited      string // e.g. "25 分钟 / 目标 35 分钟"
	Overdue     bool
	Assignee    string
	Booth       string
}

// RequestList is a resident's requests or an officer's queue.
type RequestList struct {
	Rows    []RequestRow
	NextURL string
	Flash   string
	Staff   bool
	Filters QueueFilters
	LiveURL string // what to fetch again when a request changes
	Desk    *QueueDesk
}

// QueueFilters are the officer's queue filters.
type QueueFilters struct {
	Booths   []Option
	Statuses []Option
	Types    []Option
}

// RequestPage is one request with what the viewer may do with it.
type RequestPage struct {
	ID          string
	Ticket      string
	Status      string
	StatusLabel string
	Booth       string
	Created     string
	Waited      string
	Overdue     bool
	Note        string
	Services    []RequestServiceView
	Newborn     []KeyValue
	Timeline    []TimelineRow
	Attachments []AttachmentRow
	Staff       bool
	Open        bool // work may still go on
	Actions     []RequestAction
	CanCancel   bool
	CanAttach   bool
	Officers    []Option
	Flash       string
	Error       string
	Photos      *PhotoZone // newborn registrations only
	Queue       *RequestQueue
}

// RequestServiceView is one service of a request with its fields and the
// documents the officer ticks.
type RequestServiceView struct {
	Name      string
	Fields    []KeyValue
	Documents []CheckItem
}

// KeyValue is a labelled value.
type KeyValue struct{ Key, Value string }

// CheckItem is one document of the checklist.
type CheckItem struct {
	Key, Label string
	Checked    bool
}

// TimelineRow is one step of a request's history.
type TimelineRow struct{ At, Who, Text string }

// AttachmentRow is one added document.
type AttachmentRow struct{ Name, URL string }

// RequestAction is a status move an officer can make now.
type RequestAction struct {
	To          string
	Label       string
	NeedsReason bool
	Primary     bool
}

// CataloguePage is a head's catalogue settings and slots.
type CataloguePage struct {
	Types  []CatalogueRow
	Slots  []SlotRow
	Booths []Option
	Errors Errors
	Flash  string
}

// CatalogueRow is one service type with the station's settings.
type CatalogueRow struct {
	Code, Name     string
	Enabled        bool
	TargetMinutes  string
	NoteZh, NoteEn string
}

// SlotRow is one bookable time.
type SlotRow struct {
	Booth, Starts, Ends string
	Capacity, Booked    int
}
