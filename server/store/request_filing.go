package store

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"policebooth/server/app"
)

// filing is what filing a request reads before it writes anything: the
// resident, the booth and its station, the resident's unfinished requests
// and the requested services as the station offers them.
type filing struct {
	filerID            int64 // the resident, or for a walk-in the member of staff at the counter
	boothID, stationID int64
	boothName          string
	timeZone           string
	open               int
	types              map[string]app.ServiceType // the requested codes the catalogue knows
}

// openStatuses are the statuses a resident's quota counts.
var openStatuses = []app.RequestStatus{app.RequestSubmitted, app.RequestAccepted, app.RequestInProgress, app.RequestOnHold}

// readFiling reads a filing in one statement: one row per requested
// service the catalogue knows (or one row with none), each carrying the
// resident, booth and station. The resident's unfinished requests are
// counted only when a quota applies, and only up to it. For a walk-in the
// filer is the member of staff at the counter, at a booth of their
// station. EUNAUTHORIZED when the filer's account is gone or disabled,
// EFORBIDDEN for an account that may not file, EINVALID for a missing or
// unknown booth.
func readFiling(tx *gorm.DB, nr app.NewRequest, codes []string) (*filing, error) {
	open, openArgs := "0", []any{}
	if nr.MaxOpen > 0 {
		open = `(SELECT COUNT(*) FROM (SELECT 1 FROM service_requests o
			WHERE o.resident_id = u.id AND o.status IN ? LIMIT ?) AS o)`
		openArgs = []any{openStatuses, nr.MaxOpen}
	}
	var booth *int64
	if nr.BoothID != 0 {
		booth = &nr.BoothID
	}
	f := filing{filerID: nr.ResidentID, types: map[string]app.ServiceType{}}
	if nr.WalkIn != nil {
		f.filerID = nr.StaffID
	}
	args := append(openArgs, booth, codes, f.filerID)
	rows, err := tx.Raw(`SELECT u.role, u.disabled, u.home_booth_id, u.station_id, b.id, b.name, b.station_id, st.time_zone, `+open+`,
			t.code, t.fields, t.target_minutes, ss.enabled, ss.target_minutes
		FROM users u
		LEFT JOIN booths b ON b.id = COALESCE(?, u.home_booth_id)
		LEFT JOIN stations st ON st.id = b.station_id
		LEFT JOIN service_types t ON t.code IN ?
		LEFT JOIN service_settings ss ON ss.station_id = b.station_id AND ss.code = t.code
		WHERE u.id = ?`, args...).Rows()
	if err != nil {
		return nil, fmt.Errorf("store: create request: read: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var (
		found   bool
		role    app.Role
		off     bool
		home    *int64
		station *int64 // a member of staff's station
	)
	for rows.Next() {
		var (
			boothID, stationID *int64
			boothName, tz      *string
			code, fields       *string
			target, setTarget  *int
			enabled            *bool
		)
		if err := rows.Scan(&role, &off, &home, &station, &boothID, &boothName, &stationID, &tz, &f.open,
			&code, &fields, &target, &enabled, &setTarget); err != nil {
			return nil, fmt.Errorf("store: create request: read: %w", err)
		}
		found = true
		if boothID != nil && stationID != nil && boothName != nil && tz != nil {
			f.boothID, f.stationID, f.boothName, f.timeZone = *boothID, *stationID, *boothName, *tz
		}
		if code == nil || fields == nil || target == nil {
			continue
		}
		t := app.ServiceType{Code: *code, TargetMinutes: *target, Enabled: true}
		if err := json.Unmarshal([]byte(*fields), &t.Fields); err != nil {
			return nil, fmt.Errorf("store: create request: service %s fields: %w", *code, err)
		}
		serviceSetting{Enabled: enabled, TargetMinutes: setTarget}.applyTo(&t)
		f.types[t.Code] = t
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: create request: read: %w", err)
	}
	switch {
	case !found || off:
		return nil, app.Errorf(app.EUNAUTHORIZED, "sign in again")
	case nr.WalkIn != nil && (!role.Staff() || station == nil):
		return nil, app.Errorf(app.EFORBIDDEN, "only station staff file a walk-in").WithMessage("walk_in_staff_only")
	case nr.WalkIn != nil && f.boothID != 0 && *station != f.stationID:
		return nil, app.Errorf(app.EINVALID, "booth_id: a booth of your station").WithField("booth_id")
	case nr.WalkIn == nil && role != app.RoleResident:
		return nil, app.Errorf(app.EFORBIDDEN, "only residents file service requests").WithMessage("not_resident")
	case f.boothID == 0 && nr.BoothID != 0:
		return nil, app.Errorf(app.EINVALID, "booth_id: booth %d does not exist", nr.BoothID).WithField("booth_id")
	case f.boothID == 0 && home == nil:
		return nil, app.Errorf(app.EINVALID, "booth_id: choose a booth; you have no home booth").WithField("booth_id")
	case f.boothID == 0:
		return nil, fmt.Errorf("store: create request: home booth %d of user %d is gone", *home, f.filerID)
	}
	return &f, nil
}

// writeRequest stores a new request with its services and first timeline
// entry (r.Timeline[0]), and sets their ids; on PostgreSQL in one
// statement. A request has no ticket until it arrives (issueTicket).
func (s *Store) writeRequest(tx *gorm.DB, r *app.ServiceRequest) error {
	first := &r.Timeline[0]
	if !s.postgres {
		if err := tx.Omit(clause.Associations).Create(r).Error; err != nil {
			return fmt.Errorf("store: create request: %w", err)
		}
		for i := range r.Services {
			r.Services[i].RequestID = r.ID
		}
		if err := tx.Create(&r.Services).Error; err != nil {
			return fmt.Errorf("store: create request: services: %w", err)
		}
		first.RequestID = r.ID
		if err := tx.Create(first).Error; err != nil {
			return fmt.Errorf("store: create request: timeline: %w", err)
		}
		return nil
	}
	var newborn *string
	if r.Newborn != nil {
		b, err := json.Marshal(r.Newborn)
		if err != nil {
			return fmt.Errorf("store: create request: encode newborn: %w", err)
		}
		nb := string(b)
		newborn = &nb
	}
	args := []any{r.StationID, r.BoothID, r.ResidentID, r.Status, r.Note, r.SlotID, r.TargetMinutes, newborn, r.CreatedAt, r.UpdatedAt,
		r.WalkInName, r.WalkInPhone, r.ArrivedAt, r.StationID}
	services := make([]string, len(r.Services))
	for i, svc := range r.Services {
		b, err := json.Marshal(svc.Fields)
		if err != nil {
			return fmt.Errorf("store: create request: encode %s fields: %w", svc.Code, err)
		}
		services[i] = "(?::text, ?::text)"
		args = append(args, svc.Code, string(b))
	}
	args = append(args, first.StationID, first.At, first.ActorID, first.Kind, first.To)
	var ids struct{ RequestID, EntryID int64 }
	err := tx.Raw(`WITH req AS (
			INSERT INTO service_requests (station_id, booth_id, resident_id, status, note,
				slot_id, target_minutes, checked, newborn, created_at, updated_at, walk_in_name, walk_in_phone, arrived_at)
			VALUES (?::bigint, ?::bigint, ?::bigint, ?::text, ?::text, ?::bigint, ?::int, '[]', ?::text,
				?::timestamptz, ?::timestamptz, ?::text, ?::text, ?::timestamptz)
			RETURNING id),
		svc AS (
			INSERT INTO request_services (request_id, station_id, code, fields)
			SELECT req.id, ?::bigint, v.code, v.fields FROM req, (VALUES `+strings.Join(services, ", ")+`) AS v (code, fields)),
		entry AS (
			INSERT INTO timeline_entries (request_id, station_id, at, actor_id, kind, to_status)
			SELECT req.id, ?::bigint, ?::timestamptz, ?::bigint, ?::text, ?::text FROM req
			RETURNING id)
		SELECT req.id AS request_id, entry.id AS entry_id FROM req, entry`, args...).Scan(&ids).Error
	if err != nil {
		return fmt.Errorf("store: create request: %w", err)
	}
	r.ID, first.ID, first.RequestID = ids.RequestID, ids.EntryID, ids.RequestID
	for i := range r.Services {
		r.Services[i].RequestID = r.ID
	}
	return nil
}

// location returns the time zone of a name, cached: LoadLocation reads
// and parses the zone's data on every call.
func (s *Store) location(name string) (*time.Location, error) {
	if loc, ok := s.locations.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	s.locations.Store(name, loc)
	return loc, nil
}
