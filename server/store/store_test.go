package store_test

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"policebooth/migrations"
	"policebooth/server/app"
	"policebooth/server/store"
	"policebooth/server/store/storetest"
)

func TestMigrationFoldersHaveTheSameVersions(t *testing.T) {
	versions := func(dialect string) []string {
		names, err := fs.Glob(migrations.Dialect(dialect), "*.sql")
		if err != nil {
			t.Fatal(err)
		}
		var v []string
		for _, n := range names {
			v = append(v, strings.SplitN(n, "_", 2)[0])
		}
		return v
	}
	pg, lite := versions("postgres"), versions("sqlite")
	if len(pg) == 0 || !slices.Equal(pg, lite) {
		t.Fatalf("postgres versions %v, sqlite versions %v: want the same, non-empty", pg, lite)
	}
}

// compatible lists the database type names each GORM data type may live in.
var compatible = map[schema.DataType][]string{
	schema.Bool:   {"bool", "boolean", "integer"},
	schema.Int:    {"int2", "int4", "int8", "integer", "bigint", "smallint"},
	schema.Uint:   {"int2", "int4", "int8", "integer", "bigint", "smallint"},
	schema.Float:  {"float4", "float8", "real", "double precision", "numeric"},
	schema.String: {"text", "varchar", "character varying"},
	schema.Time:   {"timestamptz", "timestamp", "datetime", "date"},
	schema.Bytes:  {"bytea", "blob"},
}

func TestMigratedSchemaMatchesModels(t *testing.T) {
	st := open(t)
	db := st.DB()
	for _, model := range store.Models {
		stmt := &gorm.Statement{DB: db}
		if err := stmt.Parse(model); err != nil {
			t.Fatal(err)
		}
		table := stmt.Schema.Table
		if !db.Migrator().HasTable(table) {
			t.Errorf("table %s of %T is missing from the migrated schema", table, model)
			continue
		}
		cols, err := db.Migrator().ColumnTypes(model)
		if err != nil {
			t.Fatal(err)
		}
		types := map[string]string{}
		for _, c := range cols {
			types[c.Name()] = strings.ToLower(c.DatabaseTypeName())
		}
		for _, f := range stmt.Schema.Fields {
			if f.DBName == "" {
				continue
			}
			got, ok := types[f.DBName]
			if !ok {
				t.Errorf("%s.%s (field %s of %T) is missing", table, f.DBName, f.Name, model)
				continue
			}
			want := compatible[f.DataType]
			if f.DataType == "text" { // gorm:"type:text" on a string
				want = compatible[schema.String]
			}
			if !slices.Contains(want, got) {
				t.Errorf("%s.%s is %s; field %s of %T (%s) needs one of %v", table, f.DBName, got, f.Name, model, f.DataType, want)
			}
		}
	}
}

func TestReadyAfterMigrateOnly(t *testing.T) {
	ctx := context.Background()
	st := storetest.OpenEmpty(t)
	if err := st.Ready(ctx); err == nil {
		t.Fatal("Ready on an unmigrated database: want an error")
	}
	if err := st.Migrate(ctx, storetest.Logger(t)); err != nil {
		t.Fatal(err)
	}
	if err := st.Ready(ctx); err != nil {
		t.Fatalf("Ready after Migrate: %v", err)
	}
}

