package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"policebooth/server/app"
)

// Columns a list of requests reads: what a row shows (app.RequestFilter's
// Brief), or every column the API shows. A brief list reads empty values
// in place of the rest, so both scan alike.
const (
	requestRowColumns = "service_requests.id, service_requests.station_id, service_requests.booth_id, service_requests.resident_id, " +
		"service_requests.ticket, service_requests.ticket_day, service_requests.status, service_requests.slot_id, " +
		"service_requests.assignee_id, service_requests.target_minutes, service_requests.created_at, " +
		"service_requests.updated_at, service_requests.closed_at"
	requestBriefColumns = requestRowColumns + ", '' AS note, '[]' AS checked, NULL AS newborn"
	requestFullColumns  = requestRowColumns + ", service_requests.note, service_requests.checked, service_requests.newborn"
)

// urgency is the queue's order of a request: the time it has waited (until
// now, or until it closed) against its target.
func (s *Store) urgency() string {
	if s.postgres {
		return "EXTRACT(EPOCH FROM COALESCE(service_requests.closed_at, ?::timestamptz) - service_requests.created_at) / GREATEST(service_requests.target_minutes, 1)"
	}
	return "(julianday(COALESCE(service_requests.closed_at, ?)) - julianday(service_requests.created_at)) / MAX(service_requests.target_minutes, 1)"
}

// listPage reads one page of the requests q selects, in the filter's
// order, with their services: the page in a subquery joined with its
// services, one row per service, one round trip.
func (s *Store) listPage(ctx context.Context, q *gorm.DB, f app.RequestFilter) ([]app.ServiceRequest, error) {
	columns := requestFullColumns
	if f.Brief {
		columns = requestBriefColumns
	}
	// Newest first reads the primary key backwards; ordering by the
	// sort_key alias instead would sort every matching row.
	key, order, args := "service_requests.id", "service_requests.id DESC", []any{}
	if f.MostUrgent {
		key, order, args = s.urgency(), "sort_key DESC, service_requests.id DESC", []any{dbTime(s.Now())}
	}
	page := q.Select(columns+", "+key+" AS sort_key", args...).Order(order).Limit(listLimit(f.Limit))
	rows, err := s.db.WithContext(ctx).Raw(`SELECT r.*, rs.code, rs.fields FROM (?) AS r
		LEFT JOIN request_services rs ON rs.request_id = r.id
		ORDER BY r.sort_key DESC, r.id DESC, rs.code`, page).Rows()
	if err != nil {
		return nil, fmt.Errorf("store: list requests: %w", err)
	}
	defer func() { _ = rows.Close() }()
	list := []app.ServiceRequest{}
	for rows.Next() {
		var (
			r                 app.ServiceRequest
			checked           string
			newborn           *string
			sortKey           any
			code, fields      *string
			closedAt          *time.Time
			residentID, slot  *int64
			assignee          *int64
			created, modified time.Time
		)
		err := rows.Scan(&r.ID, &r.StationID, &r.BoothID, &residentID, &r.Ticket, &r.TicketDay, &r.Status, &slot,
			&assignee, &r.TargetMinutes, &created, &modified, &closedAt, &r.Note, &checked, &newborn, &sortKey, &code, &fields)
		if err != nil {
			return nil, fmt.Errorf("store: list requests: %w", err)
		}
		if n := len(list); n == 0 || list[n-1].ID != r.ID {
			r.ResidentID, r.SlotID, r.AssigneeID, r.CreatedAt, r.UpdatedAt, r.ClosedAt = residentID, slot, assignee, created, modified, closedAt
			if checked == "[]" { // most requests: nothing ticked yet
				r.Checked = []string{}
			} else if err := json.Unmarshal([]byte(checked), &r.Checked); err != nil {
				return nil, fmt.Errorf("store: list requests: request %d checklist: %w", r.ID, err)
			}
			if newborn != nil && *newborn != "null" {
				r.Newborn = &app.Newborn{}
				if err := json.Unmarshal([]byte(*newborn), r.Newborn); err != nil {
					return nil, fmt.Errorf("store: list requests: request %d newborn: %w", r.ID, err)
				}
			}
			r.Services = []app.RequestService{}
			list = append(list, r)
		}
		if code == nil {
			continue
		}
		last := &list[len(list)-1]
		svc := app.RequestService{RequestID: last.ID, StationID: last.StationID, Code: *code}
		if fields != nil {
			if err := json.Unmarshal([]byte(*fields), &svc.Fields); err != nil {
				return nil, fmt.Errorf("store: list requests: request %d %s fields: %w", last.ID, *code, err)
			}
		}
		last.Services = append(last.Services, svc)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list requests: %w", err)
	}
	return list, nil
}
