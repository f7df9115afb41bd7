package app

import (
	"testing"
	"time"
)

func TestCheckRequestMove(t *testing.T) {
	cases := []struct {
		from, to   RequestStatus
		resident   bool
		note, want string
	}{
		{RequestSubmitted, RequestAccepted, false, "", ""},
		{RequestSubmitted, RequestRejected, false, "", EINVALID},
		{RequestSubmitted, RequestRejected, false, "documents missing", ""},
		{RequestSubmitted, RequestInProgress, false, "", ECONFLICT},
		{RequestAccepted, RequestInProgress, false, "", ""},
		{RequestAccepted, RequestOnHold, false, "", EINVALID},
		{RequestAccepted, RequestOnHold, false, "waiting for the hospital", ""},
		{RequestOnHold, RequestAccepted, false, "", ""},
		{RequestOnHold, RequestInProgress, false, "", ""},
		{RequestInProgress, RequestOnHold, false, "lunch", ""},
		{RequestInProgress, RequestCompleted, false, "", ""},
		{RequestInProgress, RequestRejected, false, "no", ECONFLICT},
		{RequestCompleted, RequestInProgress, false, "", ECONFLICT},
		{RequestCancelled, RequestAccepted, false, "", ECONFLICT},
		{RequestSubmitted, RequestCancelled, false, "", ECONFLICT},
		{RequestSubmitted, "done", false, "", EINVALID},
		{RequestSubmitted, RequestCancelled, true, "", ""},
		{RequestAccepted, RequestCancelled, true, "", ""},
		{RequestInProgress, RequestCancelled, true, "", ECONFLICT},
		{RequestSubmitted, RequestAccepted, true, "", EFORBIDDEN},
	}
	for _, c := range cases {
		if got := ErrorCode(CheckRequestMove(c.from, c.to, c.resident, c.note)); got != c.want {
			t.Errorf("%s → %s (resident %v, note %q): %q, want %q", c.from, c.to, c.resident, c.note, got, c.want)
		}
	}
}

func TestIDCard(t *testing.T) {
	cases := map[string]bool{
		"11010519491231002X": true,
		"11010519491231002x": true,
		"110105194912310029": false,
		"440524188001010014": true,
		"44052418800101001":  false,
		"4405241880010100A4": false,
	}
	for s, want := range cases {
		if _, ok := ValidIDCard(s); ok != want {
			t.Errorf("ValidIDCard(%s) = %v, want %v", s, ok, want)
		}
	}
	if got := MaskIDCard("11010519491231002X"); got != "110105********002X" {
		t.Errorf("MaskIDCard = %s", got)
	}
}

func TestNewbornValidate(t *testing.T) {
	today := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	good := func() *Newborn {
		return &Newborn{BabyName: "王小宝", Sex: "male", BirthDate: "2026-11-20", BirthPlace: "海淀妇幼保健院", BirthCertificateNo: "Q110123456",
			Guardians: []Guardian{{Name: "王建军", Relation: "father", Phone: "139 0000 0001"}}}
	}
	if err := good().Validate(today); err != nil {
		t.Fatal(err)
	}
	// Born today, early in the morning in Beijing, while it is still
	// yesterday in UTC: a date compared with a date, not with an instant.
	bornToday := good()
	bornToday.BirthDate = "2026-11-26"
	if err := bornToday.Validate(time.Date(2026, 11, 26, 7, 0, 0, 0, time.FixedZone("CST", 8*3600))); err != nil {
		t.Fatalf("born today, validated at 07:00 +08:00: %v", err)
	}
	for name, mutate := range map[string]func(*Newborn){
		"future birth":  func(n *Newborn) { n.BirthDate = "2026-11-27" },
		"no guardian":   func(n *Newborn) { n.Guardians = nil },
		"bad sex":       func(n *Newborn) { n.Sex = "x" },
		"bad relation":  func(n *Newborn) { n.Guardians[0].Relation = "uncle" },
		"bad phone":     func(n *Newborn) { n.Guardians[0].Phone = "123" },
		"no birthplace": func(n *Newborn) { n.BirthPlace = "" },
	} {
		n := good()
		mutate(n)
		if ErrorCode(n.Validate(today)) != EINVALID {
			t.Errorf("%s: want invalid", name)
		}
	}
}
