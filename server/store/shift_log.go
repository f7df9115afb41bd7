package store

import (
	"encoding/json"
	"slices"
	"strings"

	"policebooth/server/app"
)

// recordEntryKinds maps an event's record (the part of its name before the
// dot) to the kind of the shift-log entry it makes.
var recordEntryKinds = map[string]string{
	"assistance": app.EntryCall,
	"request":    app.EntryRequest,
	"photo":      app.EntryPhoto,
	"notice":     app.EntryNotice,
}

// doneByQuery finds, per record, who took the step its event records: the
// actor of the record's latest history entry, which every change writes
// before its event in the same transaction (an escalation's has none).
var doneByQuery = map[string]string{
	"assistance": "SELECT h.actor_id FROM call_entries h WHERE h.call_id = ? ORDER BY h.id DESC LIMIT 1",
	"request":    "SELECT h.actor_id FROM timeline_entries h WHERE h.request_id = ? ORDER BY h.id DESC LIMIT 1",
	"notice":     "SELECT h.actor_id FROM notice_revisions h WHERE h.notice_id = ? ORDER BY h.id DESC LIMIT 1",
}

// shiftLogInsert is the statement that writes a system entry about ev
// into the log of every shift open at the event's booth, run in the
// event's transaction (appendEvent): what happened at a booth is in the log
// of whoever was on duty there, with a link to the record. ok is false for
// an event no shift log records.
func shiftLogInsert(ev *app.Event) (query string, args []any, ok bool) {
	record, _, _ := strings.Cut(ev.Name, ".")
	kind, ok := recordEntryKinds[record]
	if !ok || (ev.BoothID == nil && kind != app.EntryNotice) {
		return "", nil, false
	}
	var p struct {
		Status          string   `json:"status"`
		Changes         []string `json:"changes"`
		LocationUpdated bool     `json:"location_updated"`
		Messages        int      `json:"messages"`
		Photos          int      `json:"photos"`
	}
	_ = json.Unmarshal([]byte(ev.Payload), &p) // a payload without a status logs none
	name := ev.Name
	switch {
	case record == "assistance" && (p.LocationUpdated || p.Messages > 0 || p.Photos > 0):
		// A caller's position, a message or a photo is no step of the call.
		return "", nil, false
	case record == "request" && slices.Contains(p.Changes, kindPhoto):
		kind, name = app.EntryPhoto, "request.photo" // the family photo of a registration
	case name == "request.updated" && !slices.Contains(p.Changes, kindStatus):
		// Notes, assignments, ticked documents: not a step of the request.
		return "", nil, false
	}
	// A notice is for the station's area: every booth on duty logs it.
	where, at := "station_id = ?", ev.StationID
	if ev.BoothID != nil {
		where, at = "booth_id = ?", *ev.BoothID
	}
	// One automatic entry per step: a record reaching a status the shift
	// has already logged for it (an escalation re-alerting, an event
	// repeated) adds nothing.
	// The entry names who took the step, when a member of staff did (see
	// doneByQuery); only shifts that log it evaluate the look-up.
	doneBy, args := "NULL", []any{kind, p.Status, name, ev.RecordID, dbTime(ev.CreatedAt)}
	if q, ok := doneByQuery[record]; ok {
		doneBy = "(SELECT u.id FROM users u WHERE u.role IN ('officer', 'head') AND u.id = (" + q + "))"
		args = append(args, ev.RecordID)
	}
	args = append(args, at, kind, ev.RecordID, name, p.Status)
	return `INSERT INTO shift_entries (shift_id, station_id, kind, text, event_name, record_id, created_at, done_by)
		SELECT s.id, s.station_id, ?, ?, ?, ?, ?, ` + doneBy + ` FROM shifts s WHERE s.` + where + ` AND s.ended_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM shift_entries e WHERE e.shift_id = s.id AND e.author_id IS NULL
			AND e.kind = ? AND e.record_id = ? AND e.event_name = ? AND e.text = ?)`, args, true
}
