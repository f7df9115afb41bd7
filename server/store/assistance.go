package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"policebooth/server/app"
)

var _ app.AssistanceService = (*Store)(nil)

// Limits of assistance calls.
const (
	maxCallTextLen  = 500 // a call's message, a short message, a note
	escalationBatch = 100 // calls claimed per escalation transaction
)

// Timeline entry kinds of a call, besides kindStatus.
const (
	kindEscalation = "escalation"
	kindMessage    = "message"
	kindLocation   = "location"
)

// Why a call escalated, as its assistance.escalated event says.
const (
	reasonNobodyOnDuty    = "nobody_on_duty"
	reasonNotAcknowledged = "not_acknowledged"
)

// openCallStatuses are the statuses of a call that still needs someone.
var openCallStatuses = []app.CallStatus{app.CallOpen, app.CallAcknowledged, app.CallEnRoute, app.CallOnScene}

// callCreatedEvent is the payload of assistance.created: what an officer's
// tablet needs to ring, never the message, the caller's phone or where
// they are.
type callCreatedEvent struct {
	ID              string         `json:"id"`
	Status          app.CallStatus `json:"status"`
	BoothID         string         `json:"booth_id"`
	Category        string         `json:"category"`
	Silent          bool           `json:"silent"`
	EscalationLevel int            `json:"escalation_level"`
}

// callEscalatedEvent is the payload of assistance.escalated.
type callEscalatedEvent struct {
	ID              string         `json:"id"`
	Status          app.CallStatus `json:"status"`
	BoothID         string         `json:"booth_id"`
	EscalationLevel int            `json:"escalation_level"`
	Reason          string         `json:"reason"`
}

// callUpdatedEvent is the payload of assistance.updated: the id, the
// status and which kind of change it was.
type callUpdatedEvent struct {
	ID              string         `json:"id"`
	Status          app.CallStatus `json:"status"`
	AcknowledgedBy  string         `json:"acknowledged_by,omitempty"`
	LocationUpdated bool           `json:"location_updated,omitempty"`
	Messages        int            `json:"messages,omitempty"` // how many the call has now
	Photos          int            `json:"photos,omitempty"`   // how many photos the call has now
}

// callEvent appends an event about a call in the caller's transaction; the
// caller, if still known, owns it and so sees it live.
func callEvent(tx *gorm.DB, name string, c *app.AssistanceCall, payload any) error {
	return appendEvent(tx, &app.Event{StationID: c.StationID, OwnerID: c.CallerID, Name: name, RecordID: c.ID, BoothID: &c.BoothID}, payload)
}

func callUpdated(c *app.AssistanceCall) callUpdatedEvent {
	return callUpdatedEvent{ID: strconv.FormatInt(c.ID, 10), Status: c.Status}
}

