package app

import (
	"context"
	"fmt"
	"time"
)

// FieldKind is the type of an extra field a service asks for.
type FieldKind string

// Field kinds.
const (
	FieldText   FieldKind = "text"
	FieldNumber FieldKind = "number"
	FieldDate   FieldKind = "date"    // YYYY-MM-DD
	FieldChoice FieldKind = "choice"  // one of Choices
	FieldIDCard FieldKind = "id_card" // a resident ID number, GB 11643 check digit; shown masked
)

// Text is a string in both languages of the booth.
type Text struct {
	Zh string `json:"zh"`
	En string `json:"en"`
}

// In returns the text in lang, Chinese when there is no English.
func (t Text) In(lang string) string {
	if lang == LanguageEnglish && t.En != "" {
		return t.En
	}
	return t.Zh
}

// FieldSpec describes one extra field of a service type.
type FieldSpec struct {
	Code     string    `json:"code"`
	Kind     FieldKind `json:"kind"`
	Label    Text      `json:"label"`
	Required bool      `json:"required"`
	Choices  []Choice  `json:"choices,omitempty"`
}

// Choice is one allowed value of a choice field.
type Choice struct {
	Value string `json:"value"`
	Label Text   `json:"label"`
}

// ServiceType is one service of the one-window counter, as the station
// offers it: the default catalogue with the station's settings applied.
type ServiceType struct {
	Code          string      `json:"code"`
	Name          Text        `json:"name"`
	Description   Text        `json:"description"`
	Documents     []Text      `json:"documents"` // what to bring
	Fields        []FieldSpec `json:"fields"`
	TargetMinutes int         `json:"target_minutes"`
	NeedsVisit    bool        `json:"needs_visit"`
	Enabled       bool        `json:"enabled"`
	Note          Text        `json:"note"` // the station's own remark, e.g. "bring two photos"
}

// NewbornCode is the service type of a newborn's household registration.
const NewbornCode = "newborn_registration"

// ServiceSetting is a station's change to one default service type; nil
// fields keep the default.
type ServiceSetting struct {
	StationID     int64
	Code          string
	Enabled       *bool
	TargetMinutes *int
	Note          *Text
}

// Slot is a bookable time at a booth's counter.
type Slot struct {
	ID        int64     `json:"id,string" gorm:"primaryKey"`
	StationID int64     `json:"station_id,string"`
	BoothID   int64     `json:"booth_id,string"`
	StartsAt  time.Time `json:"starts_at"`
	EndsAt    time.Time `json:"ends_at"`
	Capacity  int       `json:"capacity"`
	Booked    int       `json:"booked" gorm:"-"` // filled by the store
}

// RequestStatus is where a service request is in its flow.
type RequestStatus string

// Request statuses.
const (
	RequestSubmitted  RequestStatus = "submitted"
	RequestAccepted   RequestStatus = "accepted"
	RequestInProgress RequestStatus = "in_progress"
	RequestOnHold     RequestStatus = "on_hold"
	RequestCompleted  RequestStatus = "completed"
	RequestRejected   RequestStatus = "rejected"
	RequestCancelled  RequestStatus = "cancelled"
)

// requestFlow lists the moves staff may make from each status.
var requestFlow = map[RequestStatus][]RequestStatus{
	RequestSubmitted:  {RequestAccepted, RequestRejected},
	RequestAccepted:   {RequestInProgress, RequestOnHold, RequestRejected},
	RequestInProgress: {RequestCompleted, RequestOnHold},
	RequestOnHold:     {RequestAccepted, RequestInProgress},
	RequestCalled:     {RequestInProgress, RequestOnHold, RequestRejected},
}

// Valid reports whether s is a known status.
func (s RequestStatus) Valid() bool {
	switch s {
	case RequestSubmitted, RequestAccepted, RequestCalled, RequestInProgress, RequestOnHold, RequestCompleted, RequestRejected, RequestCancelled, RequestNoShow:
		return true
	}
	return false
}

// Open reports whether work on the request may still go on.
func (s RequestStatus) Open() bool {
	return s != RequestCompleted && s != RequestRejected && s != RequestCancelled && s != RequestNoShow
}

