package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"policebooth/server/app"
)

// CareScope is app.CareScope.
type CareScope = app.CareScope

// careWhere narrows q to what sc may see.
func careWhere(sc app.CareScope, q *gorm.DB) *gorm.DB {
	if sc.ResidentID != 0 {
		return q.Where("resident_id = ?", sc.ResidentID)
	}
	return q.Where("station_id = ?", sc.StationID)
}

func withReasons(e *app.CareEnrolment) *app.CareEnrolment {
	e.Reasons = strings.Split(e.ReasonCodes, ",")
	return e
}

// visitEvent is the payload of visit.recorded: ids and codes only.
type visitEvent struct {
	ID        string `json:"id"`
	Status    string `json:"status"` // the outcome
	Wellbeing string `json:"wellbeing,omitempty"`
}

// Enrol puts a resident on the care register: by themselves (their own
// consent), or by an officer of station who records who consented. The
// visits are planned at the booth asked for, else the resident's home
// booth, which must be of the station. ECONFLICT when already enrolled.
func (s *Store) Enrol(ctx context.Context, n app.NewEnrolment, station int64, now time.Time) (*app.CareEnrolment, error) {
	if err := n.Validate(); err != nil {
		return nil, err
	}
	now = dbTime(now)
	var e *app.CareEnrolment
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var u app.User
		if err := tx.First(&u, n.ResidentID).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return app.Errorf(app.EINVALID, "no resident with that phone")
			}
			return fmt.Errorf("store: enrol: %w", err)
		}
		if u.Role != app.RoleResident || u.Disabled {
			return app.Errorf(app.EINVALID, "no resident with that phone")
		}
		boothID := n.BoothID
		if boothID == 0 && u.HomeBoothID != nil {
			boothID = *u.HomeBoothID
		}
		if boothID == 0 {
			return app.Errorf(app.EINVALID, "booth_id: choose the booth whose officers visit (the resident has no home booth)").WithField("booth_id")
		}
		var b app.Booth
		if err := tx.First(&b, boothID).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return app.Errorf(app.EINVALID, "booth_id: no such booth").WithField("booth_id")
			}
			return fmt.Errorf("store: enrol: %w", err)
		}
		if station != 0 && b.StationID != station {
			return app.Errorf(app.EINVALID, "booth_id: a booth of your station").WithField("booth_id")
		}
		var n2 int64
		if err := tx.Model(&app.CareEnrolment{}).Where("resident_id = ?", u.ID).Count(&n2).Error; err != nil {
			return fmt.Errorf("store: enrol: %w", err)
		}
		if n2 > 0 {
			return app.Errorf(app.ECONFLICT, "already on the care register")
		}
		e = &app.CareEnrolment{StationID: b.StationID, BoothID: b.ID, ResidentID: u.ID, ReasonCodes: strings.Join(n.Reasons, ","),
			Cadence: n.Cadence, PreferredTimes: n.PreferredTimes, Note: n.Note, ConsentBy: n.ConsentBy, ConsentName: n.ConsentName,
			ConsentAt: now, EnrolledBy: n.EnrolledBy, CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(e).Error; err != nil {
			return fmt.Errorf("store: enrol: %w", err)
		}
		if n.ByStaff {
			return audit(tx, &app.AuditEntry{StationID: &b.StationID, ActorID: &n.EnrolledBy, Action: "care.enrol",
				Target: "care_enrolment:" + strconv.FormatInt(e.ID, 10), Detail: "consent: " + n.ConsentBy, CreatedAt: now})
		}
		return nil
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return nil, &app.Error{Code: app.ECONFLICT, Message: "already on the care register", Err: err}
	}
	if err != nil {
		return nil, err
	}
	return withReasons(e), nil
}

// FindEnrolment returns an enrolment in scope.
func (s *Store) FindEnrolment(ctx context.Context, id int64, scope CareScope) (*app.CareEnrolment, error) {
	var e app.CareEnrolment
	if err := careWhere(scope, s.db.WithContext(ctx)).First(&e, id).Error; err != nil {
		return nil, notFound("find enrolment", err)
	}
	return withReasons(&e), nil
}

