package store

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"policebooth/server/app"
	"policebooth/server/auth"
)

// DemoScale is the size of a generated district: how many stations, booths
// and people, and how much of their past.
type DemoScale struct {
	Name              string
	Stations          int // the demo station is the first of them
	BoothsPerStation  int
	OfficersPerBooth  int // officers of a station: booths × this, less one (the head is the rest)
	Residents         int
	Requests          int // about: each shift draws its share by the hour and the weekday
	Calls             int
	Days              int
	NoticesPerStation int
}

// DemoScales are the sizes `policebooth demo --scale` knows: the district
// of issue 26 (a year of about 30 Haidian stations), a tenth of it with the
// same load per station, and a tiny one for the benchmarks' small mode.
var DemoScales = []DemoScale{
	{Name: "district", Stations: 30, BoothsPerStation: 5, OfficersPerBooth: 4, Residents: 1_000_000, Requests: 3_000_000, Calls: 1_000_000, Days: 365, NoticesPerStation: 104},
	{Name: "small", Stations: 3, BoothsPerStation: 5, OfficersPerBooth: 4, Residents: 100_000, Requests: 300_000, Calls: 100_000, Days: 365, NoticesPerStation: 104},
	{Name: "tiny", Stations: 3, BoothsPerStation: 5, OfficersPerBooth: 4, Residents: 2_000, Requests: 6_000, Calls: 2_000, Days: 30, NoticesPerStation: 8},
}

// FindDemoScale returns the scale of that name.
func FindDemoScale(name string) (DemoScale, error) {
	i := slices.IndexFunc(DemoScales, func(d DemoScale) bool { return d.Name == name })
	if i < 0 {
		names := make([]string, len(DemoScales))
		for i, d := range DemoScales {
			names[i] = d.Name
		}
		return DemoScale{}, app.Errorf(app.EINVALID, "unknown scale %q (one of %s)", name, strings.Join(names, ", "))
	}
	return DemoScales[i], nil
}

// DemoScaleResidentPhone is the phone of generated resident i (from 0);
// resident 0 has the longest history: one request in twenty at their home
// booth is theirs.
func DemoScaleResidentPhone(i int) string { return fmt.Sprintf("153%08d", i) }

// LoadDemoScale writes, on PostgreSQL, a generated district behind the
// demo (load the demo and its history first, at the same now): stations,
// booths, heads and officers, residents, and over the past sc.Days days
// shifts around the clock with their logs, handovers and sign-offs,
// coverage gaps, assistance calls with their steps and messages, service
// requests with their services, timelines and tickets, notices, the audit
// entries of clock-ins, clock-outs and sign-offs, and the events of the
// replay window. Daily and weekly rhythms come from the shift's hour and
// weekday. The history is what the jobs would have left: events only
// inside the replay window, call locations cleared past the station's
// retention, notices announced, no stored answer older than a day, every
// day before today summarized for the head's figures, so a first start
// has no catch-up work. The demo's own accounts stay clean in
// the present; officers of the generated booths are on duty now.
//
// Everything is set-based (INSERT … SELECT over generate_series) with
// explicit ids, and the pseudo-random choices are hashes of row numbers,
// so the same now gives the same rows. A database that already holds a
// generated district is left as it is.
func (s *Store) LoadDemoScale(ctx context.Context, log *slog.Logger, sc DemoScale, now time.Time, replay time.Duration) error {
	if !s.postgres {
		return app.Errorf(app.EINVALID, "a generated district needs PostgreSQL (DATABASE_URL=postgres://…)")
	}
	now = dbTime(now)
	hash, err := auth.HashPassword(DemoPassword)
	if err != nil {
		return err
	}
	db := s.db.WithContext(ctx)
	var demo app.Station
	if err := db.Where("name = ?", DemoStationName).First(&demo).Error; err != nil {
		return notFound("demo scale: the demo station (load the demo first)", err)
	}
	if loaded, err := s.DemoScaleLoaded(ctx); err != nil || loaded {
		return err
	}
	if err := refuseForeignAccounts(db); err != nil {
		return err
	}
	started := time.Now() // a duration, not a date: the monotonic clock
	err = s.tx(ctx, func(tx *gorm.DB) error {
		// Each step is logged below with its rows and time; the slow-query
		// log would repeat every statement.
		tx = tx.Session(&gorm.Session{Logger: tx.Logger.LogMode(logger.Silent)})
		// The rows reference each other by construction; a superuser skips
		// the row-by-row foreign key triggers for the load (as pg_restore
		// does), the dominant cost of millions of timeline rows.
		var super bool
		if err := tx.Raw("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").Scan(&super).Error; err != nil {
			return fmt.Errorf("store: demo scale: %w", err)
		}
		if super {
			if err := tx.Exec("SET LOCAL session_replication_role = replica").Error; err != nil {
				return fmt.Errorf("store: demo scale: %w", err)
			}
		}
		params := []any{now, sc.Days, sc.Stations, sc.BoothsPerStation, sc.OfficersPerBooth, sc.Residents, sc.Requests,
			sc.Calls, sc.NoticesPerStation, hash, demo.ID, int64(replay / time.Second), app.PrivacyVersion}
		for _, step := range demoScaleSteps {
			t := time.Now()
			var args []any
			if step.what == "parameters" {
				args = params
			}
			res := tx.Exec(step.sql, args...)
			if res.Error != nil {
				return fmt.Errorf("store: demo scale: %s: %w", step.what, res.Error)
			}
			log.Info("demo scale step", "step", step.what, "rows", res.RowsAffected, "took", time.Since(t).Round(time.Millisecond).String())
		}
		for _, table := range demoScaleSequences {
			err := tx.Exec(fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%[1]s', 'id'), (SELECT max(id) FROM %[1]s))", table)).Error
			if err != nil {
				return fmt.Errorf("store: demo scale: sequence of %s: %w", table, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Statistics and visibility maps, as autovacuum would have left them
	// over the year (index-only scans need the latter).
	for _, table := range slices.Concat(demoScaleSequences, []string{"request_services", "ticket_counters", "idempotent_responses", "request_day_figures"}) {
		if err := db.Exec("VACUUM (ANALYZE) " + table).Error; err != nil {
			return fmt.Errorf("store: demo scale: vacuum: %w", err)
		}
	}
	log.Info("demo scale loaded", "scale", sc.Name, "took", time.Since(started).Round(time.Second).String())
	return nil
}

// DemoScaleLoaded reports whether a generated district is there: the
// head of its second station, 15200000200, at 海淀第02派出所.
func (s *Store) DemoScaleLoaded(ctx context.Context) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&app.User{}).Joins("JOIN stations ON stations.id = users.station_id").
		Where("users.phone = '15200000200' AND users.role = 'head' AND stations.name = '海淀第02派出所'").Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("store: demo scale loaded: %w", err)
	}
	return n > 0, nil
}

// demoScaleStep is one statement of the generator.
type demoScaleStep struct {
	what string
	sql  string
}
