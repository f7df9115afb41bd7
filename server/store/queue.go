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

var _ app.QueueService = (*Store)(nil)

// Timeline entry kinds of the queue.
const (
	kindArrival = "arrival"
	kindCall    = "call"
	kindBooking = "booking"
	kindRating  = "rating"
)

// waitingStatuses are the statuses of a request in line once it arrived.
var waitingStatuses = []app.RequestStatus{app.RequestSubmitted, app.RequestAccepted}

// boothZone loads a booth and its station's time zone, in one query.
func (s *Store) boothZone(tx *gorm.DB, boothID int64) (*app.Booth, *time.Location, error) {
	var row struct {
		app.Booth
		TimeZone string
	}
	err := tx.Table("booths b").Select("b.*, st.time_zone").Joins("JOIN stations st ON st.id = b.station_id").
		Where("b.id = ?", boothID).Take(&row).Error
	if err != nil {
		return nil, nil, notFound("load booth", err)
	}
	loc, err := s.location(row.TimeZone)
	if err != nil {
		return nil, nil, fmt.Errorf("store: station %d: %w", row.StationID, err)
	}
	return &row.Booth, loc, nil
}

// Arrive records that a request's visitor is at its booth: arrived_at,
// a timeline entry and a request.updated event, then the ticket, without
// changing the status. The owner proves it (app.CheckArrival); staff of
// the station need not. ECONFLICT when it arrived already or is past
// arriving.
func (s *Store) Arrive(ctx context.Context, id int64, scope app.RequestFilter, a app.Arrival) (*app.ServiceRequest, error) {
	if scope.ResidentID != 0 {
		a.ByStaff = false // a resident's own arrival is proved, whatever the caller says
	}
	var fresh app.ServiceRequest
	err := s.tx(ctx, func(tx *gorm.DB) error {
		r, err := s.lockRequest(tx, id, scope)
		if err != nil {
			return err
		}
		if r.ArrivedAt != nil {
			return app.Errorf(app.ECONFLICT, "you have arrived already; your ticket is %s", r.Ticket).WithMessage("already_arrived", "Ticket", r.Ticket)
		}
		if r.Status != app.RequestSubmitted && r.Status != app.RequestAccepted {
			return app.Errorf(app.ECONFLICT, "the request is %s; it takes no arrival", r.Status).WithMessage("request_finished")
		}
		booth, loc, err := s.boothZone(tx, r.BoothID)
		if err != nil {
			return err
		}
		if err := app.CheckArrival(a, booth); err != nil {
			return err
		}
		now := dbTime(s.Now())
		if err := tx.Model(&app.ServiceRequest{}).Where("id = ?", r.ID).
			Updates(map[string]any{"arrived_at": now, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("store: arrive: %w", err)
		}
		entry := app.TimelineEntry{RequestID: r.ID, StationID: r.StationID, At: now, ActorID: &a.ActorID, Kind: kindArrival}
		if err := tx.Create(&entry).Error; err != nil {
			return fmt.Errorf("store: arrive: timeline: %w", err)
		}
		r.ArrivedAt = &now
		if err := requestChanged(tx, "request.updated", r, []string{kindArrival}); err != nil {
			return err
		}
		if err := queueMoved(tx, r.StationID, r.BoothID); err != nil {
			return err
		}
		if err := s.issueTicket(tx, r, booth, loc); err != nil {
			return err
		}
		return withEverything(tx).First(&fresh, r.ID).Error
	})
	if err != nil {
		return nil, err
	}
	return &fresh, nil
}

// issueTicket gives an arrived request the next number of its booth's
// local day (A-001, A-002, …). It is the last write of the arrival's
// transaction and, on PostgreSQL, one statement: the counter's upsert
// chained to the request's update, so the counter's row is locked only
// from here to the commit. Numbers stay gapless: a transaction that fails
// takes its number back with it. SQLite holds one write lock for the whole
// transaction anyway, so there the upsert and the update are two
// statements.
func (s *Store) issueTicket(tx *gorm.DB, r *app.ServiceRequest, booth *app.Booth, loc *time.Location) error {
	day := r.ArrivedAt.In(loc).Format(time.DateOnly)
	var no int
	if s.postgres {
		err := tx.Raw(`WITH n AS (
				INSERT INTO ticket_counters AS c (booth_id, day, station_id, last) VALUES (?, ?, ?, 1)
				ON CONFLICT (booth_id, day) DO UPDATE SET last = c.last + 1
				RETURNING last)
			UPDATE service_requests SET ticket_no = n.last, ticket_day = ?,
				ticket = ? || CASE WHEN n.last < 10 THEN '00' WHEN n.last < 100 THEN '0' ELSE '' END || n.last::text
			FROM n WHERE service_requests.id = ? RETURNING n.last`,
			booth.ID, day, booth.StationID, day, booth.Name+"-", r.ID).Scan(&no).Error
		if err != nil {
			return fmt.Errorf("store: issue ticket: %w", err)
		}
	} else {
		err := tx.Raw(`INSERT INTO ticket_counters (booth_id, day, station_id, last) VALUES (?, ?, ?, 1)
			ON CONFLICT (booth_id, day) DO UPDATE SET last = ticket_counters.last + 1 RETURNING last`,
			booth.ID, day, booth.StationID).Scan(&no).Error
		if err != nil {
			return fmt.Errorf("store: issue ticket: %w", err)
		}
		if no > 0 {
			err = tx.Model(&app.ServiceRequest{}).Where("id = ?", r.ID).
				Updates(map[string]any{"ticket_no": no, "ticket_day": day, "ticket": ticketLabel(booth.Name, no)}).Error
			if err != nil {
				return fmt.Errorf("store: issue ticket: %w", err)
			}
		}
	}
	if no == 0 {
		return fmt.Errorf("store: issue ticket: the counter returned no number")
	}
	r.TicketNo, r.TicketDay, r.Ticket = &no, day, ticketLabel(booth.Name, no)
	return nil
}

// queueMoved appends a booth's queue.moved event: the line changed, so
// every waiting resident's place and wait may have. Ids only.
func queueMoved(tx *gorm.DB, stationID, boothID int64) error {
	return appendEvent(tx, &app.Event{StationID: stationID, Name: app.QueueEventPrefix + "moved", RecordID: boothID, BoothID: &boothID},
		map[string]string{"id": strconv.FormatInt(boothID, 10), "booth_id": strconv.FormatInt(boothID, 10), "status": "moved"})
}

// ticketLabel is a ticket as people read it: the booth's name and the
// number, three digits at least.
func ticketLabel(booth string, no int) string { return fmt.Sprintf("%s-%03d", booth, no) }

// waitingLine loads a booth's waiting requests in calling order, with
// their services, and the windows open there (officers clocked in), in
// one query.
func (s *Store) waitingLine(db *gorm.DB, boothID int64, now time.Time) ([]app.QueueEntry, int, error) {
	var rows []struct {
		ID           int64
		Ticket       string
		ArrivedAt    time.Time
		SkippedAt    *time.Time
		SlotStartsAt *time.Time
		Code         *string
		Windows      int
	}
	waiting := db.Table("service_requests r").
		Select("r.id, r.ticket, r.arrived_at, r.skipped_at, sl.starts_at AS slot_starts_at").
		Joins("LEFT JOIN slots sl ON sl.id = r.slot_id").
		Where("r.booth_id = ? AND r.arrived_at IS NOT NULL AND r.status IN ?", boothID, waitingStatuses).
		Order("r.id").Limit(1000)
	err := db.Raw(`SELECT w.*, rs.code,
			(SELECT COUNT(*) FROM shifts sh WHERE sh.booth_id = ? AND sh.ended_at IS NULL) AS windows
		FROM (?) AS w LEFT JOIN request_services rs ON rs.request_id = w.id ORDER BY w.id, rs.code`, boothID, waiting).Scan(&rows).Error
	if err != nil {
		return nil, 0, fmt.Errorf("store: waiting line: %w", err)
	}
	var line []app.QueueEntry
	windows := 0
	for _, r := range rows {
		windows = r.Windows
		if n := len(line); n == 0 || line[n-1].RequestID != r.ID {
			line = append(line, app.QueueEntry{RequestID: r.ID, Ticket: r.Ticket, ArrivedAt: r.ArrivedAt, SkippedAt: r.SkippedAt, SlotStartsAt: r.SlotStartsAt})
		}
		if r.Code != nil {
			line[len(line)-1].Services = append(line[len(line)-1].Services, *r.Code)
		}
	}
	app.OrderQueue(line, now)
	return line, windows, nil
}

// expectedFor is how long a booth's expected service minutes are kept.
const expectedFor = time.Minute

// expectedEntry is a booth's expected service minutes and when they were
// worked out.
type expectedEntry struct {
	at      time.Time
	minutes map[string]float64
}

// expectedMinutes returns how long each service is expected to take at a
// booth (app.ServiceMinutes: the rolling median of its recent visits, or
// the station's target), kept for expectedFor: a wait is an estimate, and
// reading a month of visits and the catalogue on every look at the line
// would cost more than the line itself. A visit completed at the booth or
// a change to a station's catalogue drops the kept copy on the instance
// that made it (forgetExpected); the others see it within expectedFor.
func (s *Store) expectedMinutes(db *gorm.DB, booth *app.Booth, now time.Time) (map[string]float64, error) {
	if e, ok := s.expected.Load(booth.ID); ok {
		if e := e.(expectedEntry); !now.Before(e.at) && now.Sub(e.at) < expectedFor {
			return e.minutes, nil
		}
	}
	gen := s.expectedGen.Load()
	times, err := s.serviceTimes(db, booth.ID, now)
	if err != nil {
		return nil, err
	}
	types, err := catalogue(db, booth.StationID)
	if err != nil {
		return nil, err
	}
	minutes := make(map[string]float64, len(types))
	for _, t := range types {
		minutes[t.Code] = app.ServiceMinutes(times[t.Code], t.TargetMinutes)
	}
	if s.expectedGen.Load() == gen { // nothing dropped while this read
		s.expected.Store(booth.ID, expectedEntry{at: now, minutes: minutes})
	}
	return minutes, nil
}

// forgetExpected drops a booth's kept expected minutes, every booth's for
// boothID 0.
func (s *Store) forgetExpected(boothID int64) {
	s.expectedGen.Add(1)
	if boothID == 0 {
		s.expected.Clear()
		return
	}
	s.expected.Delete(boothID)
}

// serviceTimes are a booth's recent real service times, call to
// completion, by service; a visit of several services counts for each an
// equal share.
func (s *Store) serviceTimes(db *gorm.DB, boothID int64, now time.Time) (map[string][]float64, error) {
	var rows []struct {
		ID       int64
		CalledAt time.Time
		ClosedAt time.Time
		Code     string
		N        int
	}
	err := db.Table("service_requests r").
		Select("r.id, r.called_at, r.closed_at, rs.code, (SELECT COUNT(*) FROM request_services x WHERE x.request_id = r.id) AS n").
		Joins("JOIN request_services rs ON rs.request_id = r.id").
		Where("r.booth_id = ? AND r.status = ? AND r.called_at IS NOT NULL AND r.closed_at IS NOT NULL", boothID, app.RequestCompleted).
		Where(s.timeCompare("r.closed_at", ">="), dbTime(now.Add(-30*24*time.Hour))).
		Order("r.id DESC").Limit(2000).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: service times: %w", err)
	}
	out := map[string][]float64{}
	for _, r := range rows {
		if r.N < 1 {
			continue
		}
		out[r.Code] = append(out[r.Code], r.ClosedAt.Sub(r.CalledAt).Minutes()/float64(r.N))
	}
	return out, nil
}