// ListEnrolments lists the enrolments in scope (at one booth, when not
// 0), oldest first.
func (s *Store) ListEnrolments(ctx context.Context, scope CareScope, boothID int64) ([]app.CareEnrolment, error) {
	q := careWhere(scope, s.db.WithContext(ctx))
	if boothID != 0 {
		q = q.Where("booth_id = ?", boothID)
	}
	out := []app.CareEnrolment{}
	if err := q.Order("id").Limit(1000).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: list enrolments: %w", err)
	}
	for i := range out {
		withReasons(&out[i])
	}
	return out, nil
}

// LeaveCare takes a resident off the care register; the visits made stay
// on their page, no longer linked to an enrolment.
func (s *Store) LeaveCare(ctx context.Context, id, residentID int64) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Where("resident_id = ?", residentID).Delete(&app.CareEnrolment{}, id)
		if res.Error != nil {
			return fmt.Errorf("store: leave care register: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return app.ErrNotFound
		}
		return nil
	})
}

// lastVisits returns the newest visit of each enrolment named.
func lastVisits(tx *gorm.DB, ids []int64) (map[int64]*app.CareVisit, error) {
	out := map[int64]*app.CareVisit{}
	if len(ids) == 0 {
		return out, nil
	}
	var visits []app.CareVisit
	err := tx.Where("enrolment_id IN ?", ids).
		Where("id IN (SELECT MAX(id) FROM care_visits WHERE enrolment_id IN ? GROUP BY enrolment_id)", ids).Find(&visits).Error
	if err != nil {
		return nil, fmt.Errorf("store: last visits: %w", err)
	}
	for i := range visits {
		out[*visits[i].EnrolmentID] = &visits[i]
	}
	return out, nil
}

// DueVisits lists the residents of a booth (all the station's, when 0)
// whose visit is due today or overdue in loc, or who have an open
// follow-up: overdue first, then by due day.
func (s *Store) DueVisits(ctx context.Context, station, boothID int64, now time.Time, loc *time.Location) ([]app.DueVisit, error) {
	db := s.db.WithContext(ctx)
	enrolments, err := s.ListEnrolments(ctx, CareScope{StationID: station}, boothID)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(enrolments))
	residents := make([]int64, len(enrolments))
	for i, e := range enrolments {
		ids[i], residents[i] = e.ID, e.ResidentID
	}
	last, err := lastVisits(db, ids)
	if err != nil {
		return nil, err
	}
	var followUps []int64
	if len(ids) > 0 {
		err = db.Model(&app.CareVisit{}).Where("enrolment_id IN ? AND follow_up = ? AND follow_up_closed_at IS NULL", ids, true).
			Distinct().Pluck("enrolment_id", &followUps).Error
		if err != nil {
			return nil, fmt.Errorf("store: due visits: follow-ups: %w", err)
		}
	}
	names := map[int64]string{}
	if len(residents) > 0 {
		var users []app.User
		if err := db.Select("id", "name").Where("id IN ?", residents).Find(&users).Error; err != nil {
			return nil, fmt.Errorf("store: due visits: names: %w", err)
		}
		for _, u := range users {
			names[u.ID] = u.Name
		}
	}
	local := now.In(loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	out := []app.DueVisit{}
	for _, e := range enrolments {
		lv := last[e.ID]
		due := app.NextVisitDue(e.CreatedAt, e.Cadence, lv, loc)
		followUp := slices.Contains(followUps, e.ID)
		if due.After(today) && !followUp {
			continue
		}
		d := app.DueVisit{EnrolmentID: e.ID, ResidentID: e.ResidentID, ResidentName: names[e.ResidentID], BoothID: e.BoothID,
			Reasons: e.Reasons, Cadence: e.Cadence, PreferredTimes: e.PreferredTimes, DueOn: due.Format(time.DateOnly),
			Overdue: due.Before(today), FollowUp: followUp}
		if lv != nil {
			at := lv.VisitedAt
			d.LastVisitAt, d.LastOutcome = &at, lv.Outcome
		}
		out = append(out, d)
	}
	slices.SortStableFunc(out, func(a, b app.DueVisit) int { return strings.Compare(a.DueOn, b.DueOn) })
	return out, nil
}

