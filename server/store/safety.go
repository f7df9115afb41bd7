package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"policebooth/server/app"
)

var _ app.SafetyService = (*Store)(nil)

// kindHandoff is the timeline kind of a hand-off to 110/120/119: To holds
// the number, Note the other service's reference.
const kindHandoff = "handoff"

// maxTrail is how many positions a call's trail shows.
const maxTrail = 10

// SafetyProfile returns a resident's profile, or an empty one.
func (s *Store) SafetyProfile(ctx context.Context, userID int64) (*app.SafetyProfile, error) {
	return safetyProfile(s.db.WithContext(ctx), userID)
}

func safetyProfile(tx *gorm.DB, userID int64) (*app.SafetyProfile, error) {
	var p app.SafetyProfile
	err := tx.Where("user_id = ?", userID).First(&p).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return &app.SafetyProfile{UserID: userID, Needs: []string{}, EmergencyContacts: []app.EmergencyContact{}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: load safety profile: %w", err)
	}
	if p.Needs == nil {
		p.Needs = []string{}
	}
	if p.EmergencyContacts == nil {
		p.EmergencyContacts = []app.EmergencyContact{}
	}
	return &p, nil
}

// SaveSafetyProfile validates and stores a resident's profile, replacing
// the one they had.
func (s *Store) SaveSafetyProfile(ctx context.Context, userID int64, p *app.SafetyProfile) error {
	if err := p.Validate(); err != nil {
		return err
	}
	p.UserID = userID
	p.UpdatedAt = s.Now()
	return s.tx(ctx, func(tx *gorm.DB) error {
		var u app.User
		if err := tx.First(&u, userID).Error; err != nil {
			return notFound("save safety profile: load user", err)
		}
		if u.Role != app.RoleResident {
			return app.Errorf(app.EFORBIDDEN, "only residents keep a safety profile")
		}
		err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "user_id"}}, UpdateAll: true}).Create(p).Error
		if err != nil {
			return fmt.Errorf("store: save safety profile: %w", err)
		}
		return nil
	})
}

