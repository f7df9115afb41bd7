package store

import (
	"context"
	"fmt"
	"os"

	"policebooth/server/app"
)

// Backup writes a consistent copy of the SQLite database to path while the
// server keeps running. The file must not exist yet. PostgreSQL has its own
// tools (pg_dump, base backups), so Backup refuses it.
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.postgres {
		return app.Errorf(app.EINVALID, "backup copies the SQLite database; for PostgreSQL use pg_dump")
	}
	if _, err := os.Stat(path); err == nil {
		return app.Errorf(app.ECONFLICT, "%s already exists; choose a new file name", path)
	}
	// VACUUM INTO reads one snapshot of the database and writes it compacted.
	if err := s.db.WithContext(ctx).Exec("VACUUM INTO ?", path).Error; err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	return nil
}