// RecordVisit records an officer's visit to a resident of their station's
// register. The officer must be clocked in: the visit goes in their shift
// log as their own entry, linked to the visit. needs_help opens a
// follow-up that stays on the booth's list until a later visit; urgent
// opens an assistance call for the resident, already acknowledged by the
// officer (or links the resident's call already open). ECONFLICT when the
// officer is off duty.
func (s *Store) RecordVisit(ctx context.Context, nv app.NewVisit, station int64, now time.Time) (*app.CareVisit, error) {
	now = dbTime(now)
	if err := nv.Validate(now); err != nil {
		return nil, err
	}
	var v *app.CareVisit
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var e app.CareEnrolment
		if err := tx.Where("station_id = ?", station).First(&e, nv.EnrolmentID).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return app.Errorf(app.EINVALID, "enrolment_id: no such enrolment at your station").WithField("enrolment_id")
			}
			return fmt.Errorf("store: record visit: %w", err)
		}
		var sh app.Shift
		q := tx.Where("officer_id = ? AND ended_at IS NULL", nv.OfficerID)
		if s.postgres {
			q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
		}
		if err := q.First(&sh).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return app.Errorf(app.ECONFLICT, "clock in first: a visit goes in your shift log")
			}
			return fmt.Errorf("store: record visit: shift: %w", err)
		}
		v = &app.CareVisit{StationID: e.StationID, BoothID: e.BoothID, EnrolmentID: &e.ID, ResidentID: e.ResidentID,
			OfficerID: nv.OfficerID, ShiftID: sh.ID, Outcome: nv.Outcome, Wellbeing: nv.Wellbeing, FraudWarningGiven: nv.FraudWarningGiven,
			Note: nv.Note, FollowUp: nv.Wellbeing == app.WellbeingNeedsHelp, VisitedAt: now, CreatedAt: now}
		if nv.WrittenAt != nil {
			w := dbTime(*nv.WrittenAt)
			v.WrittenAt, v.VisitedAt = &w, w
		}
		if nv.Outcome == app.VisitVisited {
			// Seeing the resident closes the follow-ups of earlier visits.
			err := tx.Model(&app.CareVisit{}).Where("enrolment_id = ? AND follow_up = ? AND follow_up_closed_at IS NULL", e.ID, true).
				Update("follow_up_closed_at", now).Error
			if err != nil {
				return fmt.Errorf("store: record visit: close follow-ups: %w", err)
			}
		}
		if nv.Wellbeing == app.WellbeingUrgent {
			callID, err := s.openVisitCall(tx, &e, nv.OfficerID, now)
			if err != nil {
				return err
			}
			v.CallID = &callID
		}
		if err := tx.Create(v).Error; err != nil {
			return fmt.Errorf("store: record visit: %w", err)
		}
		entry := app.ShiftEntry{ShiftID: sh.ID, StationID: sh.StationID, AuthorID: &nv.OfficerID, Kind: app.EntryVisit,
			EventName: "visit.recorded", RecordID: &v.ID, WrittenAt: v.WrittenAt, CreatedAt: now}
		if err := tx.Create(&entry).Error; err != nil {
			return fmt.Errorf("store: record visit: log entry: %w", err)
		}
		err := appendEvent(tx, &app.Event{StationID: v.StationID, OwnerID: &v.ResidentID, Name: "visit.recorded", RecordID: v.ID, BoothID: &v.BoothID},
			visitEvent{ID: strconv.FormatInt(v.ID, 10), Status: v.Outcome, Wellbeing: v.Wellbeing})
		if err != nil {
			return err
		}
		return shiftChanged(tx, &sh, "entry")
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// openVisitCall opens an assistance call for the visited resident,
// acknowledged by the visiting officer; when the resident already has an
// open call, that one is linked instead.
func (s *Store) openVisitCall(tx *gorm.DB, e *app.CareEnrolment, officerID int64, now time.Time) (int64, error) {
	if _, err := s.lockCaller(tx, e.ResidentID); err != nil {
		return 0, err
	}
	var open []int64
	err := tx.Model(&app.AssistanceCall{}).Where("caller_id = ? AND status IN ?", e.ResidentID, openCallStatuses).Order("id").Limit(1).Pluck("id", &open).Error
	if err != nil {
		return 0, fmt.Errorf("store: urgent visit: find open call: %w", err)
	}
	if len(open) > 0 {
		return open[0], nil
	}
	c := &app.AssistanceCall{StationID: e.StationID, CallsThisHour: 1, BoothID: e.BoothID, CallerID: &e.ResidentID, Category: "medical",
		Message: "关爱走访发现紧急情况 / urgent need found on a care visit", Status: app.CallAcknowledged,
		AcknowledgedBy: &officerID, AcknowledgedAt: &now, CreatedAt: now, UpdatedAt: now}
	if err := tx.Omit(clause.Associations).Create(c).Error; err != nil {
		return 0, fmt.Errorf("store: urgent visit: create call: %w", err)
	}
	steps := []app.CallEntry{
		{CallID: c.ID, StationID: c.StationID, At: now, ActorID: &officerID, Kind: kindStatus, To: string(app.CallOpen), Note: "care visit"},
		{CallID: c.ID, StationID: c.StationID, At: now, ActorID: &officerID, Kind: kindStatus, From: string(app.CallOpen), To: string(app.CallAcknowledged)},
	}
	if err := tx.Create(&steps).Error; err != nil {
		return 0, fmt.Errorf("store: urgent visit: timeline: %w", err)
	}
	err = callEvent(tx, "assistance.created", c, callCreatedEvent{ID: strconv.FormatInt(c.ID, 10), Status: c.Status,
		BoothID: strconv.FormatInt(c.BoothID, 10), Category: c.Category})
	if err != nil {
		return 0, err
	}
	return c.ID, nil
}

