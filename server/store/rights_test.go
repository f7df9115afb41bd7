package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"policebooth/server/app"
	"policebooth/server/store"
	"policebooth/server/store/storetest"
)

// residentRecords seeds, for one resident, everything a resident leaves
// behind, with their name and phone written into every free-text place:
// a completed request (kept by law), an open one with a document, a
// cancelled one, a resolved call with a location and messages (kept), a
// cancelled call, a session, a device, a stored answer, a phone code and
// attempt counters.
type residentRecords struct {
	completed, open, cancelled *app.ServiceRequest
	resolved, dropped          *app.AssistanceCall
	blobKeys                   []string
}

func seedResident(t *testing.T, c *counter, u *app.User, now time.Time) residentRecords {
	t.Helper()
	st, ctx := c.st, context.Background()
	staff := c.staffScope
	var rec residentRecords
	mention := u.Name + " " + u.Phone

	nr := app.NewRequest{ResidentID: u.ID, Services: []string{"other"}, Fields: map[string]map[string]string{"other": {"subject": "证明 " + mention}}, Note: mention}
	rec.completed = create(t, st, nr)
	move(t, st, rec.completed.ID, staff, app.RequestMove{ActorID: c.officer.ID, To: app.RequestAccepted})
	move(t, st, rec.completed.ID, staff, app.RequestMove{ActorID: c.officer.ID, To: app.RequestInProgress, Note: "已核实 " + mention})
	rec.completed = move(t, st, rec.completed.ID, staff, app.RequestMove{ActorID: c.officer.ID, To: app.RequestCompleted})

	rec.open = create(t, st, nr)
	for i := range 2 {
		a := &app.Attachment{RequestID: rec.open.ID, UploaderID: u.ID, BlobKey: fmt.Sprintf("attachments/%d/%d-%d.png", u.ID, rec.open.ID, i),
			ContentType: "image/png", Size: 10, Name: u.Name + "身份证.png"}
		if err := st.AddAttachment(ctx, scopeOf(u), a); err != nil {
			t.Fatal(err)
		}
		rec.blobKeys = append(rec.blobKeys, a.BlobKey)
	}
	rec.cancelled = create(t, st, nr)
	move(t, st, rec.cancelled.ID, scopeOf(u), app.RequestMove{ActorID: u.ID, ByResident: true, To: app.RequestCancelled})

	rec.resolved = call(t, st, app.NewCall{CallerID: u.ID, Category: "medical", Message: mention, Lat: ptr(39.96), Lng: ptr(116.30), AccuracyM: ptr(12.0)}, now)
	if _, err := st.AddCallMessage(ctx, rec.resolved.ID, callerScope(u), u.ID, "我是"+mention, now); err != nil {
		t.Fatal(err)
	}
	stationScope := app.CallScope{StationID: c.station.ID}
	moveCall(t, st, rec.resolved.ID, stationScope, c.officer.ID, app.CallAcknowledged, now)
	rec.resolved = moveCall(t, st, rec.resolved.ID, stationScope, c.officer.ID, app.CallResolved, now.Add(time.Minute))
	rec.dropped = call(t, st, app.NewCall{CallerID: u.ID, Category: "other", Message: mention}, now.Add(2*time.Minute))
	if _, err := st.AddCallMessage(ctx, rec.dropped.ID, callerScope(u), u.ID, mention, now.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	moveCall(t, st, rec.dropped.ID, callerScope(u), u.ID, app.CallCancelled, now.Add(3*time.Minute))

	if _, err := st.CreateSession(ctx, u.ID, now); err != nil {
		t.Fatal(err)
	}
	sub := &app.PushSubscription{UserID: u.ID, Endpoint: "https://push.example/" + u.Phone, P256dh: "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM", Auth: "tBHItJI5svbpez7KI4CCXg"}
	if err := st.SavePushSubscription(ctx, sub); err != nil {
		t.Fatal(err)
	}
	key := "key-" + u.Phone
	if _, err := st.BeginIdempotent(ctx, u.ID, key, "POST", "/api/v1/service-requests"); err != nil {
		t.Fatal(err)
	}
	if err := st.FinishIdempotent(ctx, u.ID, key, app.IdempotentResponse{Status: 201, ContentType: "application/json", Body: []byte(`{"note":"` + mention + `"}`)}); err != nil {
		t.Fatal(err)
	}
	// An officer's note on each request, answered with the request (and
	// so its note), kept for retries under the officer's id.
	for _, r := range []*app.ServiceRequest{rec.completed, rec.open} {
		path := fmt.Sprintf("/api/v1/service-requests/%d/notes", r.ID)
		if _, err := st.BeginIdempotent(ctx, c.officer.ID, path, "POST", path); err != nil {
			t.Fatal(err)
		}
		if err := st.FinishIdempotent(ctx, c.officer.ID, path, app.IdempotentResponse{Status: 201, ContentType: "application/json", Body: []byte(`{"note":"` + mention + `"}`)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.IssueCode(ctx, u.Phone, app.CodeReset, app.LanguageChinese); err != nil {
		t.Fatal(err)
	}
	for _, b := range []string{"login:phone:" + u.Phone, "code:phone:" + u.Phone} {
		if _, err := st.Throttle(ctx, b, 5, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	return rec
}

// hit is one place a value was found: a table, a column and the row's
// identifying columns.
type hit struct {
	table, column string
	row           map[string]string
}

// scanDatabase reads every column of every table with raw SQL and returns
// where any of the needles occurs, text and bytes alike.
func scanDatabase(t *testing.T, st *store.Store, needles ...string) []hit {
	t.Helper()
	db, err := st.DB().DB()
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	q := "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
	if st.Postgres() {
		q = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
	}
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close() //nolint:sqlclosecheck // closed now: the scans below need the connection
	if len(tables) < 20 {
		t.Fatalf("found only tables %v", tables)
	}
	var hits []hit
	for _, table := range tables {
		hits = append(hits, scanTable(t, db, table, needles)...)
	}
	return hits
}

func scanTable(t *testing.T, db *sql.DB, table string, needles []string) []hit {
	t.Helper()
	rows, err := db.Query(`SELECT * FROM "` + table + `"`)
	if err != nil {
		t.Fatalf("scan %s: %v", table, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var hits []hit
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := map[string]string{}
		for i, c := range cols {
			switch v := vals[i].(type) {
			case []byte:
				row[c] = string(v)
			case nil:
			default:
				row[c] = fmt.Sprint(v)
			}
		}
		for i, c := range cols {
			for _, n := range needles {
				if strings.Contains(row[c], n) {
					hits = append(hits, hit{table: table, column: cols[i], row: row})
				}
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("scan %s: %v", table, err)
	}
	return hits
}

// keptColumn names, for each table that holds a kept record's content,
// the column that says which record a row belongs to.
var keptColumn = map[string]struct{ kind, column string }{
	"service_requests": {"service_request", "id"},
	"request_services": {"service_request", "request_id"},
	"timeline_entries": {"service_request", "request_id"},
	"attachments":      {"service_request", "request_id"},
	"assistance_calls": {"assistance_call", "id"},
	"call_entries":     {"assistance_call", "call_id"},
	"call_messages":    {"assistance_call", "call_id"},
}

func TestErasureLeavesNameAndPhoneOnlyInKeptRecords(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	onDuty(t, st, c.officer, c.boothA)
	mine := seedResident(t, c, c.resident, t0)
	theirs := seedResident(t, c, c.neighbour, t0.Add(time.Hour))

	export, err := st.ExportResident(ctx, c.resident.ID, t0)
	if err != nil {
		t.Fatal(err)
	}
	var exportedKept []string
	for _, k := range export.Kept {
		exportedKept = append(exportedKept, fmt.Sprintf("%s/%d", k.Kind, k.ID))
		if k.Reason.Zh == "" || k.Reason.En == "" {
			t.Errorf("kept record %+v gives no reason in both languages", k)
		}
	}
	wantKept := []string{fmt.Sprintf("service_request/%d", mine.completed.ID), fmt.Sprintf("assistance_call/%d", mine.resolved.ID)}
	if !slices.Equal(exportedKept, wantKept) {
		t.Fatalf("export lists kept records %v, want %v", exportedKept, wantKept)
	}

	// A call still open refuses the erasure, and nothing is erased.
	open := call(t, st, app.NewCall{CallerID: c.resident.ID, Category: "crime"}, t0.Add(time.Hour))
	if _, err := st.EraseResident(ctx, c.resident.ID); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("erase with an open call: %v, want conflict", err)
	}
	moveCall(t, st, open.ID, callerScope(c.resident), c.resident.ID, app.CallCancelled, t0.Add(time.Hour))
	if _, err := st.EraseResident(ctx, c.head.ID); app.ErrorCode(err) != app.EFORBIDDEN {
		t.Fatalf("erase a head's account here: %v, want forbidden", err)
	}
	if pending := pendingPurges(t, st); len(pending) != 0 {
		t.Fatalf("refused erasures queued files %v", pending)
	}

	erasure, err := st.EraseResident(ctx, c.resident.ID)
	if err != nil {
		t.Fatal(err)
	}
	var erasedKept []string
	for _, k := range erasure.Kept {
		erasedKept = append(erasedKept, fmt.Sprintf("%s/%d", k.Kind, k.ID))
	}
	slices.Sort(erasedKept)
	slices.Sort(wantKept)
	if !slices.Equal(erasedKept, wantKept) {
		t.Errorf("erasure kept %v, want what the export listed: %v", erasedKept, wantKept)
	}
	if pending := pendingPurges(t, st); !slices.Equal(pending, mine.blobKeys) || !slices.Equal(erasure.Blobs, mine.blobKeys) {
		t.Errorf("files queued for removal %v (erasure says %v), want the open request's documents %v", pending, erasure.Blobs, mine.blobKeys)
	}

	keptIDs := map[string]string{"service_request": fmt.Sprint(mine.completed.ID), "assistance_call": fmt.Sprint(mine.resolved.ID)}
	for _, h := range scanDatabase(t, st, c.resident.Phone, c.resident.Name) {
		k, ok := keptColumn[h.table]
		if ok && h.row[k.column] == keptIDs[k.kind] {
			continue
		}
		t.Errorf("after erasure %s.%s still holds the name or phone (row %v)", h.table, h.column, h.row)
	}
	// The kept records are detached from the account but keep their content.
	var kept app.ServiceRequest
	if err := st.DB().First(&kept, mine.completed.ID).Error; err != nil || kept.ResidentID != nil || !strings.Contains(kept.Note, c.resident.Name) {
		t.Errorf("kept request %+v (%v): want it detached with its content", kept, err)
	}
	var keptCall app.AssistanceCall
	if err := st.DB().First(&keptCall, mine.resolved.ID).Error; err != nil || keptCall.CallerID != nil {
		t.Errorf("kept call %+v (%v): want it detached", keptCall, err)
	}
	for _, gone := range []int64{mine.open.ID, mine.cancelled.ID} {
		if n := countWhere(t, st, &app.ServiceRequest{}, "id = ?", gone); n != 0 {
			t.Errorf("request %d not kept by law is still stored", gone)
		}
	}
	if n := countWhere(t, st, &app.AssistanceCall{}, "id = ?", mine.dropped.ID); n != 0 {
		t.Errorf("cancelled call is still stored")
	}

	// The neighbour's records are untouched, and their name and phone are
	// where they were.
	for _, id := range []int64{theirs.completed.ID, theirs.open.ID, theirs.cancelled.ID} {
		if n := countWhere(t, st, &app.ServiceRequest{}, "id = ? AND resident_id = ?", id, c.neighbour.ID); n != 1 {
			t.Errorf("neighbour's request %d was touched", id)
		}
	}
	if n := countWhere(t, st, &app.Attachment{}, "request_id = ?", theirs.open.ID); n != 2 {
		t.Errorf("neighbour's attachments: %d, want 2", n)
	}
	if hits := scanDatabase(t, st, c.neighbour.Phone); len(hits) < 10 {
		t.Errorf("neighbour's phone found in %d places, want it everywhere it was", len(hits))
	}
	var audit []app.AuditEntry
	st.DB().Where("action = ?", "resident.erase").Find(&audit)
	if len(audit) != 1 || audit[0].Target != fmt.Sprintf("user/%d", c.resident.ID) {
		t.Errorf("audit of the erasure: %+v", audit)
	}

	// The phone number can sign up again.
	again := createUser(t, st, app.User{Role: app.RoleResident, Phone: c.resident.Phone, Name: "新用户"})
	if again.ID == c.resident.ID {
		t.Errorf("the new account reuses the erased id")
	}
	if _, err := st.ExportResident(ctx, c.resident.ID, t0); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("export of the erased account: %v, want not found", err)
	}
}

func countWhere(t *testing.T, st *store.Store, model any, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := st.DB().Model(model).Where(q, args...).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestExportHoldsOnlyTheResidentsRecords(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	onDuty(t, st, c.officer, c.boothA)
	mine := seedResident(t, c, c.resident, t0)
	seedResident(t, c, c.neighbour, t0.Add(time.Hour))

	export, err := st.ExportResident(ctx, c.resident.ID, t0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range export.Sections {
		names = append(names, s.Name)
	}
	want := []string{"account", "sessions", "devices", "service_requests", "assistance_calls", "photos", "family_invitations", "notices", "safety_profile", "safety_timers", "care", "fraud_reports", "fraud_screenshots", "kept_after_deletion"}
	if !slices.Equal(names, want) {
		t.Fatalf("sections %v, want %v", names, want)
	}
	if len(export.Files) != len(mine.blobKeys) {
		t.Fatalf("files %+v, want the %d documents", export.Files, len(mine.blobKeys))
	}
	for i, f := range export.Files {
		if f.BlobKey != mine.blobKeys[i] || !strings.HasPrefix(f.Path, fmt.Sprintf("files/attachments/%d/", mine.open.ID)) {
			t.Errorf("file %+v, want blob %s under the request's folder", f, mine.blobKeys[i])
		}
	}
}

func TestLocationRetentionClearsCoordinatesOnceAcrossInstances(t *testing.T) {
	dsn, path := storetest.DSN(t)
	st := openAt(t, dsn, path)
	other := openAt(t, dsn, path)
	ctx := context.Background()
	station, booth := stationWithBooth(t, st, "海淀派出所", 39.9593, 116.2981)
	short, shortBooth := stationWithBooth(t, st, "朝阳派出所", 39.9219, 116.4436)
	head := createUser(t, st, app.User{Role: app.RoleHead, Phone: "13600000000", Name: "赵刚", StationID: &short.ID})
	officer := createUser(t, st, app.User{Role: app.RoleOfficer, Phone: "13800000001", Name: "李明", BadgeNo: "1", StationID: &station.ID})
	officer2 := createUser(t, st, app.User{Role: app.RoleOfficer, Phone: "13800000002", Name: "孙强", BadgeNo: "2", StationID: &short.ID})
	days := 3
	if _, err := st.SetRetention(ctx, app.Actor{ID: head.ID}, short.ID, app.RetentionUpdate{LocationDays: &days}); err != nil {
		t.Fatal(err)
	}

	// Forty resolved or cancelled calls at the demo station (30 days), one
	// still open, and one resolved at the station that keeps locations 3 days.
	const n = 40
	var closed []int64
	for i := range n {
		r := createUser(t, st, app.User{Role: app.RoleResident, Phone: fmt.Sprintf("139%08d", i), Name: "居民", HomeBoothID: &booth.ID})
		c := call(t, st, app.NewCall{CallerID: r.ID, Category: "other", Lat: ptr(39.9), Lng: ptr(116.3), AccuracyM: ptr(10.0)}, t0)
		if i%2 == 0 {
			moveCall(t, st, c.ID, callerScope(r), r.ID, app.CallCancelled, t0)
		} else {
			moveCall(t, st, c.ID, app.CallScope{StationID: station.ID}, officer.ID, app.CallAcknowledged, t0)
			moveCall(t, st, c.ID, app.CallScope{StationID: station.ID}, officer.ID, app.CallResolved, t0)
		}
		closed = append(closed, c.ID)
	}
	caller := createUser(t, st, app.User{Role: app.RoleResident, Phone: "13500000001", Name: "周敏", HomeBoothID: &booth.ID})
	stillOpen := call(t, st, app.NewCall{CallerID: caller.ID, Category: "other", Lat: ptr(39.9), Lng: ptr(116.3), AccuracyM: ptr(10.0)}, t0)
	caller2 := createUser(t, st, app.User{Role: app.RoleResident, Phone: "13500000002", Name: "吴芳", HomeBoothID: &shortBooth.ID})
	quick := call(t, st, app.NewCall{CallerID: caller2.ID, Category: "other", Lat: ptr(39.9), Lng: ptr(116.4), AccuracyM: ptr(10.0)}, t0)
	moveCall(t, st, quick.ID, app.CallScope{StationID: short.ID}, officer2.ID, app.CallAcknowledged, t0)
	moveCall(t, st, quick.ID, app.CallScope{StationID: short.ID}, officer2.ID, app.CallResolved, t0)

	located := func() int64 {
		return countWhere(t, st, &app.AssistanceCall{}, "lat IS NOT NULL OR lng IS NOT NULL OR accuracy_m IS NOT NULL")
	}
	// The calls were raised and closed at t0; the purge runs days later on
	// the same injected clock.
	now := t0
	if got, err := st.PurgeCallLocations(ctx, now.Add(2*24*time.Hour)); err != nil || got != 0 {
		t.Fatalf("purge after 2 days: %d, %v; want nothing cleared", got, err)
	}
	if got, err := st.PurgeCallLocations(ctx, now.Add(4*24*time.Hour)); err != nil || got != 1 {
		t.Fatalf("purge after 4 days: %d, %v; want only the 3-day station's call", got, err)
	}
	if l := located(); l != n+1 {
		t.Fatalf("%d calls located, want %d", l, n+1)
	}

	// Two instances purge at once: every closed call is cleared exactly once.
	var wg sync.WaitGroup
	counts := make([]int64, 2)
	errs := make([]error, 2)
	for i, s := range []*store.Store{st, other} {
		wg.Go(func() { counts[i], errs[i] = s.PurgeCallLocations(ctx, now.Add(31*24*time.Hour)) })
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatal(errs)
	}
	if counts[0]+counts[1] != n {
		t.Fatalf("instances cleared %d + %d calls, want %d in all", counts[0], counts[1], n)
	}
	if l := located(); l != 1 {
		t.Fatalf("%d calls still located, want only the open one", l)
	}
	var c app.AssistanceCall
	st.DB().First(&c, stillOpen.ID)
	if c.Lat == nil {
		t.Errorf("the open call lost its location")
	}
	c = app.AssistanceCall{}
	st.DB().First(&c, closed[0])
	if c.Lat != nil || c.Lng != nil || c.AccuracyM != nil || c.LocationAt != nil || c.Status != app.CallCancelled {
		t.Errorf("purged call %+v: want its coordinates gone, the rest kept", c)
	}
}

func TestAttachmentRetentionDeletesFinishedRequestsDocuments(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	mine := seedResident(t, c, c.resident, t0)
	// The completed request gets no new documents; give the open one's
	// documents to a request that then finishes.
	move(t, st, mine.open.ID, c.staffScope, app.RequestMove{ActorID: c.officer.ID, To: app.RequestRejected, Note: "材料不全"})
	other := create(t, st, app.NewRequest{ResidentID: c.neighbour.ID, Services: []string{"other"}, Fields: map[string]map[string]string{"other": {"subject": "x"}}})
	if err := st.AddAttachment(ctx, scopeOf(c.neighbour), &app.Attachment{RequestID: other.ID, UploaderID: c.neighbour.ID, BlobKey: "open.png", ContentType: "image/png", Size: 1, Name: "a.png"}); err != nil {
		t.Fatal(err)
	}
	now := clockOf(t).Now()
	if got, err := st.PurgeAttachments(ctx, now.Add(364*24*time.Hour)); err != nil || got != 0 {
		t.Fatalf("purge within the period: %d, %v", got, err)
	}
	got, err := st.PurgeAttachments(ctx, now.Add(366*24*time.Hour))
	if deleted := pendingPurges(t, st); err != nil || got != 2 || !slices.Equal(deleted, mine.blobKeys) {
		t.Fatalf("purge after the period: %d, %v, files queued %v; want the finished request's 2 documents", got, err, deleted)
	}
	if n := countWhere(t, st, &app.Attachment{}, "request_id = ?", mine.open.ID); n != 0 {
		t.Errorf("%d attachment rows left", n)
	}
	if n := countWhere(t, st, &app.TimelineEntry{}, "request_id = ? AND note LIKE ?", mine.open.ID, "%身份证%"); n != 0 {
		t.Errorf("the timeline still names the deleted files")
	}
	if n := countWhere(t, st, &app.Attachment{}, "request_id = ?", other.ID); n != 1 {
		t.Errorf("an open request's document was purged")
	}
}

// pendingPurges lists the files queued for removal, sorted.
func pendingPurges(t *testing.T, st *store.Store) []string {
	t.Helper()
	keys, err := st.PendingBlobPurges(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(keys)
	return keys
}

func TestHeadSetsRetentionWithinLimits(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	head := app.Actor{ID: c.head.ID, IP: "127.0.0.1"}
	for _, tc := range []struct {
		upd  app.RetentionUpdate
		want string
	}{
		{app.RetentionUpdate{LocationDays: ptr(0)}, app.EINVALID},
		{app.RetentionUpdate{LocationDays: ptr(366)}, app.EINVALID},
		{app.RetentionUpdate{PhotoDays: ptr(6)}, app.EINVALID},
		{app.RetentionUpdate{AttachmentDays: ptr(3651)}, app.EINVALID},
		{app.RetentionUpdate{AttachmentDays: ptr(29)}, app.EINVALID},
	} {
		if _, err := st.SetRetention(ctx, head, c.station.ID, tc.upd); app.ErrorCode(err) != tc.want {
			t.Errorf("SetRetention(%+v): %v, want %s", tc.upd, err, tc.want)
		}
	}
	if _, err := st.SetRetention(ctx, head, c.otherStation.ID, app.RetentionUpdate{LocationDays: ptr(7)}); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("another station's: %v, want not found", err)
	}
	for _, a := range []*app.User{c.officer, c.admin} {
		if _, err := st.SetRetention(ctx, app.Actor{ID: a.ID}, c.station.ID, app.RetentionUpdate{LocationDays: ptr(7)}); app.ErrorCode(err) != app.EFORBIDDEN {
			t.Errorf("%s sets retention: %v, want forbidden", a.Role, err)
		}
	}
	s, err := st.SetRetention(ctx, head, c.station.ID, app.RetentionUpdate{LocationDays: ptr(7), PhotoDays: ptr(365), AttachmentDays: ptr(3650)})
	if err != nil || s.LocationRetentionDays != 7 || s.PhotoRetentionDays != 365 || s.AttachmentRetentionDays != 3650 {
		t.Fatalf("SetRetention: %+v, %v", s, err)
	}
	fresh, _ := st.FindStation(ctx, c.station.ID)
	if fresh.LocationRetentionDays != 7 || fresh.AttachmentRetentionDays != 3650 {
		t.Errorf("stored %+v", fresh)
	}
	entries := auditActions(t, st, "station.retention")
	if len(entries) != 1 || entries[0].ActorID == nil || *entries[0].ActorID != c.head.ID || !strings.Contains(entries[0].Detail, "location 30→7") {
		t.Errorf("audit %+v", entries)
	}
}

func TestAttachmentRetentionDeletesEachFileOnceAcrossInstances(t *testing.T) {
	dsn, path := storetest.DSN(t)
	st := openAt(t, dsn, path)
	other := openAt(t, dsn, path)
	ctx := context.Background()
	_, booth := stationWithBooth(t, st, "海淀派出所", 39.9593, 116.2981)
	const n = 30
	for i := range n {
		r := createUser(t, st, app.User{Role: app.RoleResident, Phone: fmt.Sprintf("139%08d", i), Name: "居民", HomeBoothID: &booth.ID})
		req := create(t, st, app.NewRequest{ResidentID: r.ID, Services: []string{"other"}, Fields: map[string]map[string]string{"other": {"subject": "x"}}})
		a := &app.Attachment{RequestID: req.ID, UploaderID: r.ID, BlobKey: fmt.Sprintf("k%d.png", i), ContentType: "image/png", Size: 1, Name: "a.png"}
		if err := st.AddAttachment(ctx, scopeOf(r), a); err != nil {
			t.Fatal(err)
		}
		move(t, st, req.ID, scopeOf(r), app.RequestMove{ActorID: r.ID, ByResident: true, To: app.RequestCancelled})
	}
	var wg sync.WaitGroup
	counts := make([]int64, 2)
	errs := make([]error, 2)
	later := clockOf(t).Now().Add(366 * 24 * time.Hour)
	for i, s := range []*store.Store{st, other} {
		wg.Go(func() { counts[i], errs[i] = s.PurgeAttachments(ctx, later) })
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatal(errs)
	}
	if queued := pendingPurges(t, st); counts[0]+counts[1] != n || len(queued) != n {
		t.Fatalf("instances deleted %d + %d attachments, queued %d files; want %d", counts[0], counts[1], len(queued), n)
	}
}
