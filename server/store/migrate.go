package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
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
// SQLite has no migration lock: two processes starting together on one
// file may both try a version. Each migration runs in one transaction, so
// the loser's attempt fails whole; it then finds the schema current (or
// retries what is left).
func (s *Store) Migrate(ctx context.Context, log *slog.Logger) error {
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
