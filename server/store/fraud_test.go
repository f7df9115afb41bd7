package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"policebooth/server/app"
	"policebooth/server/store"
)

func TestFraudReportsTriageLookupAndScopes(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	loss := int64(5000)
	r, err := st.CreateFraudReport(ctx, app.NewFraudReport{ReporterID: c.resident.ID, Kind: "phone", Value: "+86 170-1234-5678", LossYuan: &loss}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if r.Value != "17012345678" || r.RawValue != "+86 170-1234-5678" || r.Status != app.FraudNew || r.StationID != c.station.ID || !r.NeedsCallAdvice() {
		t.Fatalf("report: %+v", r)
	}
	if _, err := st.CreateFraudReport(ctx, app.NewFraudReport{ReporterID: c.homeless.ID, Kind: "phone", Value: "17012345678"}, t0); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("a resident without a home booth: %v, want invalid", err)
	}
	// Only she and her station see it.
	for name, scope := range map[string]store.FraudScope{"neighbour": {ReporterID: c.neighbour.ID}, "other station": {StationID: c.otherStation.ID}} {
		if _, err := st.FindFraudReport(ctx, r.ID, scope); app.ErrorCode(err) != app.ENOTFOUND {
			t.Errorf("%s reads her report: %v", name, err)
		}
	}
	if _, err := st.MoveFraudReport(ctx, r.ID, c.otherStation.ID, c.otherOfficer.ID, app.FraudConfirmed, "", t0); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("the other station confirms it: %v", err)
	}

	look := func(value string) *app.FraudLookup {
		t.Helper()
		l, err := st.LookupFraud(ctx, "phone", value)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	if l := look("17012345678"); l.ConfirmedReports != 0 || l.LastConfirmedAt != nil {
		t.Fatalf("before confirming: %+v", l)
	}
	confirmedAt := t0.Add(time.Hour)
	if _, err := st.MoveFraudReport(ctx, r.ID, c.station.ID, c.officer.ID, app.FraudConfirmed, "核实为冒充客服", confirmedAt); err != nil {
		t.Fatal(err)
	}
	if _, err := st.MoveFraudReport(ctx, r.ID, c.station.ID, c.officer.ID, app.FraudDismissed, "", confirmedAt); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("dismissing a confirmed report: %v, want conflict", err)
	}
	l := look("+86 170 1234 5678")
	if l.ConfirmedReports != 1 || l.LastConfirmedAt == nil || !l.LastConfirmedAt.Equal(confirmedAt) || l.Value != "17012345678" {
		t.Fatalf("lookup after confirming: %+v", l)
	}

	// The advice is recorded once, and only for a report with a loss.
	if _, err := st.RecordFraudAdvice(ctx, r.ID, c.station.ID, c.officer.ID, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordFraudAdvice(ctx, r.ID, c.station.ID, c.officer.ID, t0); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("advice twice: %v", err)
	}
	plain, err := st.CreateFraudReport(ctx, app.NewFraudReport{ReporterID: c.neighbour.ID, Kind: "url", Value: "https://Pay.example.com/x/"}, t0)
	if err != nil || plain.Value != "pay.example.com/x" {
		t.Fatalf("url report: %+v, %v", plain, err)
	}
	if _, err := st.RecordFraudAdvice(ctx, plain.ID, c.station.ID, c.officer.ID, t0); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("advice without a loss: %v", err)
	}

	// Erasure keeps the confirmed report, detached, so lookups still count it.
	if _, err := st.EraseResident(ctx, c.resident.ID); err != nil {
		t.Fatal(err)
	}
	kept, err := st.FindFraudReport(ctx, r.ID, store.FraudScope{StationID: c.station.ID})
	if err != nil || kept.ReporterID != nil {
		t.Fatalf("after erasure: %+v, %v", kept, err)
	}
	if l := look("17012345678"); l.ConfirmedReports != 1 {
		t.Fatalf("lookup after erasure: %+v", l)
	}
}

// Screenshots: only the reporter adds them, five at most; the reporter
// and the station see them; an erasure deletes those of the reports it
// deletes, queueing their files, and keeps a confirmed report's as
// evidence.
func TestFraudScreenshotsScopesLimitAndErasure(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	t0 := st.Now()
	open, err := st.CreateFraudReport(ctx, app.NewFraudReport{ReporterID: c.resident.ID, Kind: "phone", Value: "17012345678"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	confirmed, err := st.CreateFraudReport(ctx, app.NewFraudReport{ReporterID: c.resident.ID, Kind: "url", Value: "https://pay.example.com/x"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.MoveFraudReport(ctx, confirmed.ID, c.station.ID, c.officer.ID, app.FraudConfirmed, "", t0); err != nil {
		t.Fatal(err)
	}
	shot := func(reporter, report int64, n int) (*app.FraudScreenshot, error) {
		sc := &app.FraudScreenshot{ReportID: report, BlobKey: fmt.Sprintf("fraud/%d/%d.jpg", report, n), ThumbKey: fmt.Sprintf("fraud/%d/%d-thumb.jpg", report, n), Width: 1, Height: 1, Size: 1}
		return sc, st.AddFraudScreenshot(ctx, reporter, sc)
	}
	if _, err := shot(c.neighbour.ID, open.ID, 0); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("a neighbour adds to the report: %v, want not found", err)
	}
	var first *app.FraudScreenshot
	for i := range app.MaxFraudScreenshots {
		sc, err := shot(c.resident.ID, open.ID, i)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = sc
		}
	}
	if _, err := shot(c.resident.ID, open.ID, 9); app.ErrorCode(err) != app.ECONFLICT {
		t.Errorf("a sixth screenshot: %v, want conflict", err)
	}
	kept, err := shot(c.resident.ID, confirmed.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	for who, scope := range map[string]store.FraudScope{"reporter": {ReporterID: c.resident.ID}, "station": {StationID: c.station.ID}} {
		if _, err := st.FindFraudScreenshot(ctx, first.ID, scope); err != nil {
			t.Errorf("%s: %v", who, err)
		}
	}
	for who, scope := range map[string]store.FraudScope{"neighbour": {ReporterID: c.neighbour.ID}, "other station": {StationID: c.otherStation.ID}} {
		if _, err := st.FindFraudScreenshot(ctx, first.ID, scope); app.ErrorCode(err) != app.ENOTFOUND {
			t.Errorf("%s: %v, want not found", who, err)
		}
	}

	if _, err := st.EraseResident(ctx, c.resident.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.FindFraudScreenshot(ctx, first.ID, store.FraudScope{StationID: c.station.ID}); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("an erased report's screenshot: %v, want gone", err)
	}
	if _, err := st.FindFraudScreenshot(ctx, kept.ID, store.FraudScope{StationID: c.station.ID}); err != nil {
		t.Errorf("the confirmed report's screenshot after erasure: %v, want kept", err)
	}
	keys, err := st.PendingBlobPurges(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(keys, first.BlobKey) || !slices.Contains(keys, first.ThumbKey) || slices.Contains(keys, kept.BlobKey) {
		t.Errorf("files queued for removal: %v", keys)
	}
}
