package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"syscall"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"policebooth/migrations"
)

func newMigrator(db *sql.DB, pg bool) (*goose.Provider, error) {
	if !pg {
		// SQLite has one writer; its immediate transactions serialise migrations.
		p, err := goose.NewProvider(goose.DialectSQLite3, db, migrations.Dialect("sqlite"))
		if err != nil {
			return nil, fmt.Errorf("store: load migrations: %w", err)
		}
		return p, nil
	}
	// The session lock makes instances that start together migrate once:
	// the others wait for it and then find nothing to do.
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
	if err != nil {
		return nil, fmt.Errorf("store: migration lock: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.Dialect("postgres"), goose.WithSessionLocker(locker))
	if err != nil {
		return nil, fmt.Errorf("store: load migrations: %w", err)
	}
	return p, nil
}

// Migrate applies every pending migration and logs each one.
//
// On PostgreSQL goose's session lock lets one instance migrate at a time.
// On SQLite the processes sharing the database file take turns through a
// lock on a file beside it: a migration that rebuilds a table runs outside
// a transaction (SQLite's foreign keys can only be switched off there), so
// its version is not recorded atomically with its change and two processes
// must not both run it. A migration that fails half-way is retried a few
// times (a busy database), finding the schema current when another
// process finished it.
func (s *Store) Migrate(ctx context.Context, log *slog.Logger) error {
	if s.migrateLock != "" {
		unlock, err := lockFile(s.migrateLock)
		if err != nil {
			return fmt.Errorf("store: migrate: %w", err)
		}
		defer unlock()
	}
	for attempt := 1; ; attempt++ {
		results, err := s.goose.Up(ctx)
		for _, r := range results {
			log.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "took", r.Duration)
		}
		if err == nil {
			return nil
		}
		if s.postgres || attempt == 5 {
			return fmt.Errorf("store: migrate: %w", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt) * 100 * time.Millisecond):
		}
		if current, target, verr := s.goose.GetVersions(ctx); verr == nil && current == target {
			return nil // another process migrated meanwhile
		}
	}
}

// lockFile waits for an exclusive lock on the file at path (created when
// missing) and returns its release. The lock is the open file's own
// (flock), so it holds between processes and between stores of one
// process, and ends with the process.
func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600) // #nosec G304 -- the database's own folder, from the configuration
	if err != nil {
		return nil, fmt.Errorf("open lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil { // #nosec G115 -- a file descriptor fits an int
		_ = f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) // #nosec G115 -- a file descriptor fits an int
		_ = f.Close()
	}, nil
}