// Queue returns a booth's line: the tickets being served at a window
// (latest call first) and the waiting ones in calling order, each with its
// expected wait: the expected service times of those ahead (a rolling
// median per service, app.ServiceMinutes) shared by the windows open now.
func (s *Store) Queue(ctx context.Context, boothID int64) (*app.QueueState, error) {
	db := s.db.WithContext(ctx)
	now := s.Now()
	booth, loc, err := s.boothStation(db, boothID)
	if err != nil {
		return nil, err
	}
	q := &app.QueueState{BoothID: boothID, Serving: []app.QueueTicket{}, Waiting: []app.QueueTicket{}}
	var serving []app.ServiceRequest
	err = db.Select("id, ticket, window_no").
		Where("booth_id = ? AND status IN ? AND window_no IS NOT NULL AND ticket_day = ?", boothID,
			[]app.RequestStatus{app.RequestCalled, app.RequestInProgress}, now.In(loc).Format(time.DateOnly)).
		Order(s.timeSort("called_at") + " DESC, id DESC").Limit(app.DisplayNext).Find(&serving).Error
	if err != nil {
		return nil, fmt.Errorf("store: queue: serving: %w", err)
	}
	for _, r := range serving {
		q.Serving = append(q.Serving, app.QueueTicket{RequestID: r.ID, Ticket: r.Ticket, Window: *r.WindowNo})
	}
	line, windows, err := s.waitingLine(db, boothID, now)
	if err != nil || len(line) == 0 {
		return q, err
	}
	expected, err := s.expectedMinutes(db, booth, now)
	if err != nil {
		return nil, err
	}
	ahead := 0.0
	for _, e := range line {
		q.Waiting = append(q.Waiting, app.QueueTicket{RequestID: e.RequestID, Ticket: e.Ticket, ETAMinutes: app.WaitMinutes(ahead, windows)})
		for _, code := range e.Services {
			ahead += expected[code]
		}
	}
	return q, nil
}

