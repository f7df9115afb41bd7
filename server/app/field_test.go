package app_test

import (
	"fmt"
	"testing"
	"time"

	"policebooth/server/app"
)

func TestValidationErrorsNameTheirField(t *testing.T) {
	today := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	good := func() app.Newborn {
		return app.Newborn{BabyName: "小明", Sex: "male", BirthDate: "2026-11-01", BirthPlace: "海淀医院", BirthCertificateNo: "Q110000001",
			Guardians: []app.Guardian{{Name: "王芳", Relation: "mother", Phone: "13900000001"}}}
	}
	for _, c := range []struct {
		change func(*app.Newborn)
		field  string
	}{
		{func(n *app.Newborn) { n.BabyName = "" }, "newborn.baby_name"},
		{func(n *app.Newborn) { n.BirthDate = "20 November" }, "newborn.birth_date"},
		{func(n *app.Newborn) { n.BirthDate = "2026-12-01" }, "newborn.birth_date"},
		{func(n *app.Newborn) { n.Guardians[0].Phone = "12345" }, "newborn.guardians[0].phone"},
	} {
		n := good()
		c.change(&n)
		err := fmt.Errorf("store: wrapped: %w", n.Validate(today))
		if app.ErrorCode(err) != app.EINVALID || app.FieldOf(err) != c.field {
			t.Errorf("%+v: %v about %q, want invalid %s", n, err, app.FieldOf(err), c.field)
		}
	}
	if n := good(); n.Validate(today) != nil || app.FieldOf(nil) != "" {
		t.Fatal("a good registration is refused, or nil names a field")
	}
	title := ""
	err := app.NoticeDraft{Title: &title}.Apply(&app.Notice{}, today)
	if app.FieldOf(err) != "title" {
		t.Fatalf("an empty notice title: %v about %q, want title", err, app.FieldOf(err))
	}
}

func TestNearestBoothIsTheClosestByGreatCircle(t *testing.T) {
	booths := []app.Booth{
		{ID: 1, Name: "A", Lat: 39.9593, Lng: 116.2981},
		{ID: 2, Name: "B", Lat: 39.9800, Lng: 116.3100},
		{ID: 3, Name: "far", Lat: 31.2304, Lng: 121.4737},
	}
	if b := app.NearestBooth(booths, 39.979, 116.309); b == nil || b.ID != 2 {
		t.Fatalf("nearest to a point beside B: %+v", b)
	}
	if b := app.NearestBooth(booths, 31.0, 121.0); b == nil || b.ID != 3 {
		t.Fatalf("nearest to Shanghai: %+v", b)
	}
	if app.NearestBooth(nil, 0, 0) != nil {
		t.Fatal("a booth from none")
	}
}