// CreateCall stores a resident's call for help at a booth: the one asked
// for, else the caller's home booth, else the booth nearest to the
// location, else the first booth. When no officer is on duty at that booth
// the call escalates in the same transaction; otherwise it escalates once
// the booth's acknowledgement limit passes (see EscalateDue). The caller's
// emergency contacts' texts are queued in the same transaction. Besides the
// interface's errors: EFORBIDDEN when the caller is no enabled resident,
// EINVALID for a booth that does not exist.
func (s *Store) CreateCall(ctx context.Context, nc app.NewCall, now time.Time) (*app.AssistanceCall, error) {
	if !slices.Contains(app.CallCategories, nc.Category) {
		return nil, app.Errorf(app.EINVALID, "category: one of %s", strings.Join(app.CallCategories, ", ")).WithMessage("call_category")
	}
	message := strings.TrimSpace(nc.Message)
	if utf8.RuneCountInString(message) > maxCallTextLen {
		return nil, app.Errorf(app.EINVALID, "message: at most %d characters", maxCallTextLen).WithMessage("text_too_long", "Max", maxCallTextLen)
	}
	if err := checkLocation(nc.Lat, nc.Lng, nc.AccuracyM); err != nil {
		return nil, err
	}
	now = dbTime(now)

	var c *app.AssistanceCall
	err := s.tx(ctx, func(tx *gorm.DB) error {
		caller, err := s.lockCaller(tx, nc.CallerID)
		if err != nil {
			return err
		}
		var open []int64
		err = tx.Model(&app.AssistanceCall{}).Where("caller_id = ? AND status IN ?", caller.ID, openCallStatuses).
			Order("id").Limit(1).Pluck("id", &open).Error
		if err != nil {
			return fmt.Errorf("store: create call: find open call: %w", err)
		}
		if len(open) > 0 {
			return app.Errorf(app.ECONFLICT, "you already have an open call (id %d)", open[0]).WithMessage("call_already_open")
		}
		var recent int64
		err = tx.Model(&app.AssistanceCall{}).Where("caller_id = ?", caller.ID).
			Where(s.timeCompare("created_at", ">"), now.Add(-time.Hour)).Count(&recent).Error
		if err != nil {
			return fmt.Errorf("store: create call: count recent calls: %w", err)
		}
		nth := int(recent) + 1
		booth, err := callBooth(tx, nc, caller)
		if err != nil {
			return err
		}
		onDuty, err := countOnDuty(tx, booth.ID)
		if err != nil {
			return fmt.Errorf("store: create call: count officers on duty: %w", err)
		}

		next := now.Add(time.Duration(booth.AckLimitSeconds) * time.Second)
		c = &app.AssistanceCall{
			StationID: booth.StationID, BoothID: booth.ID, CallerID: &caller.ID, Category: nc.Category,
			Message: message, Silent: nc.Silent, Status: app.CallOpen, NextAlertAt: &next,
			CallsThisHour: nth, Repeated: app.IsRepeatedCall(nth), CreatedAt: now, UpdatedAt: now, Messages: []app.CallMessage{},
		}
		if nc.WrittenAt != nil {
			w := dbTime(*nc.WrittenAt)
			c.WrittenAt = &w
		}
		if nc.Lat != nil {
			c.Lat, c.Lng, c.AccuracyM, c.LocationAt = nc.Lat, nc.Lng, nc.AccuracyM, &now
		}
		if err := tx.Omit(clause.Associations).Create(c).Error; err != nil {
			return fmt.Errorf("store: create call: %w", err)
		}
		first := app.CallEntry{CallID: c.ID, StationID: c.StationID, At: now, ActorID: &caller.ID,
			Kind: kindStatus, To: string(app.CallOpen)}
		if err := tx.Create(&first).Error; err != nil {
			return fmt.Errorf("store: create call: timeline: %w", err)
		}
		c.Timeline = []app.CallEntry{first}
		if c.Lat != nil {
			if err := addPosition(tx, c, *c.Lat, *c.Lng, c.AccuracyM, now); err != nil {
				return err
			}
		}
		err = callEvent(tx, "assistance.created", c, callCreatedEvent{ID: strconv.FormatInt(c.ID, 10), Status: c.Status,
			BoothID: strconv.FormatInt(c.BoothID, 10), Category: c.Category, Silent: c.Silent, EscalationLevel: c.EscalationLevel})
		if err != nil {
			return err
		}
		if err := queueStationAlert(tx, c.StationID, app.CallAlert(app.CallCreatedAlert, c)); err != nil {
			return err
		}
		if err := tellContacts(tx, c); err != nil {
			return err
		}
		if onDuty > 0 {
			return nil
		}
		entry, err := escalate(tx, c, now, reasonNobodyOnDuty)
		if err != nil {
			return err
		}
		c.Timeline = append(c.Timeline, *entry)
		return nil
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		// The unique index on open calls caught what the caller's row lock
		// should already have prevented.
		return nil, (&app.Error{Code: app.ECONFLICT, Message: "you already have an open call", Err: err}).WithMessage("call_already_open")
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// checkLocation checks a phone's position: latitude and longitude both or
// neither, on the globe, and an accuracy that is not negative and comes
// with a position.
func checkLocation(lat, lng, accuracyM *float64) error {
	if (lat == nil) != (lng == nil) {
		return app.Errorf(app.EINVALID, "lat, lng: give both or neither").WithMessage("location_invalid")
	}
	if lat == nil {
		if accuracyM != nil {
			return app.Errorf(app.EINVALID, "accuracy_m: goes with lat and lng").WithMessage("location_invalid").WithField("accuracy_m")
		}
		return nil
	}
	if math.IsNaN(*lat) || *lat < -90 || *lat > 90 || math.IsNaN(*lng) || *lng < -180 || *lng > 180 {
		return app.Errorf(app.EINVALID, "lat, lng: latitude -90 to 90, longitude -180 to 180").WithMessage("location_invalid")
	}
	if accuracyM != nil && (math.IsNaN(*accuracyM) || math.IsInf(*accuracyM, 0) || *accuracyM < 0) {
		return app.Errorf(app.EINVALID, "accuracy_m: a distance in metres, not negative").WithMessage("location_invalid").WithField("accuracy_m")
	}
	return nil
}

// lockCaller loads the resident raising a call. On PostgreSQL their row
// stays locked until the call is stored, so two calls sent at once cannot
// both pass the one-open-call check or get the same hourly count; the lock still lets other
// rows reference the user (NO KEY UPDATE).
func (s *Store) lockCaller(tx *gorm.DB, id int64) (*app.User, error) {
	q := tx
	if s.postgres {
		q = q.Clauses(clause.Locking{Strength: "NO KEY UPDATE"})
	}
	var u app.User
	err := q.First(&u, id).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("store: load caller: %w", err)
	}
	if err != nil || u.Role != app.RoleResident || u.Disabled {
		return nil, app.Errorf(app.EFORBIDDEN, "only residents with an active account call for help").WithMessage("caller_not_resident")
	}
	return &u, nil
}

// callBooth picks the booth a call goes to.
func callBooth(tx *gorm.DB, nc app.NewCall, caller *app.User) (*app.Booth, error) {
	var b app.Booth
	switch {
	case nc.BoothID != 0:
		if err := tx.First(&b, nc.BoothID).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, app.Errorf(app.EINVALID, "booth_id: booth %d does not exist", nc.BoothID)
		} else if err != nil {
			return nil, fmt.Errorf("store: create call: load booth: %w", err)
		}
		return &b, nil
	case caller.HomeBoothID != nil:
		if err := tx.First(&b, *caller.HomeBoothID).Error; err != nil {
			return nil, fmt.Errorf("store: create call: load home booth: %w", err)
		}
		return &b, nil
	case nc.Lat != nil:
		var booths []app.Booth
		if err := tx.Order("id").Find(&booths).Error; err != nil {
			return nil, fmt.Errorf("store: create call: load booths: %w", err)
		}
		if nearest := app.NearestBooth(booths, *nc.Lat, *nc.Lng); nearest != nil {
			return nearest, nil
		}
	}
	if err := tx.Order("id").First(&b).Error; errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, app.Errorf(app.EUNAVAILABLE, "no booth is set up to take calls")
	} else if err != nil {
		return nil, fmt.Errorf("store: create call: load first booth: %w", err)
	}
	return &b, nil
}

