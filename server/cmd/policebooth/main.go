// Command policebooth runs the Police Booth server and its maintenance tasks.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // stations name their time zone; slim images have no zoneinfo

	"policebooth/server/config"
	"policebooth/server/jobs"
	"policebooth/server/media"
	"policebooth/server/store"
	"policebooth/server/web"
)

const usage = `Police Booth: the server and PWA of a neighbourhood police booth.

Usage:
  policebooth [serve] [--demo]   run the server (--demo loads the demo data first)
  policebooth migrate            apply database migrations and exit
  policebooth demo [--scale S]   load the demo data and exit; --scale small|district (PostgreSQL)
                                 also writes a generated district's year behind it
  policebooth admin ...          manage stations and booths (policebooth admin help)
  policebooth healthcheck        probe /healthz of the local server (for containers)
  policebooth backup FILE        write a consistent copy of the SQLite database to FILE

Configuration comes from environment variables; see README.md.
`

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, log)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "policebooth:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer, log *slog.Logger) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	switch cmd {
	case "serve":
		return serve(ctx, cfg, args, log)
	case "migrate":
		return withStore(ctx, cfg, log, func(*store.Store) error { return nil })
	case "demo":
		return demo(ctx, cfg, args, log)
	case "admin":
		return withStore(ctx, cfg, log, func(st *store.Store) error { return admin(ctx, st, args, out) })
	case "healthcheck":
		return healthcheck(ctx, cfg)
	case "backup":
		if len(args) != 1 {
			return errors.New("usage: policebooth backup FILE")
		}
		return withStore(ctx, cfg, log, func(st *store.Store) error {
			if err := st.Backup(ctx, args[0]); err != nil {
				return err
			}
			fmt.Fprintln(out, "backup written to", args[0])
			return nil
		})
	case "help", "-h", "--help":
		fmt.Fprint(out, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n\n%s", cmd, usage)
}

// withStore opens and migrates the database, runs fn and closes it.
func withStore(ctx context.Context, cfg config.Config, log *slog.Logger, fn func(*store.Store) error) error {
	st, err := store.Open(cfg.DatabaseURL, cfg.SQLitePath(), log)
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }() // on the way out: the command's own error is the one to report
	// The one clock of the process: the store, its timestamps and the
	// background work all read it.
	st.SetClock(time.Now)
	if err := st.Migrate(ctx, log); err != nil {
		return err
	}
	return fn(st)
}

func serve(ctx context.Context, cfg config.Config, args []string, log *slog.Logger) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	demo := fs.Bool("demo", false, "load the demo data before listening")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return withStore(ctx, cfg, log, func(st *store.Store) error {
		if *demo {
			if err := loadDemo(ctx, cfg, st, log); err != nil {
				return err
			}
		}
		if demo, err := st.DemoAccountsExist(ctx); err != nil {
			return err
		} else if demo {
			log.Warn("demo accounts exist (password booth-demo-2026): this database is for trying Police Booth out, not for a real booth")
		}
		srv, err := web.New(cfg, st.Services(), log)
		if err != nil {
			return err
		}
		// The jobs stop with the server; the jobs' clock is the real one.
		jobsCtx, stopJobs := context.WithCancel(ctx)
		defer stopJobs()
		stopped, err := jobs.Start(jobsCtx, cfg, st, srv, jobs.NewDelivery(ctx, cfg, st, nil, log), st.Now, log)
		if err != nil {
			return err
		}
		err = srv.Run(ctx)
		stopJobs()
		<-stopped // runs in progress finish, none is cut off halfway
		return err
	})
}

// loadDemo loads the demo accounts and, behind them, a month of history
// ending now, its pictures in the blob store.
func loadDemo(ctx context.Context, cfg config.Config, st *store.Store, log *slog.Logger) error {
	now := st.Now()
	if err := st.LoadDemoAt(ctx, log, now); err != nil {
		return err
	}
	bucket, err := media.OpenBucket(ctx, cfg.BlobURL)
	if err != nil {
		return err
	}
	defer func() { _ = bucket.Close() }() // written blobs are flushed by WriteAll
	return st.LoadDemoHistory(ctx, log, now, func(ctx context.Context, key string, data []byte) error {
		return bucket.WriteAll(ctx, key, data, nil)
	})
}

// demo loads the demo data and, with --scale, a generated district behind
// it (at the same now, so the demo's month and the district's year meet).
func demo(ctx context.Context, cfg config.Config, args []string, log *slog.Logger) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	scale := fs.String("scale", "", "also generate a district: small (a tenth), district, or tiny (the benchmarks' small mode)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return withStore(ctx, cfg, log, func(st *store.Store) error {
		var sc store.DemoScale
		if *scale != "" {
			var err error
			if sc, err = store.FindDemoScale(*scale); err != nil {
				return err
			}
			if !st.Postgres() {
				return errors.New("demo --scale needs PostgreSQL: set DATABASE_URL=postgres://…")
			}
		}
		if *scale == "" {
			return loadDemo(ctx, cfg, st, log)
		}
		// The demo's loads refuse a database with other accounts, and a
		// generated district has them: a second run stops here.
		if generated, err := st.DemoScaleLoaded(ctx); err != nil || generated {
			if generated {
				log.Info("a generated district is already there: nothing to load")
			}
			return err
		}
		if err := loadDemo(ctx, cfg, st, log); err != nil {
			return err
		}
		return st.LoadDemoScale(ctx, log, sc, st.Now(), cfg.EventReplayWindow)
	})
}

// healthcheck probes /healthz on the local listen address; the container's
// HEALTHCHECK runs it.
func healthcheck(ctx context.Context, cfg config.Config) error {
	addr := cfg.Addr
	if strings.HasPrefix(addr, ":") {
		addr = "127.0.0.1" + addr
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: /healthz answered %s", resp.Status)
	}
	return nil
}