// CheckRequestMove says whether a request may move from one status to
// another. Staff follow the flow; a resident may only cancel, and only
// before work starts. Rejecting and holding need a reason. It returns
// EINVALID for an unknown status or a missing reason, EFORBIDDEN for a
// resident's move other than cancelling, ECONFLICT for a move the flow
// forbids.
func CheckRequestMove(from, to RequestStatus, byResident bool, note string) error {
	if !to.Valid() {
		return Errorf(EINVALID, "unknown status %q", to).WithMessage("unknown_status")
	}
	if byResident {
		if to != RequestCancelled {
			return Errorf(EFORBIDDEN, "a resident may only cancel a request").WithMessage("resident_cancel_only")
		}
		if from != RequestSubmitted && from != RequestAccepted {
			return Errorf(ECONFLICT, "the request is %s; it can no longer be cancelled", from).WithMessage("request_not_cancellable")
		}
		return nil
	}
	if (to == RequestRejected || to == RequestOnHold) && note == "" {
		return Errorf(EINVALID, "a reason is required to move a request to %s", to).WithMessage("reason_required")
	}
	for _, next := range requestFlow[from] {
		if next == to {
			return nil
		}
	}
	return Errorf(ECONFLICT, "a request cannot move from %s to %s", from, to).WithMessage("request_moved")
}

// ServiceRequest is a resident's visit to the counter, bundling one or more
// services.
type ServiceRequest struct {
	ID            int64            `json:"id,string" gorm:"primaryKey"`
	StationID     int64            `json:"station_id,string"`
	BoothID       int64            `json:"booth_id,string"`
	ResidentID    *int64           `json:"resident_id,string,omitempty"` // nil once the resident deleted their account
	Ticket        string           `json:"ticket"`                       // e.g. A-017: the booth's name, a number per local day; empty before arrival
	TicketDay     string           `json:"ticket_day"`                   // YYYY-MM-DD in the station's time zone, the day of arrival
	TicketNo      *int             `json:"-"`                            // the number in Ticket; nil before arrival
	Status        RequestStatus    `json:"status"`
	Note          string           `json:"note"`
	SlotID        *int64           `json:"slot_id,string,omitempty"`
	AssigneeID    *int64           `json:"assignee_id,string,omitempty"`
	TargetMinutes int              `json:"target_minutes"`                           // the bundle's services together
	Checked       []string         `json:"checked" gorm:"serializer:json;type:text"` // documents ticked: "code:index"
	Services      []RequestService `json:"services" gorm:"foreignKey:RequestID"`
	Timeline      []TimelineEntry  `json:"timeline,omitempty" gorm:"foreignKey:RequestID"`
	Attachments   []Attachment     `json:"attachments,omitempty" gorm:"foreignKey:RequestID"`
	CreatedAt     time.Time        `json:"created_at"`
	UpdatedAt     time.Time        `json:"updated_at"`
	ClosedAt      *time.Time       `json:"closed_at,omitempty"` // completed, rejected or cancelled
	Newborn       *Newborn         `json:"newborn,omitempty" gorm:"serializer:json;type:text"`
	ArrivedAt     *time.Time       `json:"arrived_at,omitempty"` // at the booth: the ticket is issued, the wait counts from here
	CalledAt      *time.Time       `json:"called_at,omitempty"`
	SkippedAt     *time.Time       `json:"skipped_at,omitempty"` // passed over when called: back of the line from then
	WindowNo      *int             `json:"window,omitempty"`     // the window it was called to
	WalkInName    string           `json:"walk_in_name,omitempty"`
	WalkInPhone   string           `json:"walk_in_phone,omitempty"`
	RemindedEve   bool             `json:"-"`
	RemindedSoon  bool             `json:"-"`
}

// RequestService is one service of a request with the values of its fields.
type RequestService struct {
	RequestID int64             `json:"-" gorm:"primaryKey;autoIncrement:false"`
	StationID int64             `json:"-"`
	Code      string            `json:"code" gorm:"primaryKey"`
	Fields    map[string]string `json:"fields" gorm:"serializer:json;type:text"`
}

