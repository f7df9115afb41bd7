package web_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"policebooth/server/app"
)

func TestShiftAPIFlowFiguresAndCSV(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	li := ts.login(t, "13800000001").AccessToken
	head := ts.login(t, "13800000000").AccessToken
	var booths struct{ Items []struct{ ID string } }
	ts.api(t, "GET", "/api/v1/booths", "", nil, &booths)

	// Clocking in 1.1 km from booth A is allowed and flagged.
	var sh struct {
		ID        string
		Far       bool
		DistanceM int `json:"distance_m"`
	}
	resp := ts.api(t, "POST", "/api/v1/shifts/clock-in", li, map[string]any{"booth_id": booths.Items[0].ID, "lat": 39.9693, "lng": 116.2981}, &sh)
	if resp.StatusCode != 201 || !sh.Far || sh.DistanceM < 1000 {
		t.Fatalf("clock-in far away: %d %+v", resp.StatusCode, sh)
	}
	if resp := ts.api(t, "POST", "/api/v1/shifts/clock-in", li, map[string]any{"booth_id": booths.Items[0].ID}, nil); resp.StatusCode != 409 {
		t.Fatalf("second clock-in: %d, want 409", resp.StatusCode)
	}
	// The demo night shift's handover waits for this officer.
	var current struct {
		ID           string
		OpenHandover *struct {
			ID           string
			HandoverNote string `json:"handover_note"`
		} `json:"open_handover"`
	}
	ts.api(t, "GET", "/api/v1/shifts/current", li, nil, &current)
	if current.OpenHandover == nil || !strings.Contains(current.OpenHandover.HandoverNote, "王大爷") {
		t.Fatalf("no open handover: %+v", current)
	}
	if resp := ts.api(t, "POST", "/api/v1/shifts/"+current.OpenHandover.ID+"/handover-ack", li, nil, nil); resp.StatusCode != 200 {
		t.Fatalf("acknowledge: %d", resp.StatusCode)
	}
	for _, bad := range []map[string]any{
		{"kind": "gossip", "text": "x"},
		{"kind": "note", "text": ""},
		{"kind": "note", "text": "x", "written_at": "2020-01-01T00:00:00Z"},
		{"kind": "note", "text": "x", "corrects": "abc"},
	} {
		if resp := ts.api(t, "POST", "/api/v1/shifts/"+sh.ID+"/entries", li, bad, nil); resp.StatusCode != 400 {
			t.Errorf("entry %v: %d, want 400", bad, resp.StatusCode)
		}
	}
	if resp := ts.api(t, "POST", "/api/v1/shifts/"+sh.ID+"/entries", li, map[string]any{"kind": "visit", "text": "走访张奶奶，一切安好"}, nil); resp.StatusCode != 201 {
		t.Fatalf("entry: %d", resp.StatusCode)
	}
	if resp := ts.api(t, "POST", "/api/v1/shifts/clock-out", li, map[string]string{"handover_note": ""}, nil); resp.StatusCode != 400 {
		t.Fatalf("clock-out without a note: %d, want 400", resp.StatusCode)
	}
	if resp := ts.api(t, "POST", "/api/v1/shifts/clock-out", li, map[string]string{"handover_note": "无特殊情况"}, nil); resp.StatusCode != 200 {
		t.Fatalf("clock-out: %d", resp.StatusCode)
	}

	var f struct {
		Entries map[string]int
		ByHour  []struct{ Label string } `json:"by_hour"`
		ByDay   []struct{ Label string } `json:"by_day"`
	}
	if resp := ts.api(t, "GET", "/api/v1/shifts/figures?booth_id="+booths.Items[0].ID, head, nil, &f); resp.StatusCode != 200 {
		t.Fatalf("figures: %d", resp.StatusCode)
	}
	if f.Entries["visit"] != 1 || f.Entries["patrol"] != 1 || len(f.ByHour) != 24 || len(f.ByDay) != 7 {
		t.Fatalf("figures %+v", f)
	}
	if resp := ts.api(t, "GET", "/api/v1/shifts/figures?from=2026-13-01", head, nil, nil); resp.StatusCode != 400 {
		t.Errorf("a bad date: %d, want 400", resp.StatusCode)
	}

	resp, body := ts.do(t, "GET", "/api/v1/shifts.csv", "", map[string]string{"Authorization": "Bearer " + head})
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("csv: %d %v", resp.StatusCode, resp.Header)
	}
	if !strings.HasPrefix(body, "\ufeff") {
		t.Fatal("the CSV does not start with a UTF-8 BOM")
	}
	rows, err := csv.NewReader(bytes.NewReader([]byte(strings.TrimPrefix(body, "\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, r := range rows {
		found = found || (len(r) == 16 && r[13] == "走访张奶奶，一切安好" && r[2] == "李明")
	}
	if !found {
		t.Errorf("the CSV lacks the visit entry: %v", rows)
	}
	if resp := ts.api(t, "GET", "/api/v1/shifts.csv", li, nil, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("an officer exports: %d, want 403", resp.StatusCode)
	}
}

func TestElderModeIsKeptWithTheAccount(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	r := ts.login(t, "13900000001").AccessToken
	var me struct {
		ElderMode *bool `json:"elder_mode"`
	}
	ts.api(t, "GET", "/api/v1/me", r, nil, &me)
	if me.ElderMode != nil {
		t.Fatalf("a new resident has chosen already: %v", *me.ElderMode)
	}
	if resp := ts.api(t, "PATCH", "/api/v1/me", r, map[string]any{"elder_mode": true}, &me); resp.StatusCode != 200 || me.ElderMode == nil || !*me.ElderMode {
		t.Fatalf("turn elder mode on: %d %v", resp.StatusCode, me.ElderMode)
	}
	resp, body := ts.do(t, "GET", "/", "", map[string]string{"Authorization": "Bearer " + r})
	if resp.StatusCode != 200 || !strings.Contains(body, `class="elder"`) || strings.Contains(body, "elder-offer") {
		t.Fatalf("the home in elder mode: %d", resp.StatusCode)
	}
}

// Officer-written text that a spreadsheet would run as a formula is written
// to the CSV with a leading ', so opening the export runs nothing; numbers
// stay numbers.
func TestShiftsCSVNeutralisesFormulas(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	li, head := ts.login(t, "13800000001").AccessToken, ts.login(t, "13800000000").AccessToken
	var booths struct{ Items []struct{ ID string } }
	ts.api(t, "GET", "/api/v1/booths", "", nil, &booths)
	var sh struct{ ID string }
	if resp := ts.api(t, "POST", "/api/v1/shifts/clock-in", li, map[string]any{"booth_id": booths.Items[0].ID}, &sh); resp.StatusCode != 201 {
		t.Fatalf("clock-in: %d", resp.StatusCode)
	}
	texts := map[string]string{
		`=HYPERLINK("http://evil.example","点此")`: `'=HYPERLINK("http://evil.example","点此")`,
		"+1+cmd|' /C calc'!A0":                   "'+1+cmd|' /C calc'!A0",
		"@SUM(A1:A9)":                            "'@SUM(A1:A9)",
		"-2+3":                                   "'-2+3",
		"-12.5":                                  "-12.5",
		"巡逻正常":                                   "巡逻正常",
	}
	for text := range texts {
		if resp := ts.api(t, "POST", "/api/v1/shifts/"+sh.ID+"/entries", li, map[string]any{"kind": "note", "text": text}, nil); resp.StatusCode != 201 {
			t.Fatalf("entry %q: %d", text, resp.StatusCode)
		}
	}
	_, body := ts.do(t, "GET", "/api/v1/shifts.csv", "", map[string]string{"Authorization": "Bearer " + head})
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, r := range rows {
		if len(r) == 16 {
			got[r[13]] = true
		}
	}
	for text, want := range texts {
		if !got[want] {
			t.Errorf("entry %q: want the cell %q in the CSV", text, want)
		}
	}
}

// A period with more shifts than a page of the list (a month of a busy
// station) is exported whole, oldest first, and its figures count the log
// entries of every one of its shifts.
func TestAPeriodOfManyShiftsIsExportedAndCountedWhole(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	head := ts.login(t, "13800000000").AccessToken
	officer := ts.user(t, "13800000001")
	var booth int64
	if err := ts.store.DB().Table("booths").Where("station_id = ?", *officer.StationID).Order("id").Limit(1).Pluck("id", &booth).Error; err != nil {
		t.Fatal(err)
	}
	const many = 520
	start := ts.store.Now().Add(-48 * time.Hour).Truncate(time.Minute)
	shifts := make([]app.Shift, many)
	for i := range shifts {
		at, end := start.Add(time.Duration(i)*time.Minute), start.Add(time.Duration(i)*time.Minute+30*time.Second)
		shifts[i] = app.Shift{StationID: *officer.StationID, BoothID: booth, OfficerID: officer.ID,
			StartedAt: at, EndedAt: &end, HandoverNote: "无", CreatedAt: at, UpdatedAt: end}
	}
	if err := ts.store.DB().CreateInBatches(&shifts, 200).Error; err != nil {
		t.Fatal(err)
	}
	entries := make([]app.ShiftEntry, many)
	for i, sh := range shifts {
		entries[i] = app.ShiftEntry{ShiftID: sh.ID, StationID: sh.StationID, AuthorID: &officer.ID, Kind: "patrol", Text: "巡逻 " + strconv.Itoa(i), CreatedAt: sh.StartedAt}
	}
	if err := ts.store.DB().Omit("Participants").CreateInBatches(&entries, 200).Error; err != nil {
		t.Fatal(err)
	}

	_, body := ts.do(t, "GET", "/api/v1/shifts.csv", "", map[string]string{"Authorization": "Bearer " + head})
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var patrols []string
	for _, r := range rows {
		if len(r) == 16 && strings.HasPrefix(r[13], "巡逻 ") {
			patrols = append(patrols, r[13])
		}
	}
	if len(patrols) != many || patrols[0] != "巡逻 0" || patrols[many-1] != "巡逻 "+strconv.Itoa(many-1) {
		t.Fatalf("the CSV has %d of the %d patrols (first %q)", len(patrols), many, patrols[:min(1, len(patrols))])
	}

	var f struct{ Entries map[string]int }
	ts.api(t, "GET", "/api/v1/shifts/figures", head, nil, &f)
	if f.Entries["patrol"] < many {
		t.Fatalf("the figures count %d patrol entries, want at least %d", f.Entries["patrol"], many)
	}
	var mine struct{ Entries map[string]int }
	ts.api(t, "GET", "/api/v1/shifts/figures?officer_id="+strconv.FormatInt(officer.ID, 10), head, nil, &mine)
	var others struct{ Entries map[string]int }
	ts.api(t, "GET", "/api/v1/shifts/figures?officer_id="+strconv.FormatInt(ts.user(t, "13800000002").ID, 10), head, nil, &others)
	if mine.Entries["patrol"] < many || others.Entries["patrol"] >= many {
		t.Fatalf("one officer's figures: %d patrols, another's %d", mine.Entries["patrol"], others.Entries["patrol"])
	}
}
