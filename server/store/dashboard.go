package store

import (
	"context"
	"fmt"
	"time"

	"policebooth/server/app"
)

// Dashboard gathers a station's picture at now: its booths with who is
// on duty, whether their tablet is live and any open gap; the open calls,
// those needing someone first; today's figures in the station's zone; the
// counter's queue; and the alerts. ENOTFOUND for an unknown station.
func (s *Store) Dashboard(ctx context.Context, stationID int64, now time.Time) (*app.Dashboard, error) {
	now = dbTime(now)
	db := s.db.WithContext(ctx)
	var st app.Station
	if err := db.First(&st, stationID).Error; err != nil {
		return nil, notFound("dashboard: station", err)
	}
	zone, err := time.LoadLocation(st.TimeZone)
	if err != nil {
		zone = time.UTC
	}
	d := &app.Dashboard{StationID: stationID, Booths: []app.DashboardBooth{}, OpenCalls: []app.DashboardCall{}}

	var booths []app.Booth
	if err := db.Where("station_id = ?", stationID).Order("id").Find(&booths).Error; err != nil {
		return nil, fmt.Errorf("store: dashboard: booths: %w", err)
	}
	var duty []struct {
		BoothID      int64
		OfficerID    int64
		Name         string
		StartedAt    time.Time
		StreamSeenAt *time.Time
	}
	err = db.Table("shifts").Select("shifts.booth_id, shifts.officer_id, users.name, shifts.started_at, users.stream_seen_at").
		Joins("JOIN users ON users.id = shifts.officer_id").
		Where("shifts.station_id = ? AND shifts.ended_at IS NULL", stationID).Order("shifts.id").Find(&duty).Error
	if err != nil {
		return nil, fmt.Errorf("store: dashboard: on duty: %w", err)
	}
	var gaps []app.CoverageGap
	if err := db.Where("station_id = ? AND ended_at IS NULL", stationID).Find(&gaps).Error; err != nil {
		return nil, fmt.Errorf("store: dashboard: gaps: %w", err)
	}
	liveSince := now.Add(-app.TabletLiveWithin)
	for _, b := range booths {
		row := app.DashboardBooth{ID: b.ID, Name: b.Name, NameEn: b.NameEn, OnDuty: []app.OnDuty{}}
		for _, o := range duty {
			if o.BoothID != b.ID {
				continue
			}
			row.OnDuty = append(row.OnDuty, app.OnDuty{OfficerID: o.OfficerID, Name: o.Name, Since: o.StartedAt})
			if o.StreamSeenAt != nil && !o.StreamSeenAt.Before(liveSince) {
				row.TabletLive = true
			}
		}
		for i := range gaps {
			if gaps[i].BoothID == b.ID {
				row.OpenGap = &gaps[i]
			}
		}
		if row.DarkTablet() {
			d.Alerts.DarkTablets++
		}
		d.Booths = append(d.Booths, row)
	}

	var calls []app.AssistanceCall
	// The open statuses by name, so the station's index reads only them,
	// not a year of resolved calls.
	err = db.Where("station_id = ? AND status IN ?", stationID, openCallStatuses).
		Order("id").Limit(200).Find(&calls).Error
	if err != nil {
		return nil, fmt.Errorf("store: dashboard: calls: %w", err)
	}
	for _, c := range calls {
		d.OpenCalls = append(d.OpenCalls, app.DashboardCall{ID: c.ID, BoothID: c.BoothID, Status: c.Status, Category: c.Category,
			AgeSeconds: max(0, int(now.Sub(c.CreatedAt)/time.Second)), EscalationLevel: c.EscalationLevel})
	}
	app.SortOpenCalls(d.OpenCalls)

	y, m, day := now.In(zone).Date()
	midnight := time.Date(y, m, day, 0, 0, 0, 0, zone)
	if now.After(midnight) {
		f, err := s.Figures(ctx, app.FigureQuery{StationID: stationID, From: midnight, To: now.Add(time.Microsecond), Zone: zone, Now: now})
		if err != nil {
			return nil, err
		}
		d.Today = app.DashboardToday{Calls: f.Calls, MedianAckSeconds: f.AckMedianS, WorstAckSeconds: f.AckWorstS,
			RequestsCompleted: f.RequestsCompleted, RequestsPastTarget: f.RequestsPastTarget}
	}

	var waiting []time.Time
	err = db.Table("service_requests").Where("station_id = ? AND status IN ?", stationID, app.QueueWaiting).
		Pluck("created_at", &waiting).Error
	if err != nil {
		return nil, fmt.Errorf("store: dashboard: queue: %w", err)
	}
	d.Queue.Waiting = len(waiting)
	for _, at := range waiting {
		d.Queue.LongestWaitMinutes = max(d.Queue.LongestWaitMinutes, int(now.Sub(at)/time.Minute))
	}

	var undelivered int64
	// Texts of the station the outbox gave up on, or is still retrying
	// after a failed attempt.
	err = db.Table("outbox_messages").Where("station_id = ? AND channel = ? AND (status = ? OR (status = ? AND attempts > 0))",
		stationID, app.ChannelSMS, app.MessageFailed, app.MessagePending).Count(&undelivered).Error
	if err != nil {
		return nil, fmt.Errorf("store: dashboard: undelivered: %w", err)
	}
	d.Alerts.UndeliveredMessages = int(undelivered)
	return d, nil
}