// escalate raises an open call's escalation level by one in the caller's
// transaction, sets its next alert with backoff, and writes the timeline
// entry and the assistance.escalated event. It updates c.
func escalate(tx *gorm.DB, c *app.AssistanceCall, now time.Time, reason string) (*app.CallEntry, error) {
	level := c.EscalationLevel + 1
	next := now.Add(app.EscalationDelay(level))
	err := tx.Model(&app.AssistanceCall{}).Where("id = ?", c.ID).
		Updates(map[string]any{"escalation_level": level, "next_alert_at": next, "updated_at": now}).Error
	if err != nil {
		return nil, fmt.Errorf("store: escalate call: %w", err)
	}
	c.EscalationLevel, c.NextAlertAt, c.UpdatedAt = level, &next, now
	note := "not acknowledged"
	if reason == reasonNobodyOnDuty {
		note = "nobody on duty"
	}
	entry := app.CallEntry{CallID: c.ID, StationID: c.StationID, At: now, Kind: kindEscalation,
		From: strconv.Itoa(level - 1), To: strconv.Itoa(level), Note: note}
	if err := tx.Create(&entry).Error; err != nil {
		return nil, fmt.Errorf("store: escalate call: timeline: %w", err)
	}
	err = callEvent(tx, "assistance.escalated", c, callEscalatedEvent{ID: strconv.FormatInt(c.ID, 10), Status: c.Status,
		BoothID: strconv.FormatInt(c.BoothID, 10), EscalationLevel: level, Reason: reason})
	if err != nil {
		return nil, err
	}
	// The heads are texted through the outbox: no escalation step and no
	// caller waits on the SMS gateway.
	if err := queueHeadTexts(tx, c.StationID, "sms.escalation", map[string]any{"ID": strconv.FormatInt(c.ID, 10), "Level": level}); err != nil {
		return nil, err
	}
	return &entry, nil
}