// ListVisits lists the visits in scope, newest first, with the visiting
// officer's name.
func (s *Store) ListVisits(ctx context.Context, scope CareScope, limit int) ([]app.CareVisit, error) {
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	out := []app.CareVisit{}
	if err := careWhere(scope, s.db.WithContext(ctx)).Order("id DESC").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: list visits: %w", err)
	}
	return out, s.nameOfficers(ctx, out)
}

// FindVisit returns a visit in scope, with the visiting officer's name.
func (s *Store) FindVisit(ctx context.Context, id int64, scope CareScope) (*app.CareVisit, error) {
	var v app.CareVisit
	if err := careWhere(scope, s.db.WithContext(ctx)).First(&v, id).Error; err != nil {
		return nil, notFound("find visit", err)
	}
	one := []app.CareVisit{v}
	if err := s.nameOfficers(ctx, one); err != nil {
		return nil, err
	}
	return &one[0], nil
}

// VisitsByID returns the station's visits with these ids, by id.
func (s *Store) VisitsByID(ctx context.Context, station int64, ids []int64) (map[int64]app.CareVisit, error) {
	out := map[int64]app.CareVisit{}
	if len(ids) == 0 {
		return out, nil
	}
	var visits []app.CareVisit
	if err := s.db.WithContext(ctx).Where("station_id = ? AND id IN ?", station, ids).Find(&visits).Error; err != nil {
		return nil, fmt.Errorf("store: visits by id: %w", err)
	}
	for _, v := range visits {
		out[v.ID] = v
	}
	return out, nil
}

func (s *Store) nameOfficers(ctx context.Context, visits []app.CareVisit) error {
	var ids []int64
	for _, v := range visits {
		ids = append(ids, v.OfficerID)
	}
	if len(ids) == 0 {
		return nil
	}
	var users []app.User
	if err := s.db.WithContext(ctx).Select("id", "name").Where("id IN ?", ids).Find(&users).Error; err != nil {
		return fmt.Errorf("store: name officers: %w", err)
	}
	names := map[int64]string{}
	for _, u := range users {
		names[u.ID] = u.Name
	}
	for i := range visits {
		visits[i].OfficerName = names[visits[i].OfficerID]
	}
	return nil
}