// boothStation returns a booth's id and station, and the station's time
// zone, kept once read: a booth stays at its station and a station in its
// zone. ENOTFOUND for a booth that does not exist.
func (s *Store) boothStation(db *gorm.DB, boothID int64) (*app.Booth, *time.Location, error) {
	type zoned struct {
		booth app.Booth
		loc   *time.Location
	}
	if z, ok := s.boothZones.Load(boothID); ok {
		z := z.(zoned)
		return &z.booth, z.loc, nil
	}
	b, loc, err := s.boothZone(db, boothID)
	if err != nil {
		return nil, nil, err
	}
	z := zoned{booth: app.Booth{ID: b.ID, StationID: b.StationID}, loc: loc}
	s.boothZones.Store(boothID, z)
	return &z.booth, z.loc, nil
}

// onDutyAt returns the officer's open shift at a booth; EFORBIDDEN
// (not_on_duty_here) when they are not clocked in there.
func onDutyAt(tx *gorm.DB, officerID, boothID int64) (*app.Shift, error) {
	var sh app.Shift
	err := tx.Where("officer_id = ? AND booth_id = ? AND ended_at IS NULL", officerID, boothID).First(&sh).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, app.Errorf(app.EFORBIDDEN, "clock in at this booth to call its queue").WithMessage("not_on_duty_here")
	}
	if err != nil {
		return nil, fmt.Errorf("store: on duty: %w", err)
	}
	return &sh, nil
}