// TimelineEntry is one step in a record's history. From and To hold the
// statuses of a status change; of an assignment, the assignee ids ("" for
// none); of a checklist, the documents ticked out of all ("2/8"); of an
// attachment, To is the attachment's id.
type TimelineEntry struct {
	ID        int64     `json:"-" gorm:"primaryKey"`
	RequestID int64     `json:"-"`
	StationID int64     `json:"-"`
	At        time.Time `json:"at"`
	ActorID   *int64    `json:"actor_id,string,omitempty"`
	Kind      string    `json:"kind"` // status, assignment, attachment, note, checklist
	From      string    `json:"from,omitempty" gorm:"column:from_status"`
	To        string    `json:"to,omitempty" gorm:"column:to_status"`
	Note      string    `json:"note,omitempty"`
}

// Attachment is a document photo or PDF added to a request. The bytes live
// in the blob store under BlobKey.
type Attachment struct {
	ID          int64     `json:"id,string" gorm:"primaryKey"`
	RequestID   int64     `json:"request_id,string"`
	StationID   int64     `json:"-"`
	UploaderID  int64     `json:"uploader_id,string"`
	BlobKey     string    `json:"-"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	Name        string    `json:"name"`
	CreatedAt   time.Time `json:"created_at"`
}

// NewRequest is what a resident submits.
type NewRequest struct {
	ResidentID int64
	BoothID    int64 // 0: the resident's home booth
	Services   []string
	Fields     map[string]map[string]string // service code → field code → value
	SlotID     *int64
	Note       string
	Newborn    *Newborn // with newborn_registration only
	MaxOpen    int      // the resident's unfinished requests allowed before this one (CheckOpenQuota); 0: no bound
	WalkIn     *WalkIn  // filed by StaffID for a visitor without the app: no resident, arrived at once
	StaffID    int64
}

// Newborn is what a newborn registration records about the baby.
type Newborn struct {
	BabyName           string     `json:"baby_name"`
	Sex                string     `json:"sex"`        // male or female
	BirthDate          string     `json:"birth_date"` // YYYY-MM-DD
	BirthPlace         string     `json:"birth_place"`
	BirthCertificateNo string     `json:"birth_certificate_no"`
	Guardians          []Guardian `json:"guardians"`
}

// Guardian is a parent or guardian named on a newborn registration.
type Guardian struct {
	Name     string `json:"name"`
	Relation string `json:"relation"` // father, mother or guardian
	Phone    string `json:"phone,omitempty"`
}

// ErrBirthInFuture is Newborn.Validate's error for a birth date after
// today: forms say so in their own words.
var ErrBirthInFuture = Errorf(EINVALID, "newborn.birth_date cannot be in the future").WithField("newborn.birth_date")

// Validate checks a newborn registration against today's date in the
// station's zone. EINVALID names the first problem.
func (n *Newborn) Validate(today time.Time) error {
	if n.BabyName == "" || len([]rune(n.BabyName)) > 50 {
		return Errorf(EINVALID, "newborn.baby_name needs 1 to 50 characters").WithField("newborn.baby_name")
	}
	if n.Sex != "male" && n.Sex != "female" {
		return Errorf(EINVALID, "newborn.sex must be male or female").WithField("newborn.sex")
	}
	born, err := time.Parse(time.DateOnly, n.BirthDate)
	if err != nil {
		return Errorf(EINVALID, "newborn.birth_date must be a date like 2026-11-20").WithField("newborn.birth_date")
	}
	// Compare calendar dates: born is midnight UTC, today may be any time
	// in any zone.
	y, m, d := today.Date()
	if born.After(time.Date(y, m, d, 0, 0, 0, 0, time.UTC)) {
		return ErrBirthInFuture
	}
	if n.BirthPlace == "" || len([]rune(n.BirthPlace)) > 100 {
		return Errorf(EINVALID, "newborn.birth_place needs 1 to 100 characters").WithField("newborn.birth_place")
	}
	if n.BirthCertificateNo == "" || len(n.BirthCertificateNo) > 30 {
		return Errorf(EINVALID, "newborn.birth_certificate_no is required").WithField("newborn.birth_certificate_no")
	}
	if len(n.Guardians) == 0 || len(n.Guardians) > 4 {
		return Errorf(EINVALID, "newborn.guardians needs 1 to 4 guardians").WithField("newborn.guardians")
	}
	for i, g := range n.Guardians {
		if g.Name == "" || len([]rune(g.Name)) > 50 {
			return Errorf(EINVALID, "newborn.guardians[%d].name needs 1 to 50 characters", i).WithField(fmt.Sprintf("newborn.guardians[%d].name", i))
		}
		if g.Relation != "father" && g.Relation != "mother" && g.Relation != "guardian" {
			return Errorf(EINVALID, "newborn.guardians[%d].relation must be father, mother or guardian", i).WithField(fmt.Sprintf("newborn.guardians[%d].relation", i))
		}
		if g.Phone != "" {
			p, err := NormalizePhone(g.Phone)
			if err != nil {
				return Errorf(EINVALID, "newborn.guardians[%d].phone is not a mobile number", i).WithField(fmt.Sprintf("newborn.guardians[%d].phone", i))
			}
			n.Guardians[i].Phone = p
		}
	}
	return nil
}

// RequestFilter narrows a list of requests. The store scopes it: a
// resident's own, or a station's.
type RequestFilter struct {
	StationID  int64 // staff: their station
	ResidentID int64 // residents: themselves
	Statuses   []RequestStatus
	Type       string // a service code the request includes
	BoothID    int64
	AssigneeID int64
	From, To   time.Time // created in [From, To)
	Before     int64     // cursor: ids below
	Limit      int
	MostUrgent bool // most urgent first (waited longest against the target, the queue's order), not newest first
	Brief      bool // only what a list row shows: no note, checklist or newborn details
}

// RequestMove is a status change, an assignment, a note or a checklist tick.
type RequestMove struct {
	ActorID    int64
	ByResident bool
	To         RequestStatus // empty: no status change
	Note       string
	AssigneeID *int64   // set: reassign
	Checked    []string // set: replace the ticked documents
}

// ServiceRequestService is the one-window counter's store.
type ServiceRequestService interface {
	// ServiceTypes returns a station's catalogue: the defaults with its
	// settings applied, disabled ones included, in catalogue order.
	// Station 0 gives the defaults alone; ENOTFOUND for a missing station.
	ServiceTypes(ctx context.Context, stationID int64) ([]ServiceType, error)
	// SetServiceSetting stores a station's change to a service type and
	// audits it. ENOTFOUND for an unknown code, EINVALID for a bad target.
	SetServiceSetting(ctx context.Context, actor Actor, s ServiceSetting) error
	// CreateSlot stores a bookable time. EINVALID when it ends before it
	// starts or has no capacity; ENOTFOUND for a booth of another station.
	CreateSlot(ctx context.Context, actor Actor, s *Slot) error
	// ListSlots returns a booth's slots from a time on, with their bookings.
	ListSlots(ctx context.Context, boothID int64, from time.Time, limit int) ([]Slot, error)
	// CreateRequest validates and stores a request with its first timeline
	// entry and request.created event in one transaction; a walk-in also
	// arrives and gets its ticket in it.
	// EINVALID for unknown or disabled services, bad fields or a missing
	// booth; ECONFLICT for a full slot.
	CreateRequest(ctx context.Context, r NewRequest) (*ServiceRequest, error)
	// FindRequest returns a request with services, timeline and
	// attachments, if scope may see it (scope as in RequestFilter), else
	// ENOTFOUND.
	FindRequest(ctx context.Context, id int64, scope RequestFilter) (*ServiceRequest, error)
	// ListRequests returns matching requests with their services, newest
	// first by id (Before is the cursor).
	ListRequests(ctx context.Context, f RequestFilter) ([]ServiceRequest, error)
	// MoveRequest applies a move to a request in scope, with a timeline
	// entry and a request.updated event in the same transaction.
	// ENOTFOUND out of scope; CheckRequestMove's errors; EINVALID for an
	// assignee who is not an officer of the station.
	MoveRequest(ctx context.Context, id int64, scope RequestFilter, m RequestMove) (*ServiceRequest, error)
	// AddAttachment records an uploaded document on a request in scope,
	// with a timeline entry and an event. ENOTFOUND out of scope,
	// ECONFLICT on a closed request or one that holds 20 already.
	AddAttachment(ctx context.Context, scope RequestFilter, a *Attachment) error
	// FindAttachment returns an attachment of a request in scope.
	FindAttachment(ctx context.Context, id int64, scope RequestFilter) (*Attachment, error)
}
