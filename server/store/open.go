// Package store keeps Police Booth's records with GORM, on SQLite (the
// embedded default) or PostgreSQL.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/ncruces/go-sqlite3/gormlite"
	"github.com/pressly/goose/v3"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"policebooth/server/app"
)

// IdleInTransactionTimeout is how long PostgreSQL lets a session of this
// server sit idle inside a transaction before it ends the session. The
// server's transactions never wait on the network, so only a fault leaves
// one idle; a DATABASE_URL that sets idle_in_transaction_session_timeout
// itself wins.
const IdleInTransactionTimeout = "10s"

const idleInTransactionParam = "idle_in_transaction_session_timeout"

// Store is the database behind every service.
type Store struct {
	db       *gorm.DB
	postgres bool
	goose    *goose.Provider

	// migrateLock is the file whose lock serialises the migrations of the
	// processes sharing a SQLite database (see Migrate); "" on PostgreSQL.
	migrateLock string

	// afterCommit is called after every committed transaction, so the event
	// hub of this instance reads the log at once (see OnCommit).
	afterCommit func()

	// clock is where every time the store writes or compares comes from
	// (see SetClock); GORM's automatic timestamps read it too.
	clock func() time.Time

	// afterMessage is called after a transaction that queued a text
	// message commits (see OnMessage).
	afterMessage func()

	// locations caches time zones by name (see location).
	locations sync.Map

	// boothZones keeps each booth's station and time zone (see
	// boothStation): neither changes once a booth exists. Whatever comes
	// to move a booth or change a station's zone must clear it.
	boothZones sync.Map

	// expected keeps each booth's expected service minutes (see
	// expectedMinutes), by booth id; expectedGen counts what dropped them,
	// so a read that began before a drop does not put back what it read.
	expected    sync.Map
	expectedGen atomic.Int64

	// wake is the NOTIFY that wakes the other instances (see wakeOthers).
	wake struct {
		sync.Mutex
		sending, again bool
	}
}

// SetClock makes now the store's clock: main sets the real one, tests pin
// it. Call it before use.
func (s *Store) SetClock(now func() time.Time) { s.clock = now }

// Now is the store's clock, rounded to what the database keeps.
func (s *Store) Now() time.Time { return dbTime(s.clock()) }

// OnCommit sets the function called after each committed transaction. The
// event hub uses it to wake; call it before serving.
func (s *Store) OnCommit(fn func()) { s.afterCommit = fn }

// Open connects to PostgreSQL when databaseURL is set, else to the SQLite
// file at sqlitePath (created with its folder when missing). It does not
// migrate; call Migrate.
func Open(databaseURL, sqlitePath string, log *slog.Logger) (*Store, error) {
	s := &Store{postgres: databaseURL != "", clock: time.Now}
	cfg := &gorm.Config{
		TranslateError: true,
		NowFunc:        s.Now,
		Logger: quietLogger{Interface: logger.NewSlogLogger(log, logger.Config{
			SlowThreshold:             slowStatement,
			LogLevel:                  logger.Warn,
			IgnoreRecordNotFoundError: true,
		})},
	}
	var (
		dialector gorm.Dialector
		pg        = databaseURL != ""
	)
	if pg {
		conn, err := pgx.ParseConfig(databaseURL)
		if err != nil {
			return nil, fmt.Errorf("store: DATABASE_URL: %w", err)
		}
		// A transaction of this server left open (a bug, a stuck client)
		// holds back every event stream of the cluster: PostgreSQL ends it.
		if _, set := conn.RuntimeParams[idleInTransactionParam]; !set {
			conn.RuntimeParams[idleInTransactionParam] = IdleInTransactionTimeout
		}
		dialector = postgres.New(postgres.Config{Conn: stdlib.OpenDB(*conn)})
	} else {
		if err := os.MkdirAll(filepath.Dir(sqlitePath), 0o750); err != nil {
			return nil, fmt.Errorf("store: create data dir: %w", err)
		}
		// WAL lets readers run beside the one writer; immediate transactions
		// take the write lock up front so a busy writer waits instead of
		// failing half-way; the busy timeout is how long it waits.
		dsn := "file:" + filepath.ToSlash(sqlitePath) +
			"?_pragma=busy_timeout(10000)&_pragma=journal_mode(wal)&_pragma=foreign_keys(on)" +
			"&_pragma=synchronous(normal)&_txlock=immediate"
		dialector = gormlite.Open(dsn)
		s.migrateLock = sqlitePath + ".migrate-lock"
	}
	db, err := gorm.Open(dialector, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: open database: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("store: open database: %w", err)
	}
	if pg {
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetMaxIdleConns(10)
	} else {
		sqlDB.SetMaxOpenConns(8)
		sqlDB.SetMaxIdleConns(8)
	}
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)

	s.db = db
	if s.goose, err = newMigrator(sqlDB, pg); err != nil {
		_ = sqlDB.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the database connections.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Postgres reports whether the store runs on PostgreSQL.
func (s *Store) Postgres() bool { return s.postgres }

// DB returns the GORM handle, for packages that share the database (tests,
// metrics).
func (s *Store) DB() *gorm.DB { return s.db }

// Pool is the database's connection pool, for its metrics.
func (s *Store) Pool() (*sql.DB, error) { return s.db.DB() }

// Ready reports whether the database answers and every migration is applied.
func (s *Store) Ready(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("store: database unreachable: %w", err)
	}
	current, target, err := s.goose.GetVersions(ctx)
	if err != nil {
		return fmt.Errorf("store: read schema version: %w", err)
	}
	if current != target {
		return fmt.Errorf("store: schema at version %d, want %d", current, target)
	}
	return nil
}

// tx runs fn in one transaction on ctx. Under a claimed Idempotency-Key
// (WithIdempotencyClaim) the same transaction marks the key written, so
// every write of an idempotent route is stored at most once.
func (s *Store) tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	queued, evented := false, false
	ctx = context.WithValue(context.WithValue(ctx, queuedKey{}, &queued), eventedKey{}, &evented)
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := fn(tx); err != nil {
			return err
		}
		return markWritten(tx)
	})
	if err != nil {
		return err
	}
	if s.afterCommit != nil {
		s.afterCommit()
	}
	if evented && s.postgres {
		s.wakeOthers()
	}
	if queued && s.afterMessage != nil {
		s.afterMessage()
	}
	return nil
}

// notFound turns GORM's not-found into the app's, and wraps anything else.
func notFound(op string, err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return app.ErrNotFound
	}
	return fmt.Errorf("store: %s: %w", op, err)
}

// slowStatement is how long a statement runs before it is logged.
const slowStatement = 500 * time.Millisecond

// quietLogger hands GORM's trace of a statement to the log only when it
// is logged (an error or a slow statement): GORM's slog logger formats
// every statement's SQL with its values before deciding, on every query.
type quietLogger struct{ logger.Interface }

// LogMode keeps the wrapper around the logger at the new level.
func (l quietLogger) LogMode(level logger.LogLevel) logger.Interface {
	return quietLogger{l.Interface.LogMode(level)}
}

// Trace passes a failed or slow statement on.
func (l quietLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	if err == nil && time.Since(begin) <= slowStatement {
		return
	}
	l.Interface.Trace(ctx, begin, fc, err)
}