// CallerViews returns what the staff of a station see of the callers of
// the given calls, and audits the views as "call.caller_view": one entry
// per viewer, call, way of viewing (via) and what was seen (the safety
// profile or not). A view already audited so is not written again, so
// the board, which renders on every event, writes nothing on most renders
// while the log still says who saw which caller, how and when first.
func (s *Store) CallerViews(ctx context.Context, stationID, viewerID int64, ids []int64, ip, via string) (map[int64]app.CallerView, error) {
	out := map[int64]app.CallerView{}
	if len(ids) == 0 || stationID == 0 {
		return out, nil
	}
	type row struct {
		CallID    int64
		Status    app.CallStatus
		CallerID  int64
		Name      string
		Phone     string
		ElderMode *bool
	}
	var rows []row
	db := s.db.WithContext(ctx)
	err := db.Table("assistance_calls c").
		Select("c.id AS call_id, c.status, u.id AS caller_id, u.name, u.phone, u.elder_mode").
		Joins("JOIN users u ON u.id = c.caller_id").
		Where("c.station_id = ? AND c.id IN ?", stationID, ids).Order("c.id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: caller views: %w", err)
	}
	if len(rows) == 0 {
		return out, nil
	}
	views := make([]app.AuditEntry, 0, len(rows))
	targets := make([]string, 0, len(rows))
	for _, r := range rows {
		v := app.CallerView{Caller: &app.CallerIdentity{Name: r.Name, Phone: r.Phone, ElderMode: r.ElderMode != nil && *r.ElderMode}}
		detail := via
		if r.Status.Open() {
			p, err := safetyProfile(db, r.CallerID)
			if err != nil {
				return nil, err
			}
			if !p.Empty() {
				v.Profile = p
				detail += ", with safety profile"
			}
		}
		out[r.CallID] = v
		target := "call/" + strconv.FormatInt(r.CallID, 10)
		targets = append(targets, target)
		views = append(views, app.AuditEntry{StationID: &stationID, ActorID: &viewerID, Action: callerViewAction, Target: target, Detail: detail, IP: ip})
	}
	type seenView struct{ Target, Detail string }
	var seen []seenView
	err = db.Model(&app.AuditEntry{}).Select("target, detail").
		Where("actor_id = ? AND action = ? AND target IN ?", viewerID, callerViewAction, targets).Scan(&seen).Error
	if err != nil {
		return nil, fmt.Errorf("store: caller views: audited: %w", err)
	}
	views = slices.DeleteFunc(views, func(e app.AuditEntry) bool {
		return slices.Contains(seen, seenView{e.Target, e.Detail})
	})
	if len(views) == 0 {
		return out, nil
	}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		for i := range views {
			if err := audit(tx, &views[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// callerViewAction is the audit action of a staff view of a caller.
const callerViewAction = "call.caller_view"

// CallTrail returns a call's last positions, newest first.
func (s *Store) CallTrail(ctx context.Context, callID int64, limit int) ([]app.CallPosition, error) {
	if limit <= 0 || limit > maxTrail {
		limit = maxTrail
	}
	trail := []app.CallPosition{}
	if err := s.db.WithContext(ctx).Where("call_id = ?", callID).Order("id DESC").Limit(limit).Find(&trail).Error; err != nil {
		return nil, fmt.Errorf("store: call trail: %w", err)
	}
	return trail, nil
}

// addPosition appends a position to a call's trail in the caller's
// transaction.
func addPosition(tx *gorm.DB, c *app.AssistanceCall, lat, lng float64, accuracyM *float64, at time.Time) error {
	p := app.CallPosition{CallID: c.ID, StationID: c.StationID, Lat: lat, Lng: lng, AccuracyM: accuracyM, At: at}
	if err := tx.Create(&p).Error; err != nil {
		return fmt.Errorf("store: call trail: %w", err)
	}
	return nil
}

// HandOffCall records a hand-off of a call to 110, 120 or 119.
func (s *Store) HandOffCall(ctx context.Context, id int64, scope app.CallScope, actorID int64, to, reference string, now time.Time) (*app.AssistanceCall, error) {
	reference, err := app.CheckHandoff(to, reference)
	if err != nil {
		return nil, err
	}
	if scope.StationID == 0 {
		return nil, app.ErrNotFound // only station staff hand calls off
	}
	now = dbTime(now)
	var fresh app.AssistanceCall
	err = s.tx(ctx, func(tx *gorm.DB) error {
		c, err := s.lockCall(tx, id, scope)
		if err != nil {
			return err
		}
		if err := checkCallStaff(tx, actorID, c.StationID); err != nil {
			return err
		}
		entry := app.CallEntry{CallID: c.ID, StationID: c.StationID, At: now, ActorID: &actorID, Kind: kindHandoff, To: to, Note: reference}
		if err := tx.Create(&entry).Error; err != nil {
			return fmt.Errorf("store: hand off call: %w", err)
		}
		if err := tx.Model(&app.AssistanceCall{}).Where("id = ?", c.ID).Update("updated_at", now).Error; err != nil {
			return fmt.Errorf("store: hand off call: %w", err)
		}
		if err := withCallDetails(tx).First(&fresh, c.ID).Error; err != nil {
			return fmt.Errorf("store: hand off call: reload: %w", err)
		}
		return callEvent(tx, "assistance.updated", &fresh, callUpdated(&fresh))
	})
	if err != nil {
		return nil, err
	}
	return &fresh, nil
}

// handoffFigures counts the hand-offs to 110/120/119 recorded in the
// period at the station (or booth), by number.
func (s *Store) handoffFigures(db *gorm.DB, q app.FigureQuery, from, to time.Time, f *app.Figures) error {
	// By the entry's own station, so the hand-offs' partial index reads
	// the period's few rows rather than every call's timeline.
	d := db.Table("call_entries e").Where("e.kind = ? AND e.station_id = ?", kindHandoff, q.StationID).
		Where(s.timeCompare("e.at", ">="), from).Where(s.timeCompare("e.at", "<"), to)
	if q.BoothID != 0 {
		d = d.Joins("JOIN assistance_calls c ON c.id = e.call_id").Where("c.booth_id = ?", q.BoothID)
	}
	var rows []struct {
		Target string
		N      int
	}
	if err := d.Select("e.to_status AS target, count(*) AS n").Group("e.to_status").Scan(&rows).Error; err != nil {
		return fmt.Errorf("store: figures: hand-offs: %w", err)
	}
	for _, r := range rows {
		f.Handoffs[r.Target] = r.N
	}
	return nil
}
