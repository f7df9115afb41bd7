package app_test

import (
	"testing"
	"time"

	"policebooth/server/app"
)

func TestCallAlertCarriesNoMessageOrLocation(t *testing.T) {
	lat, lng := 39.9593, 116.2981
	c := &app.AssistanceCall{ID: 42, Category: "medical", Message: "我父亲摔倒了", Lat: &lat, Lng: &lng}
	for kind, want := range map[string]string{
		app.CallCreatedAlert:   `{"type":"assistance.created","id":"42","category":"medical","url":"/calls/42"}`,
		app.CallEscalatedAlert: `{"type":"assistance.escalated","id":"42","category":"medical","url":"/calls/42"}`,
	} {
		a := app.CallAlert(kind, c)
		if string(a.Payload) != want || a.Kind != kind || a.Urgency != "high" || a.TTL != time.Minute {
			t.Errorf("CallAlert(%s) = %s %s %s %s, want %s, high, 1m", kind, a.Kind, a.Payload, a.Urgency, a.TTL, want)
		}
	}
}

func TestNoticeAlertCarriesTitleNotBody(t *testing.T) {
	n := &app.Notice{ID: 7, Title: "紧急：冒充公检法诈骗", Body: "接到自称公安的电话要求转账，一律是诈骗。", Language: "zh-CN", Severity: app.SeverityExtreme}
	a := app.NoticeAlert(n)
	want := `{"type":"notice.published","id":"7","title":"紧急：冒充公检法诈骗","lang":"zh-CN","severity":"extreme","url":"/notices/7"}`
	if string(a.Payload) != want || a.TTL != 12*time.Hour || a.Urgency != "high" {
		t.Fatalf("NoticeAlert = %s %s %s, want %s, high, 12h", a.Payload, a.Urgency, a.TTL, want)
	}
}

func TestNoticePushesOnSaveOnceWhenUrgentAndCurrent(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	current := app.Notice{Urgent: true, StartsAt: now.Add(-time.Minute), ExpiresAt: now.Add(time.Hour), UpdatedAt: now}
	ahead := current
	ahead.StartsAt = now.Add(time.Hour)
	calm := current
	calm.Urgent = false
	for _, c := range []struct {
		name      string
		n         app.Notice
		wasUrgent bool
		want      bool
	}{
		{"urgent and current", current, false, true},
		{"a correction of one already pushed", current, true, false},
		{"written ahead: pushed when announced", ahead, false, false},
		{"not urgent", calm, false, false},
	} {
		if got := c.n.PushesOnSave(c.wasUrgent); got != c.want {
			t.Errorf("%s: PushesOnSave = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestAPushIsGivenUpWhenItsTTLEnds(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	text := app.OutboxMessage{Channel: app.ChannelSMS, CreatedAt: at}
	call := app.OutboxMessage{Channel: app.ChannelPush, TTLSeconds: 60, CreatedAt: at}
	long := app.OutboxMessage{Channel: app.ChannelPush, TTLSeconds: 7 * 24 * 3600, CreatedAt: at}
	for _, c := range []struct {
		m    app.OutboxMessage
		want time.Duration
	}{{text, app.MessageGiveUp}, {call, time.Minute}, {long, app.MessageGiveUp}} {
		if got := c.m.GiveUpAt().Sub(at); got != c.want {
			t.Errorf("%s with TTL %ds: given up after %s, want %s", c.m.Channel, c.m.TTLSeconds, got, c.want)
		}
	}
}
