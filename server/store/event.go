package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"gorm.io/gorm"

	"policebooth/server/app"
)

// EventChannel is app.EventChannel.
const EventChannel = app.EventChannel

// appendEvent writes an event in the caller's transaction, so the event
// exists exactly when the change it reports does, with its entries in the
// open shifts' logs (shiftLogInsert). payload must hold ids, statuses and
// names only, never personal data. On PostgreSQL it is one statement, and
// the other instances are woken after the commit (wakeOthers): a
// transaction that NOTIFYs takes a cluster-wide lock from its commit
// record to its flush, which would make every writer of events wait for
// every other's commit. A transaction not begun by Store.tx notifies in the
// statement itself.
func appendEvent(tx *gorm.DB, ev *app.Event, payload any) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("store: encode event %s: %w", ev.Name, err)
	}
	ev.Payload = string(b)
	if ev.CreatedAt.IsZero() {
		ev.CreatedAt = tx.NowFunc()
	}
	logSQL, logArgs, logged := shiftLogInsert(ev)
	if tx.Dialector.Name() != "postgres" {
		if err := tx.Create(ev).Error; err != nil {
			return fmt.Errorf("store: append event %s: %w", ev.Name, err)
		}
		if logged {
			if err := tx.Exec(logSQL, logArgs...).Error; err != nil {
				return fmt.Errorf("store: log %s on shifts: %w", ev.Name, err)
			}
		}
		return nil
	}
	q := `WITH ev AS (INSERT INTO events (station_id, owner_id, name, record_id, booth_id, payload, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id)`
	args := []any{ev.StationID, ev.OwnerID, ev.Name, ev.RecordID, ev.BoothID, ev.Payload, dbTime(ev.CreatedAt)}
	if logged {
		q += `, logged AS (` + logSQL + `)`
		args = append(args, logArgs...)
	}
	if evented, ok := tx.Statement.Context.Value(eventedKey{}).(*bool); ok {
		*evented = true
		q += ` SELECT ev.id FROM ev`
	} else {
		q += ` SELECT ev.id FROM ev, pg_notify(?, '') AS notified`
		args = append(args, EventChannel)
	}
	if err := tx.Raw(q, args...).Scan(&ev.ID).Error; err != nil {
		return fmt.Errorf("store: append event %s: %w", ev.Name, err)
	}
	return nil
}

// eventRow is an event as read with its transaction id (PostgreSQL only).
type eventRow struct {
	app.Event
	TxText string
	Held   bool
}

// EventsAfter returns up to limit events after cursor that filter matches
// (a filter that matches nothing reads nothing), in cursor order, and only
// from transactions that have all finished: on PostgreSQL an event is held
// back while any older transaction is still running, since that one may
// still commit an event that must come first. held reports that committed
// events were held back, so the reader should look again soon. minID, when
// not 0, also skips events with ids up to it (a resume from an id the log
// no longer holds).
func (s *Store) EventsAfter(ctx context.Context, after app.EventCursor, f app.EventFilter, minID int64, limit int) (evs []app.LoggedEvent, held bool, err error) {
	if f.None() {
		return nil, false, nil
	}
	all, err := s.readEvents(ctx, after, f, minID, limit)
	if err != nil {
		return nil, false, err
	}
	for i := range all {
		if all[i].Held {
			return all[:i], true, nil // everything after it waits too: order is kept
		}
	}
	return all, false, nil
}

// ReadEvents returns up to limit events of the whole log after cursor, in
// cursor order, held ones included and marked (see app.LoggedEvent.Held):
// the hub decides how long to wait for them.
func (s *Store) ReadEvents(ctx context.Context, after app.EventCursor, limit int) ([]app.LoggedEvent, error) {
	return s.readEvents(ctx, after, app.EventFilter{All: true}, 0, limit)
}

func (s *Store) readEvents(ctx context.Context, after app.EventCursor, f app.EventFilter, minID int64, limit int) ([]app.LoggedEvent, error) {
	q := s.db.WithContext(ctx).Table("events")
	switch {
	case f.All:
	case f.OwnerID != 0 && f.NoticeStationID != 0:
		q = q.Where("(owner_id = ? OR (owner_id IS NULL AND station_id = ? AND (name LIKE ? OR name LIKE ?)))",
			f.OwnerID, f.NoticeStationID, app.NoticeEventPrefix+"%", app.QueueEventPrefix+"%")
	case f.OwnerID != 0:
		q = q.Where("owner_id = ?", f.OwnerID)
	case f.StationID != 0:
		q = q.Where("station_id = ?", f.StationID)
	case f.ResponderBoothID != 0:
		q = q.Where("booth_id = ? AND name LIKE ?", f.ResponderBoothID, app.CallEventPrefix+"%")
	}
	if minID != 0 {
		q = q.Where("id > ?", minID)
	}
	var rows []eventRow
	if s.postgres {
		// One snapshot gives both the rows and the watermark; rows at or
		// past it are committed but must wait.
		// Ordered by the xid8 column itself: the text copy read out beside
		// it would sort "10000" before "9999".
		err := q.Select("id, station_id, owner_id, booth_id, name, record_id, payload, created_at, events.tx_id::text AS tx_text, "+
			"(events.tx_id >= pg_snapshot_xmin(pg_current_snapshot())) AS held").
			Where("(events.tx_id, events.id) > (?::xid8, ?)", strconv.FormatUint(after.Tx, 10), after.ID).
			Order("events.tx_id, events.id").Limit(limit).Find(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("store: read events: %w", err)
		}
	} else {
		err := q.Select("id, station_id, owner_id, booth_id, name, record_id, payload, created_at").
			Where("id > ?", after.ID).Order("id").Limit(limit).Find(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("store: read events: %w", err)
		}
	}
	evs := make([]app.LoggedEvent, 0, len(rows))
	for _, r := range rows {
		ev := app.LoggedEvent{Event: r.Event, Cursor: app.EventCursor{ID: r.ID}, Held: r.Held}
		if r.TxText != "" {
			tx, err := strconv.ParseUint(r.TxText, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("store: read events: transaction id %q: %w", r.TxText, err)
			}
			ev.Cursor.Tx = tx
		}
		ev.Resume = ev.Cursor
		evs = append(evs, ev)
	}
	return evs, nil
}