// CallNext calls the booth's next waiting request (app.OrderQueue) to the
// window of the officer clocked in there: it becomes called, assigned to
// the officer, with a timeline entry and a request.updated event carrying
// the ticket and window. Two officers calling at once get two requests:
// each takes a request only if it is still waiting. ECONFLICT (queue_empty)
// when nobody waits; EFORBIDDEN when the officer is not on duty there.
func (s *Store) CallNext(ctx context.Context, boothID int64, officer app.Actor) (*app.ServiceRequest, error) {
	var fresh app.ServiceRequest
	err := s.tx(ctx, func(tx *gorm.DB) error {
		sh, err := onDutyAt(tx, officer.ID, boothID)
		if err != nil {
			return err
		}
		now := dbTime(s.Now())
		line, _, err := s.waitingLine(tx, boothID, now)
		if err != nil {
			return err
		}
		for _, e := range line {
			var r app.ServiceRequest
			if err := tx.First(&r, e.RequestID).Error; err != nil {
				return fmt.Errorf("store: call next: %w", err)
			}
			res := tx.Model(&app.ServiceRequest{}).Where("id = ? AND arrived_at IS NOT NULL AND status IN ?", e.RequestID, waitingStatuses).
				Updates(map[string]any{"status": app.RequestCalled, "called_at": now, "window_no": sh.WindowNo, "assignee_id": officer.ID,
					"skipped_at": nil, "updated_at": now})
			if res.Error != nil {
				return fmt.Errorf("store: call next: %w", res.Error)
			}
			if res.RowsAffected == 0 {
				continue // another window called it first
			}
			entry := app.TimelineEntry{RequestID: r.ID, StationID: r.StationID, At: now, ActorID: &officer.ID, Kind: kindStatus,
				From: string(r.Status), To: string(app.RequestCalled), Note: "window " + strconv.Itoa(sh.WindowNo)}
			if err := tx.Create(&entry).Error; err != nil {
				return fmt.Errorf("store: call next: timeline: %w", err)
			}
			if err := withEverything(tx).First(&fresh, r.ID).Error; err != nil {
				return fmt.Errorf("store: call next: reload: %w", err)
			}
			if err := queueMoved(tx, r.StationID, r.BoothID); err != nil {
				return err
			}
			return requestChanged(tx, "request.updated", &fresh, []string{kindStatus, kindCall})
		}
		return app.Errorf(app.ECONFLICT, "nobody is waiting").WithMessage("queue_empty")
	})
	if err != nil {
		return nil, err
	}
	return &fresh, nil
}

