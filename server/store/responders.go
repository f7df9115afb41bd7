package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"policebooth/server/app"
)

var _ app.ResponderService = (*Store)(nil)

// callAssistedEvent is the payload of the assistance.updated event a
// guard's or volunteer's answer raises: ids and statuses, no names.
type callAssistedEvent struct {
	ID     string           `json:"id"`
	Status app.CallStatus   `json:"status"`
	Assist app.AssistStatus `json:"assist"`
}

// responder loads an enabled guard or volunteer.
func responder(tx *gorm.DB, userID int64) (*app.User, error) {
	var u app.User
	err := tx.First(&u, userID).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("store: load responder: %w", err)
	}
	if err != nil || !u.Role.Responder() || u.Disabled || u.BoothID == nil {
		return nil, app.Errorf(app.EFORBIDDEN, "only guards and volunteers answer their booth's calls")
	}
	return &u, nil
}

// SetAvailability marks a guard or volunteer available or not.
func (s *Store) SetAvailability(ctx context.Context, userID int64, available bool) (*app.User, error) {
	var u *app.User
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var err error
		if u, err = responder(tx, userID); err != nil {
			return err
		}
		u.Available, u.UpdatedAt = available, s.Now()
		if err := tx.Model(u).Updates(map[string]any{"available": available, "updated_at": u.UpdatedAt}).Error; err != nil {
			return fmt.Errorf("store: set availability: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// ResponderCalls returns the open calls of an available responder's booth.
func (s *Store) ResponderCalls(ctx context.Context, userID int64) ([]app.AssistanceCall, error) {
	u, err := responder(s.db.WithContext(ctx), userID)
	if err != nil {
		return nil, err
	}
	calls := []app.AssistanceCall{}
	if !u.Available {
		return calls, nil
	}
	err = s.db.WithContext(ctx).Where("booth_id = ? AND status IN ?", *u.BoothID, openCallStatuses).
		Order("id DESC").Limit(listLimit(100)).Find(&calls).Error
	if err != nil {
		return nil, fmt.Errorf("store: responder calls: %w", err)
	}
	return calls, nil
}

// AssistCall records a responder's answer to an open call of their booth.
func (s *Store) AssistCall(ctx context.Context, callID, userID int64, status app.AssistStatus, now time.Time) (*app.CallAssist, error) {
	if !status.Valid() {
		return nil, app.Errorf(app.EINVALID, "status: on_my_way or arrived").WithMessage("assist_status")
	}
	var a *app.CallAssist
	err := s.tx(ctx, func(tx *gorm.DB) error {
		u, err := responder(tx, userID)
		if err != nil {
			return err
		}
		var c app.AssistanceCall
		if err := tx.Where("id = ? AND booth_id = ?", callID, *u.BoothID).First(&c).Error; err != nil {
			return notFound("assist call", err)
		}
		if !c.Status.Open() {
			return app.Errorf(app.ECONFLICT, "the call is closed").WithMessage("call_closed")
		}
		if !u.Available {
			return app.Errorf(app.ECONFLICT, "mark yourself available first").WithMessage("responder_unavailable")
		}
		a = &app.CallAssist{CallID: c.ID, StationID: c.StationID, UserID: &u.ID, Status: status, CreatedAt: dbTime(now)}
		if err := tx.Create(a).Error; err != nil {
			return fmt.Errorf("store: assist call: %w", err)
		}
		return callEvent(tx, "assistance.updated", &c, callAssistedEvent{ID: strconv.FormatInt(c.ID, 10), Status: c.Status, Assist: status})
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// CallAssists returns a call's answers from guards and volunteers.
func (s *Store) CallAssists(ctx context.Context, callID int64) ([]app.CallAssist, error) {
	out := []app.CallAssist{}
	if err := s.db.WithContext(ctx).Where("call_id = ?", callID).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: call assists: %w", err)
	}
	return out, nil
}

// SetVolunteersVisible sets whether a booth's callers see that a community
// volunteer is on the way, and audits it.
func (s *Store) SetVolunteersVisible(ctx context.Context, actor app.Actor, stationID, boothID int64, visible bool) (*app.Booth, error) {
	var b app.Booth
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("id = ? AND station_id = ?", boothID, stationID).First(&b).Error; err != nil {
			return notFound("set volunteers visible", err)
		}
		b.VolunteersVisible, b.UpdatedAt = visible, s.Now()
		if err := tx.Model(&b).Updates(map[string]any{"volunteers_visible": visible, "updated_at": b.UpdatedAt}).Error; err != nil {
			return fmt.Errorf("store: set volunteers visible: %w", err)
		}
		return audit(tx, &app.AuditEntry{StationID: &b.StationID, ActorID: actorID(actor), IP: actor.IP,
			Action: "booth.volunteers_visible", Target: fmt.Sprintf("booth/%d", b.ID), Detail: strconv.FormatBool(visible)})
	})
	if err != nil {
		return nil, err
	}
	return &b, nil
}