// exportCare lists the resident's enrolment and the visits made to them.
func exportCare(tx *gorm.DB, u *app.User, _ *app.DataExport) (any, error) {
	out := struct {
		Enrolments []app.CareEnrolment `json:"enrolments"`
		Visits     []app.CareVisit     `json:"visits"`
	}{Enrolments: []app.CareEnrolment{}, Visits: []app.CareVisit{}}
	if err := tx.Where("resident_id = ?", u.ID).Order("id").Find(&out.Enrolments).Error; err != nil {
		return nil, err
	}
	for i := range out.Enrolments {
		withReasons(&out.Enrolments[i])
	}
	if err := tx.Where("resident_id = ?", u.ID).Order("id").Find(&out.Visits).Error; err != nil {
		return nil, err
	}
	return out, nil
}

// eraseCare takes the resident off the register and deletes the visits
// made to them; the officers' shift-log entries stay, holding no more than
// the officer's note and a link that now leads nowhere.
func eraseCare(tx *gorm.DB, u *app.User, e *erasing) error {
	res := tx.Where("resident_id = ?", u.ID).Delete(&app.CareVisit{})
	if res.Error != nil {
		return fmt.Errorf("store: erase care visits: %w", res.Error)
	}
	if res.RowsAffected > 0 {
		e.out.Deleted["care_visits"] = int(res.RowsAffected)
	}
	res = tx.Where("resident_id = ?", u.ID).Delete(&app.CareEnrolment{})
	if res.Error != nil {
		return fmt.Errorf("store: erase care enrolment: %w", res.Error)
	}
	if res.RowsAffected > 0 {
		e.out.Deleted["care_enrolments"] = int(res.RowsAffected)
	}
	return nil
}

// VisitFigures counts the station's visits done in [from, to) per booth
// and officer, and the residents due and overdue at now per booth.
func (s *Store) VisitFigures(ctx context.Context, station int64, from, to, now time.Time, loc *time.Location) (*app.VisitFigures, error) {
	var rows []struct {
		BoothID, OfficerID, N int64
	}
	err := s.db.WithContext(ctx).Model(&app.CareVisit{}).Select("booth_id, officer_id, COUNT(*) AS n").
		Where("station_id = ?", station).Where(s.timeCompare("visited_at", ">="), dbTime(from)).Where(s.timeCompare("visited_at", "<"), dbTime(to)).
		Group("booth_id, officer_id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: visit figures: %w", err)
	}
	booths := map[int64]*app.BoothVisits{}
	var order []int64
	booth := func(id int64) *app.BoothVisits {
		if b, ok := booths[id]; ok {
			return b
		}
		booths[id] = &app.BoothVisits{BoothID: id}
		order = append(order, id)
		return booths[id]
	}
	officers := map[int64]int64{}
	var officerOrder []int64
	for _, r := range rows {
		booth(r.BoothID).Done += r.N
		if _, ok := officers[r.OfficerID]; !ok {
			officerOrder = append(officerOrder, r.OfficerID)
		}
		officers[r.OfficerID] += r.N
	}
	due, err := s.DueVisits(ctx, station, 0, now, loc)
	if err != nil {
		return nil, err
	}
	for _, d := range due {
		if d.Overdue {
			booth(d.BoothID).Overdue++
		} else {
			booth(d.BoothID).Due++
		}
	}
	out := &app.VisitFigures{Booths: []app.BoothVisits{}, Officers: []app.OfficerVisits{}}
	slices.Sort(order)
	for _, id := range order {
		out.Booths = append(out.Booths, *booths[id])
	}
	slices.Sort(officerOrder)
	for _, id := range officerOrder {
		out.Officers = append(out.Officers, app.OfficerVisits{OfficerID: id, Done: officers[id]})
	}
	return out, nil
}
