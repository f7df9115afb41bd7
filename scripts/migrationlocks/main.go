// Command migrationlocks measures, for scripts/migration-locks, how long
// writers wait while migrations run: it updates the newest row of each
// table in turn (a no-op UPDATE, which any table lock stronger than a
// concurrent index build's blocks) every -every until it is told to stop
// (SIGINT or SIGTERM), then prints per table the longest and the median
// write in milliseconds after the baseline, how many writes it made then,
// and the longest write of the baseline (before the migrations began).
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

func main() {
	tables := flag.String("tables", "events,service_requests,timeline_entries,assistance_calls,call_entries,shifts,audit_entries", "tables to write to, comma-separated")
	every := flag.Duration("every", 20*time.Millisecond, "pause between rounds of writes")
	baseline := flag.Duration("baseline", 2*time.Second, "the first writes, before the migrations start: the machine's own noise")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	pool, err := pgxpool.New(context.Background(), os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal("migrationlocks: ", err)
	}
	defer pool.Close()
	names := strings.Split(*tables, ",")
	took := map[string][]time.Duration{}
	quiet := map[string]time.Duration{} // the longest write of the baseline
	ids := map[string]int64{}
	for _, t := range names {
		var id int64
		if err := pool.QueryRow(ctx, "SELECT coalesce(max(id), 0) FROM "+t).Scan(&id); err != nil { // #nosec G202 -- table names the script gives
			log.Fatalf("migrationlocks: %s: %v", t, err)
		}
		ids[t] = id
	}
	fmt.Fprintln(os.Stderr, "migrationlocks: writing")
	began := time.Now()
	for ctx.Err() == nil {
		for _, t := range names {
			start := time.Now()
			// Not cut short by the stop signal: a write waiting on a lock
			// finishes and counts.
			_, err := pool.Exec(context.Background(), "UPDATE "+t+" SET id = id WHERE id = $1", ids[t]) // #nosec G202 -- as above
			if err != nil {
				log.Fatalf("migrationlocks: %s: %v", t, err)
			}
			if d := time.Since(start); start.Sub(began) < *baseline {
				quiet[t] = max(quiet[t], d)
			} else {
				took[t] = append(took[t], d)
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(*every):
		}
	}
	for _, t := range names {
		d := took[t]
		if len(d) == 0 {
			log.Fatalf("migrationlocks: no write to %s after the baseline", t)
		}
		slices.Sort(d)
		fmt.Printf("%-18s %9.1f %9.1f %6d %12.1f\n", t, ms(d[len(d)-1]), ms(d[len(d)/2]), len(d), ms(quiet[t]))
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