// callsInScope narrows a query of calls to what scope may see: a caller's
// own, a station's, or both. ok is false for a scope of neither.
func callsInScope(q *gorm.DB, scope app.CallScope) (_ *gorm.DB, ok bool) {
	if scope.CallerID == 0 && scope.StationID == 0 {
		return q, false
	}
	if scope.CallerID != 0 {
		q = q.Where("assistance_calls.caller_id = ?", scope.CallerID)
	}
	if scope.StationID != 0 {
		q = q.Where("assistance_calls.station_id = ?", scope.StationID)
	}
	return q, true
}

// withCallDetails preloads a call's timeline in time order and its messages.
func withCallDetails(q *gorm.DB) *gorm.DB {
	return q.Preload("Timeline", func(db *gorm.DB) *gorm.DB { return db.Order("at, id") }).
		Preload("Messages", func(db *gorm.DB) *gorm.DB { return db.Order("id") })
}

// FindCall returns a call in scope with its timeline and messages.
func (s *Store) FindCall(ctx context.Context, id int64, scope app.CallScope) (*app.AssistanceCall, error) {
	q, ok := callsInScope(s.db.WithContext(ctx).Model(&app.AssistanceCall{}), scope)
	if !ok {
		return nil, app.ErrNotFound
	}
	var c app.AssistanceCall
	if err := withCallDetails(q).First(&c, id).Error; err != nil {
		return nil, notFound("find call", err)
	}
	return &c, nil
}

// ListCalls returns calls in scope, newest first, with their timelines and
// messages. EINVALID for a scope with neither a caller nor a station.
func (s *Store) ListCalls(ctx context.Context, scope app.CallScope, openOnly bool, before int64, limit int) ([]app.AssistanceCall, error) {
	q, ok := callsInScope(s.db.WithContext(ctx).Model(&app.AssistanceCall{}), scope)
	if !ok {
		return nil, app.Errorf(app.EINVALID, "a list of calls is a caller's or a station's")
	}
	if openOnly {
		q = q.Where("assistance_calls.status IN ?", openCallStatuses)
	}
	if before != 0 { // keyset: the page after the one that ended at before
		q = q.Where("assistance_calls.id < ?", before)
	}
	list := []app.AssistanceCall{}
	if err := withCallDetails(q).Order("assistance_calls.id DESC").Limit(listLimit(limit)).Find(&list).Error; err != nil {
		return nil, fmt.Errorf("store: list calls: %w", err)
	}
	return list, nil
}

