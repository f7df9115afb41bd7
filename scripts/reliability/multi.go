package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"policebooth/migrations"
)

// runMulti checks several instances behind a reverse proxy on one
// PostgreSQL database (DATABASE_URL): requests spread over them, sign-in
// throttling holds across them, an unanswered call escalates once per
// step, the instances migrated once, and the coverage-gap job flags each
// gap once.
func runMulti(ctx context.Context, args []string) error {
	flags := flag.NewFlagSet("multi", flag.ExitOnError)
	proxy := flags.String("url", "", "base URL of the proxy")
	direct := flags.String("instances", "", "comma-separated base URLs of the instances themselves")
	logs := flags.String("logs", "", "comma-separated log files of the instances")
	_ = flags.Parse(args)
	instances := strings.Split(*direct, ",")
	logFiles := strings.Split(*logs, ",")
	if *proxy == "" || *direct == "" || len(logFiles) != len(instances) {
		return setupError{errors.New("multi needs -url, -instances and as many -logs")}
	}
	db, err := openDatabase(ctx)
	if err != nil {
		return setupError{err}
	}
	defer db.close()
	c := newClient(*proxy)
	var res result
	failed := 0
	check := func(name string, ok bool, format string, args ...any) {
		verdict := "PASS"
		if !ok {
			verdict = "FAIL"
			failed++
		}
		res.add(name, "%s "+format, append([]any{verdict}, args...)...)
	}

	// 1. Requests spread across the instances (nginx names the upstream
	// that answered in X-Upstream).
	served := map[string]int{}
	for range 30 * len(instances) {
		a, err := c.send(ctx, request{method: "GET", path: "/api/v1/booths"}, nil)
		if err != nil {
			return setupError{err}
		}
		served[a.header.Get("X-Upstream")]++
	}
	check("spread", len(served) == len(instances), "%d requests answered by %d instances: %s", 30*len(instances), len(served), counts(served))

	// 2. Sign-in throttling counts attempts in the database: five wrong
	// passwords for one phone, whichever instances get them, and the sixth
	// is refused everywhere.
	var statuses []int
	upstreams := map[string]bool{}
	for range 6 {
		a, err := c.send(ctx, request{method: "POST", path: "/api/v1/auth/login", json: map[string]string{"phone": "13900000002", "password": "not-the-password"}}, nil)
		if err != nil && statusOf(err) == 0 {
			return setupError{err}
		}
		statuses = append(statuses, a.status)
		upstreams[a.header.Get("X-Upstream")] = true
	}
	direct3 := newClient(instances[len(instances)-1])
	a, _ := direct3.send(ctx, request{method: "POST", path: "/api/v1/auth/login", json: map[string]string{"phone": "13900000002", "password": demoPassword}}, nil)
	statuses = append(statuses, a.status)
	check("throttle", slices.Equal(statuses, []int{401, 401, 401, 401, 401, 429, 429}) && len(upstreams) > 1,
		"answers %v over %d instances (want 401 ×5, then 429, also to the right password on another instance)", statuses, len(upstreams))

	// 3. An unanswered call escalates once per step, though every instance
	// runs the escalation worker each second. Nobody is on duty, so it
	// takes step 1 at once; the driver then makes each next step due.
	resident, err := fromSource(*proxy, 1).login(ctx, demoResident)
	if err != nil {
		return setupError{err}
	}
	var call idJSON
	if _, err := c.send(ctx, request{method: "POST", path: "/api/v1/assistance-calls", token: resident, json: map[string]string{"category": "medical"}}, &call); err != nil {
		return setupError{err}
	}
	gdb := db.st.DB().WithContext(ctx)
	level := func() int {
		var l int
		gdb.Raw("SELECT escalation_level FROM assistance_calls WHERE id = ?", call.ID).Scan(&l)
		return l
	}
	before := sumMetric(ctx, instances, "policebooth_call_escalations_total")
	levels := []int{level()}
	for want := 2; want <= 4; want++ {
		if err := gdb.Exec("UPDATE assistance_calls SET next_alert_at = ? WHERE id = ?", time.Now().Add(-time.Second).UTC(), call.ID).Error; err != nil {
			return err
		}
		deadline := time.Now().Add(5 * time.Second)
		for level() < want && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		time.Sleep(2500 * time.Millisecond) // every instance's worker ticks twice more
		levels = append(levels, level())
	}
	var steps []string
	gdb.Raw("SELECT to_status FROM call_entries WHERE call_id = ? AND kind = 'escalation' ORDER BY id", call.ID).Scan(&steps)
	var events int64
	gdb.Raw("SELECT count(*) FROM events WHERE name = 'assistance.escalated' AND record_id = ?", call.ID).Scan(&events)
	taken := sumMetric(ctx, instances, "policebooth_call_escalations_total") - before
	check("escalation", slices.Equal(levels, []int{1, 2, 3, 4}) && strings.Join(steps, ",") == "1,2,3,4" && events == 4 && taken == 3,
		"levels after each step %v, timeline steps %v, %d escalated events, %.0f worker steps summed over the instances' metrics (want 1..4 once each, 3 by the workers)",
		levels, steps, events, taken)

	// 4. Instances started together migrated once: each version recorded
	// once, and one "migration applied" line per version across the logs.
	names, _ := fs.Glob(migrations.Dialect("postgres"), "*.sql")
	var versions []int64
	gdb.Raw("SELECT version_id FROM goose_db_version WHERE version_id > 0").Scan(&versions)
	applied := 0
	for _, f := range logFiles {
		b, err := os.ReadFile(f) // #nosec G304 -- the log files this script created
		if err != nil {
			return setupError{err}
		}
		applied += strings.Count(string(b), `"msg":"migration applied"`)
	}
	check("migrate_once", len(versions) == len(names) && applied == len(names),
		"%d migrations, %d versions recorded, %d applied across %d instance logs", len(names), len(versions), applied, len(logFiles))

	// 5. Background jobs run once: every instance looks for coverage gaps
	// (booths nobody has covered past the grace) every 20 s, and each gap
	// is recorded and flagged to the head by one of them. The demo's history
	// holds closed gaps of its own: only the open ones are this run's.
	var gaps int64
	flagged := 0.0
	for deadline := time.Now().Add(45 * time.Second); time.Now().Before(deadline); time.Sleep(time.Second) {
		gdb.Raw("SELECT count(*) FROM coverage_gaps WHERE ended_at IS NULL").Scan(&gaps)
		if flagged = sumMetric(ctx, instances, "policebooth_coverage_gaps_total"); gaps > 0 && flagged == float64(gaps) {
			break
		}
	}
	time.Sleep(21 * time.Second) // every instance checks again
	gdb.Raw("SELECT count(*) FROM coverage_gaps WHERE ended_at IS NULL").Scan(&gaps)
	flagged = sumMetric(ctx, instances, "policebooth_coverage_gaps_total")
	check("gaps_once", gaps > 0 && flagged == float64(gaps),
		"%d coverage gaps recorded, %.0f flagged summed over the instances' metrics (want the same, each once)", gaps, flagged)

	res.print()
	if failed > 0 {
		return fmt.Errorf("%d checks failed", failed)
	}
	return nil
}

// sumMetric adds one unlabelled metric over the instances.
func sumMetric(ctx context.Context, instances []string, name string) float64 {
	total := 0.0
	for _, u := range instances {
		m, err := readServerMetrics(ctx, newClient(u))
		if err != nil {
			return -1
		}
		total += m[name]
	}
	return total
}

func counts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%d", k, m[k])
	}
	return strings.Join(parts, " ")
}