func TestInstancesStartingTogetherMigrateOnce(t *testing.T) {
	dsn, path := storetest.DSN(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 3)
	stores := make([]*store.Store, 3)
	for i := range stores {
		st, err := store.Open(dsn, path, storetest.Logger(t))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		stores[i] = st
	}
	for i, st := range stores {
		wg.Go(func() { errs[i] = st.Migrate(ctx, storetest.Logger(t)) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("instance %d: %v", i, err)
		}
	}
	var applied []int64
	if err := stores[0].DB().Raw("SELECT version_id FROM goose_db_version WHERE version_id > 0 ORDER BY id").Scan(&applied).Error; err != nil {
		t.Fatal(err)
	}
	names, _ := fs.Glob(migrations.Dialect("sqlite"), "*.sql")
	if len(applied) != len(names) {
		t.Fatalf("applied versions %v: want each of the %d migrations once", applied, len(names))
	}
}

func TestEventIsWrittenOnlyWithItsChange(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	s := app.Station{Name: "测试派出所"}
	if err := st.CreateStation(ctx, app.Actor{}, &s); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("the change failed")
	err := st.Tx(func(tx *gorm.DB) error {
		if err := store.AppendEvent(tx, &app.Event{StationID: s.ID, Name: "request.created", RecordID: 7}, map[string]any{"id": "7", "status": "submitted"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Tx: %v", err)
	}
	err = st.Tx(func(tx *gorm.DB) error {
		return store.AppendEvent(tx, &app.Event{StationID: s.ID, Name: "request.updated", RecordID: 7}, map[string]any{"id": "7", "status": "accepted"})
	})
	if err != nil {
		t.Fatal(err)
	}
	var events []app.Event
	st.DB().Order("id").Find(&events)
	if len(events) != 1 || events[0].Name != "request.updated" || events[0].Payload != `{"id":"7","status":"accepted"}` {
		t.Fatalf("events %+v: want only the committed request.updated", events)
	}
}

func TestKeyIsGeneratedOnceAndShared(t *testing.T) {
	dsn, path := storetest.DSN(t)
	ctx := context.Background()
	open := func() *store.Store { return openAt(t, dsn, path) }
	a, b := open(), open()
	ka, err := a.Key(ctx, "signing", 32)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := b.Key(ctx, "signing", 32)
	if err != nil {
		t.Fatal(err)
	}
	if len(ka) != 32 || string(ka) != string(kb) {
		t.Fatalf("two instances got keys %x and %x: want one shared 32-byte key", ka, kb)
	}
	other, _ := a.Key(ctx, "vapid", 32)
	if string(other) == string(ka) {
		t.Fatal("a second key name returned the first key")
	}
}

func TestBoothsBelongToStationsAndAreAudited(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	if err := st.CreateBooth(ctx, app.Actor{}, &app.Booth{StationID: 99, Name: "A", Lat: 39.9, Lng: 116.3}); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("booth of a missing station: %v, want not found", err)
	}
	s := app.Station{Name: "海淀派出所"}
	if err := st.CreateStation(ctx, app.Actor{}, &s); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []app.Booth{
		{StationID: s.ID, Name: " ", Lat: 39.9, Lng: 116.3},
		{StationID: s.ID, Name: "A", Lat: 91, Lng: 116.3},
		{StationID: s.ID, Name: "A"},
	} {
		if err := st.CreateBooth(ctx, app.Actor{}, &bad); app.ErrorCode(err) != app.EINVALID {
			t.Errorf("CreateBooth(%+v) = %v, want invalid", bad, err)
		}
	}
	if err := st.CreateBooth(ctx, app.Actor{}, &app.Booth{StationID: s.ID, Name: "A", Lat: 39.9, Lng: 116.3}); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateBooth(ctx, app.Actor{}, &app.Booth{StationID: s.ID, Name: "A", Lat: 39.9, Lng: 116.3}); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("second booth A: %v, want conflict", err)
	}
	booths, err := st.ListBooths(ctx)
	if err != nil || len(booths) != 1 || booths[0].Name != "A" {
		t.Fatalf("ListBooths = %+v, %v", booths, err)
	}
	var actions []string
	st.DB().Model(&app.AuditEntry{}).Order("id").Pluck("action", &actions)
	if !slices.Equal(actions, []string{"station.create", "booth.create"}) {
		t.Fatalf("audit actions %v", actions)
	}
}

func TestDemoLoadsTheSameDataEveryTime(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	for range 2 {
		if err := st.LoadDemo(ctx, storetest.Logger(t)); err != nil {
			t.Fatal(err)
		}
	}
	booths, err := st.ListBooths(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(booths) != 2 || booths[0].Name != "A" || booths[1].Name != "B" {
		t.Fatalf("demo booths %+v: want A and B once", booths)
	}
	s, err := st.FindStation(ctx, booths[0].StationID)
	if err != nil || s.Name != store.DemoStationName || s.NameEn != "Haidian Station" || s.TimeZone != "Asia/Shanghai" {
		t.Fatalf("demo station %+v, %v", s, err)
	}
}

func TestBackupIsAConsistentCopyWhileWriting(t *testing.T) {
	st := open(t)
	if st.Postgres() {
		if err := st.Backup(context.Background(), filepath.Join(t.TempDir(), "b.db")); app.ErrorCode(err) != app.EINVALID {
			t.Fatalf("Backup on PostgreSQL: %v, want invalid (use pg_dump)", err)
		}
		return
	}
	ctx := context.Background()
	s := app.Station{Name: "备份派出所"}
	if err := st.CreateStation(ctx, app.Actor{}, &s); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			b := app.Booth{StationID: s.ID, Name: "booth-" + strings.Repeat("x", i%5) + string(rune('a'+i%26)) + string(rune('0'+i/26%10)) + string(rune('0'+i/260)), Lat: 39.9, Lng: 116.3}
			_ = st.CreateBooth(ctx, app.Actor{}, &b)
		}
	})
	path := filepath.Join(t.TempDir(), "copy.db")
	err := st.Backup(ctx, path)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Backup(ctx, path); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("backup over an existing file: %v, want conflict", err)
	}
	cp, err := store.Open("", path, storetest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	if err := cp.Ready(ctx); err != nil {
		t.Fatalf("the copy is not a migrated database: %v", err)
	}
	var booths, audits int64
	cp.DB().Model(&app.Booth{}).Count(&booths)
	cp.DB().Model(&app.AuditEntry{}).Where("action = ?", "booth.create").Count(&audits)
	if booths != audits {
		t.Fatalf("copy has %d booths and %d booth audits: a half-written transaction", booths, audits)
	}
}

