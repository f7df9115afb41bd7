package app

import (
	"testing"
	"time"
)

func TestFraudValuesAreNormalisedSoLookupsMatch(t *testing.T) {
	for _, tc := range []struct{ kind, in, want string }{
		{"phone", "+86 170-1234-5678", "17012345678"},
		{"phone", "17012345678", "17012345678"},
		{"phone", "0086 (170) 1234 5678", "17012345678"},
		{"phone", "010-8888 6666", "01088886666"},
		{"phone", "96110", "96110"},
		{"url", "HTTPS://WWW.Pay-Example.com/Refund/?id=1#x", "pay-example.com/refund"},
		{"url", "pay-example.com/refund/", "pay-example.com/refund"},
		{"url", "http://pay-example.com", "pay-example.com"},
		{"account", "  6222 0000  1111 ", "6222 0000 1111"},
		{"app", "SafePay", "safepay"},
	} {
		got, err := NormalizeFraudValue(tc.kind, tc.in)
		if err != nil || got != tc.want {
			t.Errorf("NormalizeFraudValue(%s, %q) = %q, %v; want %q", tc.kind, tc.in, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ kind, in string }{
		{"phone", "call me"}, {"phone", "12"}, {"phone", ""}, {"url", "http://"}, {"other", "a\x00b"}, {"sms", "a\x1b[31m"},
	} {
		if _, err := NormalizeFraudValue(tc.kind, tc.in); ErrorCode(err) != EINVALID {
			t.Errorf("NormalizeFraudValue(%s, %q): %v, want invalid", tc.kind, tc.in, err)
		}
	}
}

func TestFraudTriageFlow(t *testing.T) {
	for _, tc := range []struct {
		from, to FraudStatus
		ok       bool
	}{
		{FraudNew, FraudReviewed, true}, {FraudNew, FraudConfirmed, true}, {FraudNew, FraudDismissed, true},
		{FraudReviewed, FraudConfirmed, true}, {FraudReviewed, FraudDismissed, true}, {FraudReviewed, FraudReviewed, false},
		{FraudConfirmed, FraudDismissed, false}, {FraudDismissed, FraudConfirmed, false}, {FraudNew, FraudNew, false},
	} {
		if err := CheckFraudMove(tc.from, tc.to); (err == nil) != tc.ok {
			t.Errorf("%s → %s: %v, want allowed %v", tc.from, tc.to, err, tc.ok)
		}
	}
}

func TestVisitsFallDueFromTheCadenceAndTheLastVisit(t *testing.T) {
	loc := mustZone(t)
	enrolled := mustTime(t, "2026-11-27T17:00:00+08:00")
	for _, tc := range []struct {
		name, cadence string
		last          *CareVisit
		want          string
	}{
		{"never visited", "weekly", nil, "2026-11-27"},
		{"weekly", "weekly", &CareVisit{Outcome: VisitVisited, VisitedAt: mustTime(t, "2026-11-28T23:30:00+08:00")}, "2026-12-05"},
		{"fortnightly", "fortnightly", &CareVisit{Outcome: VisitDeclined, VisitedAt: mustTime(t, "2026-11-28T09:00:00+08:00")}, "2026-12-12"},
		{"monthly", "monthly", &CareVisit{Outcome: VisitVisited, VisitedAt: mustTime(t, "2026-11-28T09:00:00+08:00")}, "2026-12-28"},
		{"not home", "monthly", &CareVisit{Outcome: VisitNotHome, VisitedAt: mustTime(t, "2026-11-28T09:00:00+08:00")}, "2026-11-30"},
	} {
		if got := NextVisitDue(enrolled, tc.cadence, tc.last, loc).Format("2006-01-02"); got != tc.want {
			t.Errorf("%s: due %s, want %s", tc.name, got, tc.want)
		}
	}
}

func mustZone(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