// lockCall loads a call in scope for a change; on PostgreSQL its row stays
// locked until the transaction ends (SQLite's immediate transactions
// already hold the write lock).
func (s *Store) lockCall(tx *gorm.DB, id int64, scope app.CallScope) (*app.AssistanceCall, error) {
	q, ok := callsInScope(tx.Model(&app.AssistanceCall{}), scope)
	if !ok {
		return nil, app.ErrNotFound
	}
	if s.postgres {
		q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
	}
	var c app.AssistanceCall
	if err := q.First(&c, id).Error; err != nil {
		return nil, notFound("load call", err)
	}
	return &c, nil
}

// UpdateLocation records the caller's newer position on their open call,
// with a timeline entry that holds the accuracy but no coordinates.
func (s *Store) UpdateLocation(ctx context.Context, id, callerID int64, lat, lng, accuracyM float64, now time.Time) error {
	if callerID == 0 {
		return app.ErrNotFound
	}
	if err := checkLocation(&lat, &lng, &accuracyM); err != nil {
		return err
	}
	now = dbTime(now)
	return s.tx(ctx, func(tx *gorm.DB) error {
		c, err := s.lockCall(tx, id, app.CallScope{CallerID: callerID})
		if err != nil {
			return err
		}
		if !c.Status.Open() {
			return app.Errorf(app.ECONFLICT, "the call is %s", c.Status).WithMessage("call_closed")
		}
		err = tx.Model(&app.AssistanceCall{}).Where("id = ?", c.ID).Updates(map[string]any{
			"lat": lat, "lng": lng, "accuracy_m": accuracyM, "location_at": now, "updated_at": now}).Error
		if err != nil {
			return fmt.Errorf("store: update call location: %w", err)
		}
		if err := addPosition(tx, c, lat, lng, &accuracyM, now); err != nil {
			return err
		}
		entry := app.CallEntry{CallID: c.ID, StationID: c.StationID, At: now, ActorID: &callerID, Kind: kindLocation,
			Note: fmt.Sprintf("±%.0f m", accuracyM)}
		if err := tx.Create(&entry).Error; err != nil {
			return fmt.Errorf("store: update call location: timeline: %w", err)
		}
		p := callUpdated(c)
		p.LocationUpdated = true
		return callEvent(tx, "assistance.updated", c, p)
	})
}