// TestEventsAreReadInTransactionOrder: on PostgreSQL the log is walked by
// (transaction id, id) as numbers, so 9999 comes before 10000. The ids
// used are a power of ten and its neighbours below the cluster's current
// transaction id, so they count as finished.
func TestEventsAreReadInTransactionOrder(t *testing.T) {
	st := open(t)
	if !st.Postgres() {
		t.Skip("SQLite reads by id")
	}
	ctx := context.Background()
	s := app.Station{Name: "顺序派出所"}
	if err := st.CreateStation(ctx, app.Actor{}, &s); err != nil {
		t.Fatal(err)
	}
	var current uint64
	if err := st.DB().Raw("SELECT pg_current_xact_id()::text::bigint").Scan(&current).Error; err != nil {
		t.Fatal(err)
	}
	p := uint64(10)
	for p*10+1 < current {
		p *= 10
	}
	if p+1 >= current {
		t.Fatalf("the cluster's transaction id %d is too low for this test", current)
	}
	for _, tx := range []uint64{p, p - 1, p + 1} {
		if err := st.DB().Exec("INSERT INTO events (station_id, name, record_id, payload, tx_id) VALUES (?, 'test.order', ?, '{}', ?::xid8)", s.ID, tx, tx).Error; err != nil {
			t.Fatal(err)
		}
	}
	evs, _, err := st.EventsAfter(ctx, app.EventCursor{}, app.EventFilter{StationID: s.ID}, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || evs[0].Cursor.Tx != p-1 || evs[1].Cursor.Tx != p {
		t.Fatalf("first page %+v, want transactions %d then %d", evs, p-1, p)
	}
	rest, _, err := st.EventsAfter(ctx, evs[1].Cursor, app.EventFilter{StationID: s.ID}, 0, 2)
	if err != nil || len(rest) != 1 || rest[0].Cursor.Tx != p+1 {
		t.Fatalf("second page %+v %v, want transaction %d", rest, err, p+1)
	}
}

// TestServerSessionsEndIdleTransactions: on PostgreSQL the server's own
// sessions carry idle_in_transaction_session_timeout, so a transaction of
// this server left open cannot hold back the cluster's event streams.
func TestServerSessionsEndIdleTransactions(t *testing.T) {
	st := storetest.Open(t)
	if !st.Postgres() {
		t.Skip("PostgreSQL only")
	}
	var timeout string
	if err := st.DB().Raw("SHOW idle_in_transaction_session_timeout").Scan(&timeout).Error; err != nil {
		t.Fatal(err)
	}
	if timeout != store.IdleInTransactionTimeout {
		t.Fatalf("idle_in_transaction_session_timeout is %q, want %q", timeout, store.IdleInTransactionTimeout)
	}
}
