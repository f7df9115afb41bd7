package store_test

import (
	"bytes"
	"context"
	"image/jpeg"
	"strings"
	"sync"
	"testing"
	"time"

	"policebooth/server/app"
	"policebooth/server/store"
	"policebooth/server/store/storetest"
)

// blobMap is a blob store in memory for the demo's pictures.
type blobMap struct {
	mu    sync.Mutex
	blobs map[string][]byte
}

func (b *blobMap) put(_ context.Context, key string, data []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.blobs == nil {
		b.blobs = map[string][]byte{}
	}
	b.blobs[key] = data
	return nil
}

// demoAt loads the demo with its history ending at now.
func demoAt(t *testing.T, st *store.Store, now time.Time, blobs *blobMap) time.Duration {
	t.Helper()
	ctx := context.Background()
	began := time.Now()
	if err := st.LoadDemoAt(ctx, storetest.Logger(t), now); err != nil {
		t.Fatal(err)
	}
	if err := st.LoadDemoHistory(ctx, storetest.Logger(t), now, blobs.put); err != nil {
		t.Fatal(err)
	}
	return time.Since(began)
}

func countRows(t *testing.T, st *store.Store, table, where string, args ...any) int64 {
	t.Helper()
	var n int64
	q := st.DB().Table(table)
	if where != "" {
		q = q.Where(where, args...)
	}
	if err := q.Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDemoHistory(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	t0 := time.Date(2026, 11, 20, 10, 17, 0, 0, time.FixedZone("CST", 8*3600))
	blobs := &blobMap{}
	took := demoAt(t, st, t0, blobs)
	t.Logf("demo with history loaded in %v", took)
	if took > 10*time.Second {
		t.Errorf("loading the demo with its history took %v, want under 10 s", took)
	}
	booths, _ := st.ListBooths(ctx)
	station := booths[0].StationID
	zone, _ := time.LoadLocation("Asia/Shanghai")

	// Every figure and chart of the review has data over the month.
	f, err := st.Figures(ctx, app.FigureQuery{StationID: station, From: t0.AddDate(0, 0, -30), To: t0, Zone: zone, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	if f.Calls < 50 || f.RequestsCompleted < 50 || f.RequestsPastTarget == 0 || f.Gaps < 2 {
		t.Errorf("30-day figures: %d calls, %d completed, %d past target, %d gaps; want ≥50, ≥50, some, ≥2", f.Calls, f.RequestsCompleted, f.RequestsPastTarget, f.Gaps)
	}
	if f.AckMedianS == nil || *f.AckMedianS >= 30 || f.AckWorstS == nil || *f.AckWorstS <= 30 {
		t.Errorf("acknowledgement median %v, worst %v: want mostly under the 30 s limit and a few past it", f.AckMedianS, f.AckWorstS)
	}
	emptyDays := 0
	for _, d := range f.ByDay {
		if d.Calls == 0 {
			emptyDays++
		}
	}
	if emptyDays > 2 {
		t.Errorf("%d of %d days without calls", emptyDays, len(f.ByDay))
	}
	night, day := 0, 0
	for h, b := range f.ByHour {
		if h >= 20 || h < 2 {
			night += b.Calls
		}
		if h >= 2 && h < 8 {
			day += b.Calls
		}
	}
	if night <= day {
		t.Errorf("calls 20–02 h: %d, 02–08 h: %d; the evening should be busier than the small hours", night, day)
	}
	if n := countRows(t, st, "assistance_calls", "escalation_level > 0"); n == 0 {
		t.Error("no escalated call in the history")
	}
	if n := countRows(t, st, "shifts", "signed_off_at IS NOT NULL"); n < 100 {
		t.Errorf("%d signed-off shifts", n)
	}
	if n := countRows(t, st, "shifts", "handover_ack_at IS NOT NULL"); n < 150 {
		t.Errorf("%d acknowledged handovers", n)
	}
	for b := range 2 {
		if n := countRows(t, st, "shifts", "booth_id = ? AND officer_id IS NOT NULL", booths[b].ID); n < 85 {
			t.Errorf("booth %s has %d shifts over the month, want three a day", booths[b].Name, n)
		}
	}
	var shifts []app.Shift
	st.DB().Order("officer_id, started_at").Find(&shifts)
	for i := 1; i < len(shifts); i++ {
		prev, sh := shifts[i-1], shifts[i]
		if prev.OfficerID == sh.OfficerID && sh.StartedAt.Before(*prev.EndedAt) {
			t.Errorf("officer %d is on two shifts at once: %v–%v and from %v", sh.OfficerID, prev.StartedAt, *prev.EndedAt, sh.StartedAt)
			break
		}
	}
	if n := countRows(t, st, "shift_entries", "author_id IS NOT NULL"); n < 300 {
		t.Errorf("%d officers' log entries", n)
	}
	if n := countRows(t, st, "attachments", ""); n == 0 {
		t.Error("no documents")
	}
	if n := countRows(t, st, "notice_receipts", "read_at IS NOT NULL"); n == 0 {
		t.Error("no notice reached anyone")
	}

	// The newborn registrations have a generated family picture in the blob store.
	var photos []app.Photo
	st.DB().Order("id").Find(&photos)
	if len(photos) < 3 {
		t.Fatalf("%d family pictures", len(photos))
	}
	for _, p := range photos {
		for _, key := range p.BlobKeys() {
			if _, err := jpeg.DecodeConfig(bytes.NewReader(blobs.blobs[key])); err != nil {
				t.Errorf("photo %d blob %s: %v", p.ID, key, err)
			}
		}
	}
	chen, _ := st.FindUserByPhone(ctx, "13900000001")
	mine, err := st.ListPhotos(ctx, app.PhotoScope{ResidentID: chen.ID}, 0, 0, 10)
	if err != nil || len(mine) == 0 {
		t.Errorf("the demo resident 陈秀英 has no family picture: %v", err)
	}

	// The present is clean.
	if n := countRows(t, st, "shifts", "ended_at IS NULL"); n != 0 {
		t.Errorf("%d officers left on duty", n)
	}
	if n := countRows(t, st, "assistance_calls", "status NOT IN ?", []string{"resolved", "cancelled"}); n != 0 {
		t.Errorf("%d calls left open", n)
	}
	if n := countRows(t, st, "service_requests", "status NOT IN ?", []string{"completed", "rejected", "cancelled"}); n != 0 {
		t.Errorf("%d requests left open: today's queue is not empty", n)
	}
	if n := countRows(t, st, "coverage_gaps", "ended_at IS NULL"); n != 0 {
		t.Errorf("%d gaps left open", n)
	}
	for _, phone := range []string{"13900000001", "13900000002"} {
		u, _ := st.FindUserByPhone(ctx, phone)
		notices, err := st.ListResidentNotices(ctx, u.ID, t0)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range notices {
			if n.Urgent && (n.Unread() || n.NeedsAcknowledgement() && !n.Acknowledged()) {
				t.Errorf("demo resident %s has urgent notice %q unread or unacknowledged", phone, n.Title)
			}
		}
	}
	// A new request today gets the next ticket, not one the history used.
	r, err := st.CreateRequest(ctx, app.NewRequest{ResidentID: chen.ID, Services: []string{"lost_and_found"},
		Fields: map[string]map[string]string{"lost_and_found": {"kind": "lost", "item": "钥匙"}}})
	if err != nil {
		t.Fatalf("a request after the history: %v", err)
	}
	r, err = st.Arrive(ctx, r.ID, app.RequestFilter{StationID: r.StationID}, app.Arrival{ActorID: chen.ID, ByStaff: true})
	if err != nil {
		t.Fatalf("arriving after the history: %v", err)
	}
	if strings.HasSuffix(r.Ticket, "-001") && countRows(t, st, "service_requests", "ticket = ? AND ticket_day = ?", r.Ticket, r.TicketDay) > 1 {
		t.Errorf("ticket %s collides with the history's", r.Ticket)
	}

	// Idempotent: a second load changes nothing.
	tables := []string{"users", "shifts", "shift_entries", "assistance_calls", "call_entries", "service_requests", "timeline_entries",
		"attachments", "photos", "coverage_gaps", "notices", "notice_receipts"}
	before := map[string]int64{}
	for _, tb := range tables {
		before[tb] = countRows(t, st, tb, "")
	}
	demoAt(t, st, t0.Add(time.Hour), &blobMap{})
	for _, tb := range tables {
		if n := countRows(t, st, tb, ""); n != before[tb] {
			t.Errorf("the second load changed %s: %d → %d rows", tb, before[tb], n)
		}
	}

	// Deterministic: the same end gives the same history.
	other := storetest.Open(t)
	demoAt(t, other, t0, &blobMap{})
	type call struct {
		CreatedAt time.Time
		Category  string
		Status    string
	}
	var a, b []call
	st.DB().Table("assistance_calls").Order("id").Find(&a)
	other.DB().Table("assistance_calls").Order("id").Find(&b)
	if len(a) != len(b) {
		t.Fatalf("two loads at the same time: %d and %d calls", len(a), len(b))
	}
	for i := range a {
		if !a[i].CreatedAt.Equal(b[i].CreatedAt) || a[i].Category != b[i].Category || a[i].Status != b[i].Status {
			t.Fatalf("two loads at the same time differ at call %d: %+v, %+v", i, a[i], b[i])
		}
	}
}

func TestDemoHistoryRefusesADatabaseWithRealAccounts(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	if err := st.LoadDemoAt(ctx, storetest.Logger(t), t0); err != nil {
		t.Fatal(err)
	}
	createUser(t, st, app.User{Role: app.RoleAdmin, Phone: "13612345678", Name: "管理员"})
	blobs := &blobMap{}
	err := st.LoadDemoHistory(ctx, storetest.Logger(t), t0, blobs.put)
	if app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("history beside a real account: %v, want a conflict", err)
	}
	if n := countRows(t, st, "assistance_calls", ""); n != 0 || len(blobs.blobs) != 0 {
		t.Fatalf("the refused history still wrote %d calls and %d blobs", n, len(blobs.blobs))
	}
}
