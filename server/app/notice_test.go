package app

import (
	"testing"
	"time"
)

func TestResidentsSeeTheirOwnEventsAndTheirStationsNotices(t *testing.T) {
	owner := int64(7)
	other := int64(8)
	f := EventFilter{OwnerID: owner, NoticeStationID: 1}
	for _, c := range []struct {
		ev   Event
		want bool
	}{
		{Event{StationID: 1, OwnerID: &owner, Name: "request.updated"}, true},
		{Event{StationID: 1, OwnerID: &other, Name: "request.updated"}, false},
		{Event{StationID: 1, Name: "notice.published"}, true},
		{Event{StationID: 2, Name: "notice.published"}, false},
		{Event{StationID: 1, Name: "shift.updated"}, false},
		{Event{StationID: 1, OwnerID: &other, Name: "notice.published"}, false},
	} {
		if got := f.Match(&c.ev); got != c.want {
			t.Errorf("Match(%s of station %d, owner %v) = %v, want %v", c.ev.Name, c.ev.StationID, c.ev.OwnerID, got, c.want)
		}
	}
	if (EventFilter{OwnerID: owner}).Match(&Event{StationID: 1, Name: "notice.published"}) {
		t.Error("a resident without a home station sees a station's notice")
	}
}

func TestNoticeDraftDefaultsAndLimits(t *testing.T) {
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	title, body := "标题", "正文"
	kind, sev := NoticeSafety, SeverityMinor
	n := &Notice{}
	if err := (NoticeDraft{Title: &title, Body: &body, Kind: &kind, Severity: &sev, BoothIDs: &[]int64{3, 1, 3}}).Apply(n, now); err != nil {
		t.Fatal(err)
	}
	if !n.StartsAt.Equal(now) || !n.ExpiresAt.Equal(now.Add(DefaultNoticeLife)) || n.Language != LanguageChinese || len(n.BoothIDs) != 2 {
		t.Fatalf("defaults: %+v", n)
	}
	long := now.Add(400 * 24 * time.Hour)
	if err := (NoticeDraft{ExpiresAt: &long}).Apply(n, now); ErrorCode(err) != EINVALID {
		t.Fatalf("a notice up for 400 days: %v", err)
	}
	if SeverityExtreme.Rank() <= SeveritySevere.Rank() || NoticeSeverity("x").Rank() != -1 {
		t.Fatal("severity ranks")
	}
}