// Recall announces a called request again (the display calls it once
// more); Skip passes over a called request whose visitor did not come to
// the window: it goes back to the line as if it arrived now.
func (s *Store) Recall(ctx context.Context, id int64, scope app.RequestFilter, officer app.Actor) (*app.ServiceRequest, error) {
	return s.calledMove(ctx, id, scope, officer, false)
}

// Skip: see Recall.
func (s *Store) Skip(ctx context.Context, id int64, scope app.RequestFilter, officer app.Actor) (*app.ServiceRequest, error) {
	return s.calledMove(ctx, id, scope, officer, true)
}

func (s *Store) calledMove(ctx context.Context, id int64, scope app.RequestFilter, officer app.Actor, skip bool) (*app.ServiceRequest, error) {
	var fresh app.ServiceRequest
	err := s.tx(ctx, func(tx *gorm.DB) error {
		r, err := s.lockRequest(tx, id, scope)
		if err != nil {
			return err
		}
		if r.Status != app.RequestCalled {
			return app.Errorf(app.ECONFLICT, "the request is %s, not called", r.Status).WithMessage("request_not_called")
		}
		if _, err := onDutyAt(tx, officer.ID, r.BoothID); err != nil {
			return err
		}
		now := dbTime(s.Now())
		entry := app.TimelineEntry{RequestID: r.ID, StationID: r.StationID, At: now, ActorID: &officer.ID, Kind: kindCall, Note: "recall"}
		change, changes := "recall", []string{"recall"}
		if skip {
			entry = app.TimelineEntry{RequestID: r.ID, StationID: r.StationID, At: now, ActorID: &officer.ID, Kind: kindStatus,
				From: string(app.RequestCalled), To: string(app.RequestAccepted), Note: "skipped"}
			change, changes = "skip", []string{kindStatus, "skip"}
			err := tx.Model(&app.ServiceRequest{}).Where("id = ?", r.ID).Updates(map[string]any{"status": app.RequestAccepted,
				"called_at": nil, "window_no": nil, "skipped_at": now, "updated_at": now}).Error
			if err != nil {
				return fmt.Errorf("store: skip: %w", err)
			}
		} else if err := tx.Model(&app.ServiceRequest{}).Where("id = ?", r.ID).Updates(map[string]any{"called_at": now, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("store: recall: %w", err)
		}
		if err := tx.Create(&entry).Error; err != nil {
			return fmt.Errorf("store: %s: timeline: %w", change, err)
		}
		if err := withEverything(tx).First(&fresh, r.ID).Error; err != nil {
			return fmt.Errorf("store: %s: reload: %w", change, err)
		}
		if err := queueMoved(tx, r.StationID, r.BoothID); err != nil {
			return err
		}
		return requestChanged(tx, "request.updated", &fresh, changes)
	})
	if err != nil {
		return nil, err
	}
	return &fresh, nil
}