// EventCursorNow is the log's position now: every event after it is new.
func (s *Store) EventCursorNow(ctx context.Context) (app.EventCursor, error) {
	db := s.db.WithContext(ctx)
	if s.postgres {
		// Transactions from xmin on may still commit events; start just
		// before them.
		var xmin string
		if err := db.Raw("SELECT pg_snapshot_xmin(pg_current_snapshot())::text").Scan(&xmin).Error; err != nil {
			return app.EventCursor{}, fmt.Errorf("store: event cursor: %w", err)
		}
		tx, err := strconv.ParseUint(xmin, 10, 64)
		if err != nil {
			return app.EventCursor{}, fmt.Errorf("store: event cursor: %w", err)
		}
		return app.EventCursor{Tx: tx - 1, ID: 1<<63 - 1}, nil
	}
	last, err := s.LastEventID(ctx)
	return app.EventCursor{ID: last}, err
}

// EventCursorOf is the position of the event with id, for a stream that
// resumes after it. ENOTFOUND when the log does not hold it.
func (s *Store) EventCursorOf(ctx context.Context, id int64) (app.EventCursor, error) {
	if !s.postgres {
		var n int64
		if err := s.db.WithContext(ctx).Table("events").Where("id = ?", id).Count(&n).Error; err != nil {
			return app.EventCursor{}, fmt.Errorf("store: event cursor: %w", err)
		}
		if n == 0 {
			return app.EventCursor{}, app.ErrNotFound
		}
		return app.EventCursor{ID: id}, nil
	}
	var tx []string
	if err := s.db.WithContext(ctx).Raw("SELECT tx_id::text FROM events WHERE id = ?", id).Scan(&tx).Error; err != nil {
		return app.EventCursor{}, fmt.Errorf("store: event cursor: %w", err)
	}
	if len(tx) == 0 {
		return app.EventCursor{}, app.ErrNotFound
	}
	n, err := strconv.ParseUint(tx[0], 10, 64)
	if err != nil {
		return app.EventCursor{}, fmt.Errorf("store: event cursor: %w", err)
	}
	return app.EventCursor{Tx: n, ID: id}, nil
}

// LastEventID is the highest event id: on SQLite, the log's position now.
func (s *Store) LastEventID(ctx context.Context) (int64, error) {
	var last int64
	if err := s.db.WithContext(ctx).Raw("SELECT COALESCE(MAX(id), 0) FROM events").Scan(&last).Error; err != nil {
		return 0, fmt.Errorf("store: last event id: %w", err)
	}
	return last, nil
}

// ActiveSessions returns which of the sessions are still good (not revoked,
// user enabled), in one query per thousand, for the event streams'
// periodic check.
func (s *Store) ActiveSessions(ctx context.Context, ids []int64) (map[int64]bool, error) {
	active := make(map[int64]bool, len(ids))
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 1000)]
		ids = ids[len(chunk):]
		var found []int64
		err := s.db.WithContext(ctx).Model(&app.Session{}).
			Joins("JOIN users ON users.id = sessions.user_id").
			Where("sessions.id IN ? AND sessions.revoked_at IS NULL AND users.disabled = ?", chunk, false).
			Pluck("sessions.id", &found).Error
		if err != nil {
			return nil, fmt.Errorf("store: active sessions: %w", err)
		}
		for _, id := range found {
			active[id] = true
		}
	}
	return active, nil
}

// eventedKey marks, in a Store.tx transaction's context, that it wrote an
// event: the other instances are woken once it commits.
type eventedKey struct{}

// wakeOthers sends the NOTIFY that wakes every instance's event reader, on
// its own after the commit that wrote the events, and coalesced: while one
// is on its way, the commits meanwhile make exactly one more follow it, so
// a burst of writes sends a few notifications, not one each. A NOTIFY lost
// to a crash in between costs the other instances at most their reader's
// poll interval.
func (s *Store) wakeOthers() {
	s.wake.Lock()
	if s.wake.sending {
		s.wake.again = true
		s.wake.Unlock()
		return
	}
	s.wake.sending = true
	s.wake.Unlock()
	go func() {
		for {
			// An error is logged by GORM's logger; the readers' poll covers it.
			_ = s.db.Exec("SELECT pg_notify(?, '')", EventChannel).Error
			s.wake.Lock()
			if !s.wake.again {
				s.wake.sending = false
				s.wake.Unlock()
				return
			}
			s.wake.again = false
			s.wake.Unlock()
		}
	}()
}
