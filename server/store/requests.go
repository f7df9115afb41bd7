package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"policebooth/server/app"
)

var _ app.ServiceRequestService = (*Store)(nil)

// Limits of a service request.
const (
	maxRequestServices = 5
	maxRequestNoteLen  = 1000
	maxAttachments     = 20
	maxAttachmentName  = 200
	maxFieldValueLen   = 500
)

// decimal is what a number field takes: digits, a sign, a decimal point.
var decimal = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?$`)

// Timeline entry kinds of a request.
const (
	kindStatus     = "status"
	kindAssignment = "assignment"
	kindChecklist  = "checklist"
	kindNote       = "note"
	kindAttachment = "attachment"
)

// requestEvent is the payload of request.created and request.updated: ids,
// the status, the ticket and what changed, never personal data.
// request.created has no ticket: issueTicket numbers the request after its
// event is written, as the creation's last statement.
type requestEvent struct {
	ID         string            `json:"id"`
	Status     app.RequestStatus `json:"status"`
	Ticket     string            `json:"ticket,omitempty"`
	BoothID    string            `json:"booth_id"`
	AssigneeID string            `json:"assignee_id,omitempty"`
	Window     int               `json:"window,omitempty"`  // the window a called request goes to
	Changes    []string          `json:"changes,omitempty"` // timeline kinds of the update
}

// requestChanged appends a request's event in the caller's transaction.
func requestChanged(tx *gorm.DB, name string, r *app.ServiceRequest, changes []string) error {
	p := requestEvent{ID: strconv.FormatInt(r.ID, 10), Status: r.Status, Ticket: r.Ticket,
		BoothID: strconv.FormatInt(r.BoothID, 10), Changes: changes}
	if r.AssigneeID != nil {
		p.AssigneeID = strconv.FormatInt(*r.AssigneeID, 10)
	}
	if r.WindowNo != nil {
		p.Window = *r.WindowNo
	}
	return appendEvent(tx, &app.Event{StationID: r.StationID, OwnerID: r.ResidentID, Name: name, RecordID: r.ID, BoothID: &r.BoothID}, p)
}

// CreateRequest validates a resident's request and stores it with its
// ticket, services, first timeline entry and request.created event in one
// transaction. Besides the interface's errors: EUNAUTHORIZED when the
// resident's account is gone or disabled, EFORBIDDEN for an account that
// is not a resident's.
func (s *Store) CreateRequest(ctx context.Context, nr app.NewRequest) (*app.ServiceRequest, error) {
	codes, err := requestedServices(nr.Services)
	if err != nil {
		return nil, err
	}
	for code := range nr.Fields {
		if !slices.Contains(codes, code) {
			return nil, app.Errorf(app.EINVALID, "fields.%s: the request does not include that service", code)
		}
	}
	hasNewborn := slices.Contains(codes, app.NewbornCode)
	if hasNewborn && nr.Newborn == nil {
		return nil, app.Errorf(app.EINVALID, "newborn: a newborn registration needs the baby's details")
	}
	if !hasNewborn && nr.Newborn != nil {
		return nil, app.Errorf(app.EINVALID, "newborn: the baby's details go with %s only", app.NewbornCode)
	}
	note := strings.TrimSpace(nr.Note)
	if utf8.RuneCountInString(note) > maxRequestNoteLen {
		return nil, app.Errorf(app.EINVALID, "note: at most %d characters", maxRequestNoteLen)
	}

	if nr.WalkIn != nil {
		if err := nr.WalkIn.Validate(); err != nil {
			return nil, err
		}
		if nr.SlotID != nil {
			return nil, app.Errorf(app.EINVALID, "slot_id: a walk-in is at the counter now and books no time")
		}
	}

	var r *app.ServiceRequest
	err = s.tx(ctx, func(tx *gorm.DB) error {
		f, err := readFiling(tx, nr, codes)
		if err != nil {
			return err
		}
		if nr.MaxOpen > 0 && nr.WalkIn == nil {
			if err := app.CheckOpenQuota(f.open, nr.MaxOpen); err != nil {
				return err
			}
		}
		loc, err := s.location(f.timeZone)
		if err != nil {
			return fmt.Errorf("store: create request: station %d: %w", f.stationID, err)
		}
		now := s.Now()
		services := make([]app.RequestService, len(codes))
		target := 0
		for i, code := range codes {
			t, ok := f.types[code]
			if !ok {
				return app.Errorf(app.EINVALID, "services: unknown service %q", code).WithField("services")
			}
			if !t.Enabled {
				return app.Errorf(app.EINVALID, "services: %s is not offered at this station", code).WithField("services")
			}
			values, err := checkFields(code, t.Fields, nr.Fields[code])
			if err != nil {
				return err
			}
			services[i] = app.RequestService{StationID: f.stationID, Code: code, Fields: values}
			target += t.TargetMinutes
		}
		if hasNewborn {
			if err := nr.Newborn.Validate(now.In(loc)); err != nil {
				return err
			}
		}
		if nr.SlotID != nil {
			if err := s.bookSlot(tx, *nr.SlotID, f.boothID, now); err != nil {
				return err
			}
		}

		r = &app.ServiceRequest{
			StationID: f.stationID, BoothID: f.boothID, ResidentID: &nr.ResidentID,
			Status: app.RequestSubmitted, Note: note, SlotID: nr.SlotID, TargetMinutes: target,
			Checked: []string{}, Newborn: nr.Newborn, CreatedAt: now, UpdatedAt: now, Services: services,
			Timeline: []app.TimelineEntry{{StationID: f.stationID, At: now, ActorID: &f.filerID, Kind: kindStatus, To: string(app.RequestSubmitted)}},
		}
		if nr.WalkIn != nil {
			r.ResidentID, r.WalkInName, r.WalkInPhone, r.ArrivedAt = nil, nr.WalkIn.Name, nr.WalkIn.Phone, &now
		}
		if err := s.writeRequest(tx, r); err != nil {
			return err
		}
		if err := requestChanged(tx, "request.created", r, nil); err != nil {
			return err
		}
		if nr.WalkIn != nil {
			return s.issueTicket(tx, r, &app.Booth{ID: f.boothID, StationID: f.stationID, Name: f.boothName}, loc)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// requestedServices checks the list of service codes: 1 to 5, each once.
func requestedServices(list []string) ([]string, error) {
	if len(list) == 0 || len(list) > maxRequestServices {
		return nil, app.Errorf(app.EINVALID, "services: choose 1 to %d services", maxRequestServices)
	}
	codes := make([]string, len(list))
	for i, c := range list {
		c = strings.TrimSpace(c)
		if slices.Contains(codes[:i], c) {
			return nil, app.Errorf(app.EINVALID, "services: %q is listed twice", c)
		}
		codes[i] = c
	}
	return codes, nil
}

// checkFields validates the values given for one service against its
// field specs and returns them normalised: trimmed, ID numbers with an
// upper-case check letter, empty optional fields left out. Messages name
// the field, never its value.
func checkFields(code string, specs []app.FieldSpec, values map[string]string) (map[string]string, error) {
	for name := range values {
		if !slices.ContainsFunc(specs, func(f app.FieldSpec) bool { return f.Code == name }) {
			return nil, app.Errorf(app.EINVALID, "fields.%s: %s has no field %q", code, code, name)
		}
	}
	out := make(map[string]string, len(values))
	for _, f := range specs {
		path := "fields." + code + "." + f.Code
		v := strings.TrimSpace(values[f.Code])
		if v == "" {
			if f.Required {
				return nil, app.Errorf(app.EINVALID, "%s is required", path)
			}
			continue
		}
		if utf8.RuneCountInString(v) > maxFieldValueLen {
			return nil, app.Errorf(app.EINVALID, "%s: at most %d characters", path, maxFieldValueLen)
		}
		switch f.Kind {
		case app.FieldText:
		case app.FieldNumber:
			if !decimal.MatchString(v) {
				return nil, app.Errorf(app.EINVALID, "%s must be a number", path)
			}
		case app.FieldDate:
			if _, err := time.Parse(time.DateOnly, v); err != nil {
				return nil, app.Errorf(app.EINVALID, "%s must be a date like 2026-11-20", path)
			}
		case app.FieldChoice:
			if !slices.ContainsFunc(f.Choices, func(c app.Choice) bool { return c.Value == v }) {
				return nil, app.Errorf(app.EINVALID, "%s is not one of its choices", path)
			}
		case app.FieldIDCard:
			id, ok := app.ValidIDCard(v)
			if !ok {
				return nil, app.Errorf(app.EINVALID, "%s is not a valid ID card number", path)
			}
			v = id
		default:
			return nil, fmt.Errorf("store: service %s field %s has unknown kind %q", code, f.Code, f.Kind)
		}
		out[f.Code] = v
	}
	return out, nil
}

// bookSlot checks that a slot of the booth is still ahead and has room.
// On PostgreSQL the slot's row stays locked until the request is stored, so
// two residents cannot take its last place together; SQLite's immediate
// transactions already serialise writers.
func (s *Store) bookSlot(tx *gorm.DB, slotID, boothID int64, now time.Time) error {
	q := tx
	if s.postgres {
		q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
	}
	var sl app.Slot
	if err := q.First(&sl, slotID).Error; errors.Is(err, gorm.ErrRecordNotFound) {
		return app.Errorf(app.EINVALID, "slot_id: that time does not exist").WithField("slot_id")
	} else if err != nil {
		return fmt.Errorf("store: book slot: %w", err)
	}
	if sl.BoothID != boothID {
		return app.Errorf(app.EINVALID, "slot_id: that time is at another booth").WithField("slot_id")
	}
	if !sl.StartsAt.After(now) {
		return app.Errorf(app.EINVALID, "slot_id: that time has passed").WithField("slot_id")
	}
	booked, err := bookings(tx, []int64{sl.ID})
	if err != nil {
		return err
	}
	if booked[sl.ID] >= sl.Capacity {
		return app.Errorf(app.ECONFLICT, "that time is fully booked").WithMessage("slot_full")
	}
	return nil
}

// inScope narrows a query of requests to what scope may see: a resident's
// own, a station's, or both. ok is false for a scope of neither.
func inScope(q *gorm.DB, scope app.RequestFilter) (_ *gorm.DB, ok bool) {
	if scope.ResidentID == 0 && scope.StationID == 0 {
		return q, false
	}
	if scope.ResidentID != 0 {
		q = q.Where("service_requests.resident_id = ?", scope.ResidentID)
	}
	if scope.StationID != 0 {
		q = q.Where("service_requests.station_id = ?", scope.StationID)
	}
	return q, true
}

// withServices preloads a request's services in code order.
func withServices(q *gorm.DB) *gorm.DB {
	return q.Preload("Services", func(db *gorm.DB) *gorm.DB { return db.Order("code") })
}

// withEverything preloads services, the timeline in time order and the
// attachments.
func withEverything(q *gorm.DB) *gorm.DB {
	return withServices(q).
		Preload("Timeline", func(db *gorm.DB) *gorm.DB { return db.Order("at, id") }).
		Preload("Attachments", func(db *gorm.DB) *gorm.DB { return db.Order("id") })
}

// FindRequest returns a request in scope with its services, timeline and
// attachments.
func (s *Store) FindRequest(ctx context.Context, id int64, scope app.RequestFilter) (*app.ServiceRequest, error) {
	q, ok := inScope(s.db.WithContext(ctx).Model(&app.ServiceRequest{}), scope)
	if !ok {
		return nil, app.ErrNotFound
	}
	var r app.ServiceRequest
	if err := withEverything(q).First(&r, id).Error; err != nil {
		return nil, notFound("find request", err)
	}
	return &r, nil
}

// ListRequests returns the requests in the filter's scope that match it,
// newest first (or most urgent first), with their services, in one query.
// EINVALID for a filter with neither a resident nor a station, or an
// unknown status.
func (s *Store) ListRequests(ctx context.Context, f app.RequestFilter) ([]app.ServiceRequest, error) {
	q, ok := inScope(s.db.WithContext(ctx).Table("service_requests"), f)
	if !ok {
		return nil, app.Errorf(app.EINVALID, "a list of requests is a resident's or a station's")
	}
	if len(f.Statuses) > 0 {
		for _, st := range f.Statuses {
			if !st.Valid() {
				return nil, app.Errorf(app.EINVALID, "unknown status %q", st)
			}
		}
		q = q.Where("service_requests.status IN ?", f.Statuses)
	}
	if f.Type != "" {
		q = q.Where("EXISTS (SELECT 1 FROM request_services rs WHERE rs.request_id = service_requests.id AND rs.code = ?)", f.Type)
	}
	if f.BoothID != 0 {
		q = q.Where("service_requests.booth_id = ?", f.BoothID)
	}
	if f.AssigneeID != 0 {
		q = q.Where("service_requests.assignee_id = ?", f.AssigneeID)
	}
	if !f.From.IsZero() {
		q = q.Where(s.timeCompare("service_requests.created_at", ">="), dbTime(f.From))
	}
	if !f.To.IsZero() {
		q = q.Where(s.timeCompare("service_requests.created_at", "<"), dbTime(f.To))
	}
	if f.Before != 0 {
		q = q.Where("service_requests.id < ?", f.Before)
	}
	return s.listPage(ctx, q, f)
}

// lockRequest loads a request in scope for a change; on PostgreSQL its row
// stays locked until the transaction ends (SQLite's immediate transactions
// already hold the write lock).
func (s *Store) lockRequest(tx *gorm.DB, id int64, scope app.RequestFilter) (*app.ServiceRequest, error) {
	q, ok := inScope(tx.Model(&app.ServiceRequest{}), scope)
	if !ok {
		return nil, app.ErrNotFound
	}
	if s.postgres {
		q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
	}
	var r app.ServiceRequest
	if err := q.First(&r, id).Error; err != nil {
		return nil, notFound("load request", err)
	}
	return &r, nil
}

// MoveRequest applies a status change, an assignment, a checklist and a
// note, in any combination, to a request in scope: one timeline entry per
// change (the note goes with the first, or alone as kind "note") and one
// request.updated event, in one transaction. A move that changes nothing
// writes nothing. A scope with a ResidentID is a resident's move, whatever
// m.ByResident says: they may only cancel their own request. A closed
// request takes notes only (ECONFLICT otherwise).
func (s *Store) MoveRequest(ctx context.Context, id int64, scope app.RequestFilter, m app.RequestMove) (*app.ServiceRequest, error) {
	if scope.ResidentID != 0 {
		m.ByResident = true
	}
	if m.ByResident && scope.ResidentID == 0 {
		return nil, app.ErrNotFound // only a resident's own requests are theirs to move
	}
	note := strings.TrimSpace(m.Note)
	if utf8.RuneCountInString(note) > maxRequestNoteLen {
		return nil, app.Errorf(app.EINVALID, "note: at most %d characters", maxRequestNoteLen)
	}
	if m.To == "" && m.AssigneeID == nil && m.Checked == nil && note == "" {
		return nil, app.Errorf(app.EINVALID, "nothing to change: give a status, an assignee, a checklist or a note")
	}
	if m.ByResident && (m.To == "" || m.AssigneeID != nil || m.Checked != nil) {
		return nil, app.Errorf(app.EFORBIDDEN, "a resident may only cancel a request").WithMessage("resident_cancel_only")
	}
	var actor *int64
	if m.ActorID != 0 {
		actor = &m.ActorID
	}

	var fresh app.ServiceRequest
	err := s.tx(ctx, func(tx *gorm.DB) error {
		r, err := s.lockRequest(tx, id, scope)
		if err != nil {
			return err
		}
		now := s.Now()
		var entries []app.TimelineEntry
		add := func(kind, from, to string) {
			entries = append(entries, app.TimelineEntry{RequestID: r.ID, StationID: r.StationID, At: now, ActorID: actor, Kind: kind, From: from, To: to})
		}
		updates := map[string]any{}

		if m.To != "" {
			if err := app.CheckRequestMove(r.Status, m.To, m.ByResident, note); err != nil {
				return err
			}
			updates["status"] = m.To
			if !m.To.Open() {
				updates["closed_at"] = now
			}
			add(kindStatus, string(r.Status), string(m.To))
		}
		if !r.Status.Open() && (m.AssigneeID != nil || m.Checked != nil) {
			return app.Errorf(app.ECONFLICT, "the request is %s; it takes only notes now", r.Status).WithMessage("request_finished")
		}
		if m.AssigneeID != nil {
			from, to := idString(r.AssigneeID), ""
			if *m.AssigneeID != 0 {
				if err := checkAssignee(tx, *m.AssigneeID, r.StationID); err != nil {
					return err
				}
				to = strconv.FormatInt(*m.AssigneeID, 10)
				updates["assignee_id"] = *m.AssigneeID
			} else {
				updates["assignee_id"] = nil
			}
			if from != to {
				add(kindAssignment, from, to)
			} else {
				delete(updates, "assignee_id")
			}
		}
		if m.Checked != nil {
			checked, total, err := checkChecklist(tx, r.ID, m.Checked)
			if err != nil {
				return err
			}
			if !slices.Equal(checked, r.Checked) {
				b, err := json.Marshal(checked)
				if err != nil {
					return fmt.Errorf("store: move request: encode checklist: %w", err)
				}
				updates["checked"] = string(b)
				add(kindChecklist, fmt.Sprintf("%d/%d", len(r.Checked), total), fmt.Sprintf("%d/%d", len(checked), total))
			}
		}
		if note != "" {
			if len(entries) == 0 {
				add(kindNote, "", "")
			}
			entries[0].Note = note
		}

		if len(entries) > 0 {
			updates["updated_at"] = now
			if err := tx.Model(&app.ServiceRequest{}).Where("id = ?", r.ID).Updates(updates).Error; err != nil {
				return fmt.Errorf("store: move request: %w", err)
			}
			if err := tx.Create(&entries).Error; err != nil {
				return fmt.Errorf("store: move request: timeline: %w", err)
			}
		}
		if err := withEverything(tx).First(&fresh, r.ID).Error; err != nil {
			return fmt.Errorf("store: move request: reload: %w", err)
		}
		if len(entries) == 0 {
			return nil
		}
		kinds := make([]string, len(entries))
		for i, e := range entries {
			kinds[i] = e.Kind
		}
		return requestChanged(tx, "request.updated", &fresh, kinds)
	})
	if err != nil {
		return nil, err
	}
	if m.To == app.RequestCompleted {
		s.forgetExpected(fresh.BoothID) // a visit done: the booth's service times moved
	}
	return &fresh, nil
}

func idString(id *int64) string {
	if id == nil {
		return ""
	}
	return strconv.FormatInt(*id, 10)
}

// checkAssignee checks that a user may take a request of a station: an
// officer or head of it whose account is enabled.
func checkAssignee(tx *gorm.DB, userID, stationID int64) error {
	var u app.User
	err := tx.First(&u, userID).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return fmt.Errorf("store: load assignee: %w", err)
	}
	if err != nil || !u.Role.Staff() || u.StationID == nil || *u.StationID != stationID || u.Disabled {
		return app.Errorf(app.EINVALID, "assignee: only an active officer or head of this station can take the request").WithField("assignee")
	}
	return nil
}

// checkChecklist validates ticked documents, "code:index" of a document in
// the checklist of one of the request's services, and returns them without
// repeats in checklist order, with the number of documents on the list.
func checkChecklist(tx *gorm.DB, requestID int64, ticked []string) ([]string, int, error) {
	var codes []string
	if err := tx.Model(&app.RequestService{}).Where("request_id = ?", requestID).Pluck("code", &codes).Error; err != nil {
		return nil, 0, fmt.Errorf("store: load request services: %w", err)
	}
	var types []serviceType
	if err := tx.Select("code, documents, sort_order").Where("code IN ?", codes).Order("sort_order, code").Find(&types).Error; err != nil {
		return nil, 0, fmt.Errorf("store: load checklists: %w", err)
	}
	var all []string
	for _, t := range types {
		for i := range t.Documents {
			all = append(all, t.Code+":"+strconv.Itoa(i))
		}
	}
	for _, item := range ticked {
		if !slices.Contains(all, item) {
			return nil, 0, app.Errorf(app.EINVALID, "checked: %q is not a document of this request", item)
		}
	}
	checked := []string{}
	for _, item := range all {
		if slices.Contains(ticked, item) {
			checked = append(checked, item)
		}
	}
	return checked, len(all), nil
}

// AddAttachment records an uploaded document on an open request in scope,
// at most 20 per request, with a timeline entry and a request.updated
// event. EINVALID for a missing blob key, type, size or uploader.
func (s *Store) AddAttachment(ctx context.Context, scope app.RequestFilter, a *app.Attachment) error {
	a.Name = strings.TrimSpace(a.Name)
	switch {
	case a.BlobKey == "" || a.ContentType == "" || a.Size <= 0 || a.UploaderID == 0:
		return app.Errorf(app.EINVALID, "an attachment needs its stored file, type, size and uploader")
	case utf8.RuneCountInString(a.Name) > maxAttachmentName:
		return app.Errorf(app.EINVALID, "name: at most %d characters", maxAttachmentName).WithField("name")
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		r, err := s.lockRequest(tx, a.RequestID, scope)
		if err != nil {
			return err
		}
		if !r.Status.Open() {
			return app.Errorf(app.ECONFLICT, "the request is %s; it takes no more documents", r.Status).WithMessage("request_no_documents")
		}
		var n int64
		if err := tx.Model(&app.Attachment{}).Where("request_id = ?", r.ID).Count(&n).Error; err != nil {
			return fmt.Errorf("store: add attachment: count: %w", err)
		}
		if n >= maxAttachments {
			return app.Errorf(app.ECONFLICT, "a request holds at most %d documents", maxAttachments).WithMessage("too_many_documents", "Max", maxAttachments)
		}
		now := s.Now()
		a.ID, a.StationID, a.CreatedAt = 0, r.StationID, now
		if err := tx.Create(a).Error; err != nil {
			return fmt.Errorf("store: add attachment: %w", err)
		}
		entry := app.TimelineEntry{RequestID: r.ID, StationID: r.StationID, At: now, ActorID: &a.UploaderID,
			Kind: kindAttachment, To: strconv.FormatInt(a.ID, 10), Note: a.Name}
		if err := tx.Create(&entry).Error; err != nil {
			return fmt.Errorf("store: add attachment: timeline: %w", err)
		}
		if err := tx.Model(&app.ServiceRequest{}).Where("id = ?", r.ID).Update("updated_at", now).Error; err != nil {
			return fmt.Errorf("store: add attachment: %w", err)
		}
		return requestChanged(tx, "request.updated", r, []string{kindAttachment})
	})
}

// FindAttachment returns an attachment of a request in scope.
func (s *Store) FindAttachment(ctx context.Context, id int64, scope app.RequestFilter) (*app.Attachment, error) {
	db := s.db.WithContext(ctx)
	requests, ok := inScope(db.Model(&app.ServiceRequest{}).Select("id"), scope)
	if !ok {
		return nil, app.ErrNotFound
	}
	var a app.Attachment
	if err := db.Where("id = ? AND request_id IN (?)", id, requests).First(&a).Error; err != nil {
		return nil, notFound("find attachment", err)
	}
	return &a, nil
}
