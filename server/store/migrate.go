package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"

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
func (s *Store) Migrate(ctx context.Context, log *slog.Logger) error {
	results, err := s.goose.Up(ctx)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	for _, r := range results {
		log.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "took", r.Duration)
	}
	return nil
}
