// Package storetest opens real databases for tests: a fresh SQLite file,
// or, when TEST_DATABASE_URL is set, a fresh schema in that PostgreSQL
// database, dropped when the test ends.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"

	"policebooth/server/store"
)

// Logger discards logs unless the test runs with -v.
func Logger(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// DSN returns the database URL for a fresh, empty database of the dialect
// under test: "" (SQLite, with the file path as second result) or a
// PostgreSQL URL whose search_path is a new schema.
func DSN(t testing.TB) (databaseURL, sqlitePath string) {
	t.Helper()
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		return "", filepath.Join(t.TempDir(), "test.db")
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := gorm.Open(postgres.Open(base), &gorm.Config{})
	if err != nil {
		t.Fatalf("storetest: connect to TEST_DATABASE_URL: %v", err)
	}
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatalf("storetest: create schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		if db, err := admin.DB(); err == nil {
			_ = db.Close() // the test is over
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("storetest: TEST_DATABASE_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), ""
}

// Open returns a migrated store on a fresh database, closed when the test ends.
func Open(t testing.TB) *store.Store {
	t.Helper()
	st := OpenEmpty(t)
	if err := st.Migrate(context.Background(), Logger(t)); err != nil {
		t.Fatalf("storetest: migrate: %v", err)
	}
	return st
}

// OpenEmpty returns a store on a fresh database without migrating it.
func OpenEmpty(t testing.TB) *store.Store {
	t.Helper()
	dsn, path := DSN(t)
	st, err := store.Open(dsn, path, Logger(t))
	if err != nil {
		t.Fatalf("storetest: open: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// OpenAt returns a migrated store on a given database (DSN's results, or a
// private cluster's URL), closed when the test ends. Tests that play
// several instances open one database several times.
func OpenAt(t testing.TB, databaseURL, sqlitePath string) *store.Store {
	t.Helper()
	st, err := store.Open(databaseURL, sqlitePath, Logger(t))
	if err != nil {
		t.Fatalf("storetest: open: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(context.Background(), Logger(t)); err != nil {
		t.Fatalf("storetest: migrate: %v", err)
	}
	return st
}