// AddCallMessage adds a short message to an open call in scope. With a
// caller scope the caller writes it (authorID, if given, must be theirs);
// with a station scope authorID must be an active officer or head of that
// station (EFORBIDDEN otherwise).
func (s *Store) AddCallMessage(ctx context.Context, id int64, scope app.CallScope, authorID int64, text string, now time.Time) (*app.CallMessage, error) {
	text = strings.TrimSpace(text)
	if text == "" || utf8.RuneCountInString(text) > maxCallTextLen {
		return nil, app.Errorf(app.EINVALID, "text: 1 to %d characters", maxCallTextLen).WithMessage("text_length", "Max", maxCallTextLen)
	}
	if scope.CallerID != 0 {
		if authorID != 0 && authorID != scope.CallerID {
			return nil, app.Errorf(app.EFORBIDDEN, "a caller writes only as themselves")
		}
		authorID = scope.CallerID
	}
	now = dbTime(now)
	var m app.CallMessage
	err := s.tx(ctx, func(tx *gorm.DB) error {
		c, err := s.lockCall(tx, id, scope)
		if err != nil {
			return err
		}
		if scope.CallerID == 0 {
			if err := checkCallStaff(tx, authorID, c.StationID); err != nil {
				return err
			}
		}
		if !c.Status.Open() {
			return app.Errorf(app.ECONFLICT, "the call is %s; it takes no more messages", c.Status).WithMessage("call_closed")
		}
		m = app.CallMessage{CallID: c.ID, StationID: c.StationID, AuthorID: authorID, Text: text, CreatedAt: now}
		if err := tx.Create(&m).Error; err != nil {
			return fmt.Errorf("store: add call message: %w", err)
		}
		entry := app.CallEntry{CallID: c.ID, StationID: c.StationID, At: now, ActorID: &authorID, Kind: kindMessage,
			To: strconv.FormatInt(m.ID, 10)}
		if err := tx.Create(&entry).Error; err != nil {
			return fmt.Errorf("store: add call message: timeline: %w", err)
		}
		if err := tx.Model(&app.AssistanceCall{}).Where("id = ?", c.ID).Update("updated_at", now).Error; err != nil {
			return fmt.Errorf("store: add call message: %w", err)
		}
		var n int64
		if err := tx.Model(&app.CallMessage{}).Where("call_id = ?", c.ID).Count(&n).Error; err != nil {
			return fmt.Errorf("store: add call message: count: %w", err)
		}
		p := callUpdated(c)
		p.Messages = int(n)
		if err := callEvent(tx, "assistance.updated", c, p); err != nil {
			return err
		}
		if scope.CallerID == 0 {
			return s.tellClosedPage(tx, c, authorID, app.TextCallMessage)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// checkCallStaff checks that a user may act on a call of a station: an
// officer or head of it whose account is enabled.
func checkCallStaff(tx *gorm.DB, userID, stationID int64) error {
	var u app.User
	err := tx.First(&u, userID).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return fmt.Errorf("store: load officer: %w", err)
	}
	if err != nil || !u.Role.Staff() || u.StationID == nil || *u.StationID != stationID || u.Disabled {
		return app.Errorf(app.EFORBIDDEN, "only an active officer or head of the call's station can do that").WithMessage("not_station_staff")
	}
	return nil
}

// MoveCall changes the status of a call in scope and returns it with its
// timeline and messages. A scope with a CallerID is the caller's move: they
// may only cancel. With a station scope actorID must be an active officer
// or head of the station (EFORBIDDEN otherwise). An acknowledgement
// repeated by the officer who holds the call changes nothing.
func (s *Store) MoveCall(ctx context.Context, id int64, scope app.CallScope, actorID int64, to app.CallStatus, note string, now time.Time) (*app.AssistanceCall, error) {
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > maxCallTextLen {
		return nil, app.Errorf(app.EINVALID, "note: at most %d characters", maxCallTextLen).WithMessage("text_too_long", "Max", maxCallTextLen)
	}
	byCaller := scope.CallerID != 0
	if byCaller {
		actorID = scope.CallerID
	}
	now = dbTime(now)
	var fresh app.AssistanceCall
	err := s.tx(ctx, func(tx *gorm.DB) error {
		c, err := s.lockCall(tx, id, scope)
		if err != nil {
			return err
		}
		if !byCaller {
			if err := checkCallStaff(tx, actorID, c.StationID); err != nil {
				return err
			}
		}
		if to == app.CallAcknowledged && !byCaller && c.Status != app.CallOpen {
			if c.AcknowledgedBy != nil && *c.AcknowledgedBy == actorID {
				if err := withCallDetails(tx).First(&fresh, c.ID).Error; err != nil {
					return fmt.Errorf("store: move call: reload: %w", err)
				}
				return nil
			}
			return alreadyAcknowledged(tx, c)
		}
		if err := app.CheckCallMove(c.Status, to, byCaller); err != nil {
			return err
		}
		updates := map[string]any{"status": to, "updated_at": now}
		switch {
		case to == app.CallAcknowledged:
			updates["acknowledged_by"], updates["acknowledged_at"], updates["next_alert_at"] = actorID, now, nil
		case !to.Open():
			updates["closed_at"], updates["next_alert_at"] = now, nil
		}
		if err := tx.Model(&app.AssistanceCall{}).Where("id = ?", c.ID).Updates(updates).Error; err != nil {
			return fmt.Errorf("store: move call: %w", err)
		}
		entry := app.CallEntry{CallID: c.ID, StationID: c.StationID, At: now, ActorID: &actorID, Kind: kindStatus,
			From: string(c.Status), To: string(to), Note: note}
		if err := tx.Create(&entry).Error; err != nil {
			return fmt.Errorf("store: move call: timeline: %w", err)
		}
		if err := withCallDetails(tx).First(&fresh, c.ID).Error; err != nil {
			return fmt.Errorf("store: move call: reload: %w", err)
		}
		p := callUpdated(&fresh)
		p.AcknowledgedBy = idString(fresh.AcknowledgedBy)
		if err := callEvent(tx, "assistance.updated", &fresh, p); err != nil {
			return err
		}
		if to == app.CallAcknowledged && !byCaller {
			if err := s.tellClosedPage(tx, &fresh, actorID, app.TextCallAcknowledged); err != nil {
				return err
			}
		}
		return tellContacts(tx, &fresh)
	})
	if err != nil {
		return nil, err
	}
	return &fresh, nil
}

// alreadyAcknowledged is the conflict a later acknowledgement gets: it
// names the officer who has the call.
func alreadyAcknowledged(tx *gorm.DB, c *app.AssistanceCall) error {
	if c.AcknowledgedBy == nil {
		return app.Errorf(app.ECONFLICT, "the call is already %s", c.Status).WithMessage("call_taken_already")
	}
	var names []string
	if err := tx.Model(&app.User{}).Where("id = ?", *c.AcknowledgedBy).Pluck("name", &names).Error; err != nil {
		return fmt.Errorf("store: load acknowledging officer: %w", err)
	}
	if len(names) == 0 {
		return app.Errorf(app.ECONFLICT, "the call is already %s", c.Status).WithMessage("call_taken_already")
	}
	return app.Errorf(app.ECONFLICT, "already acknowledged by %s", names[0]).WithMessage("call_taken", "Name", names[0])
}

// EscalateDue escalates every open, unacknowledged call whose next alert
// is due at now, in transactions of up to 100 calls. On PostgreSQL each
// transaction claims its calls with FOR UPDATE SKIP LOCKED, so instances
// running it together never take the same step twice; on SQLite the
// immediate transactions take turns and a later one no longer finds the
// calls due. It returns the steps committed, also when a later batch
// fails.
func (s *Store) EscalateDue(ctx context.Context, now time.Time) ([]app.Escalation, error) {
	now = dbTime(now)
	db := s.db.WithContext(ctx)
	due := func(q *gorm.DB) *gorm.DB {
		// The literal condition matches the partial index assistance_calls_due.
		return q.Model(&app.AssistanceCall{}).Where("status = 'open' AND acknowledged_by IS NULL").
			Where(s.timeCompare("next_alert_at", "<="), now)
	}
	// A look without a transaction first: most ticks find nothing, and on
	// SQLite an immediate transaction would take the write lock for it.
	var found []int64
	if err := due(db).Limit(1).Pluck("id", &found).Error; err != nil {
		return nil, fmt.Errorf("store: escalate: %w", err)
	}
	if len(found) == 0 {
		return nil, nil
	}
	var out []app.Escalation
	for {
		var batch []app.Escalation
		err := db.Transaction(func(tx *gorm.DB) error {
			q := due(tx).Order("next_alert_at, id").Limit(escalationBatch)
			if s.postgres {
				q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate, Options: clause.LockingOptionsSkipLocked})
			}
			var calls []app.AssistanceCall
			if err := q.Find(&calls).Error; err != nil {
				return fmt.Errorf("store: escalate: claim calls: %w", err)
			}
			for i := range calls {
				if _, err := escalate(tx, &calls[i], now, reasonNotAcknowledged); err != nil {
					return err
				}
				if err := queueStationAlert(tx, calls[i].StationID, app.CallAlert(app.CallEscalatedAlert, &calls[i])); err != nil {
					return err
				}
				batch = append(batch, app.Escalation{Call: calls[i], Level: calls[i].EscalationLevel})
			}
			return nil
		})
		if err != nil {
			return out, err
		}
		if len(batch) > 0 && s.afterCommit != nil {
			s.afterCommit()
		}
		if len(batch) > 0 && s.afterMessage != nil {
			s.afterMessage()
		}
		out = append(out, batch...)
		if len(batch) < escalationBatch {
			return out, nil
		}
	}
}
