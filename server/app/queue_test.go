package app_test

import (
	"slices"
	"testing"
	"time"

	"policebooth/server/app"
)

func TestOrderQueue(t *testing.T) {
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	at := func(m int) time.Time { return now.Add(time.Duration(m) * time.Minute) }
	ptr := func(t time.Time) *time.Time { return &t }
	for _, tc := range []struct {
		name string
		line []app.QueueEntry
		want []int64
	}{
		{"by arrival", []app.QueueEntry{{RequestID: 2, ArrivedAt: at(-5)}, {RequestID: 1, ArrivedAt: at(-10)}}, []int64{1, 2}},
		{"a booked arrival whose slot started goes first", []app.QueueEntry{
			{RequestID: 1, ArrivedAt: at(-30)}, {RequestID: 2, ArrivedAt: at(-1), SlotStartsAt: ptr(at(0))}}, []int64{2, 1}},
		{"a slot not yet started waits by arrival", []app.QueueEntry{
			{RequestID: 1, ArrivedAt: at(-30)}, {RequestID: 2, ArrivedAt: at(-40), SlotStartsAt: ptr(at(15))}, {RequestID: 3, ArrivedAt: at(-20)}}, []int64{2, 1, 3}},
		{"two started bookings by arrival", []app.QueueEntry{
			{RequestID: 1, ArrivedAt: at(-2), SlotStartsAt: ptr(at(-15))}, {RequestID: 2, ArrivedAt: at(-20), SlotStartsAt: ptr(at(0))}}, []int64{2, 1}},
		{"a skipped one goes to the back from its skip", []app.QueueEntry{
			{RequestID: 1, ArrivedAt: at(-30), SkippedAt: ptr(at(-1)), SlotStartsAt: ptr(at(-10))}, {RequestID: 2, ArrivedAt: at(-5)}, {RequestID: 3, ArrivedAt: at(0)}}, []int64{2, 1, 3}},
		{"ties by id", []app.QueueEntry{{RequestID: 9, ArrivedAt: at(0)}, {RequestID: 4, ArrivedAt: at(0)}}, []int64{4, 9}},
	} {
		app.OrderQueue(tc.line, now)
		var got []int64
		for _, e := range tc.line {
			got = append(got, e.RequestID)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestServiceMinutesAndWaits(t *testing.T) {
	if got := app.ServiceMinutes([]float64{3, 4, 5, 6}, 15); got != 15 {
		t.Errorf("four samples: %v, want the target 15", got)
	}
	if got := app.ServiceMinutes([]float64{7, 3, 5, 4, 6}, 15); got != 5 {
		t.Errorf("five samples: %v, want their median 5", got)
	}
	if got := app.ServiceMinutes([]float64{1, 2, 3, 4, 5, 100}, 15); got != 3.5 {
		t.Errorf("six samples: %v, want 3.5", got)
	}
	for _, tc := range []struct {
		ahead   float64
		windows int
		want    int
	}{{0, 1, 0}, {30, 1, 30}, {30, 2, 15}, {31, 2, 16}, {10, 0, 10}, {5.2, 1, 5}} {
		if got := app.WaitMinutes(tc.ahead, tc.windows); got != tc.want {
			t.Errorf("WaitMinutes(%v, %d) = %d, want %d", tc.ahead, tc.windows, got, tc.want)
		}
	}
}

func TestRemindersDue(t *testing.T) {
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, shanghai)
	for _, tc := range []struct {
		now       time.Time
		eve, soon bool
	}{
		{time.Date(2026, 11, 30, 17, 59, 0, 0, shanghai), false, false},
		{time.Date(2026, 11, 30, 18, 0, 0, 0, shanghai), true, false},
		{time.Date(2026, 11, 30, 23, 0, 0, 0, shanghai), true, false},
		{time.Date(2026, 12, 1, 7, 0, 0, 0, shanghai), false, false}, // the same day: no evening-before any more
		{time.Date(2026, 12, 1, 8, 30, 0, 0, shanghai), false, true},
		{time.Date(2026, 12, 1, 9, 0, 0, 0, shanghai), false, false}, // started
	} {
		eve, soon := app.RemindersDue(start, tc.now, shanghai)
		if eve != tc.eve || soon != tc.soon {
			t.Errorf("at %s: eve %v soon %v, want %v %v", tc.now.Format(time.DateTime), eve, soon, tc.eve, tc.soon)
		}
	}
}

func TestOpeningHoursSlots(t *testing.T) {
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	h := app.OpeningHours{Weekly: []app.OpeningRange{
		{Weekday: 7, Opens: "09:00", Closes: "09:50", SlotMinutes: 20, Capacity: 3},
		{Weekday: 1, Opens: "13:30", Closes: "14:00", SlotMinutes: 15, Capacity: 1},
	}, ClosedDates: []string{"2026-12-07", "2026-12-07"}}
	if err := h.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(h.ClosedDates) != 1 || h.Weekly[0].Weekday != 1 {
		t.Errorf("validated hours %+v: want dates without repeats and ranges Monday first", h)
	}
	var got []string
	for _, s := range h.Slots(time.Date(2026, 11, 29, 8, 0, 0, 0, shanghai), 9, shanghai) { // Sunday 29th to Monday 7th
		got = append(got, s.StartsAt.In(shanghai).Format("01-02 15:04")+"-"+s.EndsAt.In(shanghai).Format("15:04"))
	}
	want := []string{"11-29 09:00-09:20", "11-29 09:20-09:40", "11-30 13:30-13:45", "11-30 13:45-14:00", "12-06 09:00-09:20", "12-06 09:20-09:40"}
	if !slices.Equal(got, want) {
		t.Errorf("slots %v, want %v (the last 10 minutes of Sunday's range make no slot; 7 December is closed)", got, want)
	}
}

func TestCheckRatingAndArrival(t *testing.T) {
	for _, tc := range []struct {
		score   int
		comment string
		ok      bool
	}{{5, "", true}, {3, "", true}, {2, "", false}, {1, " ", false}, {1, "太慢", true}, {0, "x", false}, {6, "", false}} {
		if err := app.CheckRating(tc.score, tc.comment); (err == nil) != tc.ok {
			t.Errorf("CheckRating(%d, %q) = %v, want ok %v", tc.score, tc.comment, err, tc.ok)
		}
	}
	b := &app.Booth{Lat: 39.9593, Lng: 116.2981, ArrivalCode: "0123456789abcdef"}
	f := func(v float64) *float64 { return &v }
	for _, tc := range []struct {
		name string
		a    app.Arrival
		code string
	}{
		{"staff", app.Arrival{ByStaff: true}, ""},
		{"within 300 m", app.Arrival{Lat: f(39.9593 + 0.0025), Lng: f(116.2981)}, ""},
		{"400 m away", app.Arrival{Lat: f(39.9593 + 0.0036), Lng: f(116.2981)}, app.EFORBIDDEN},
		{"the QR code", app.Arrival{Code: "0123456789abcdef"}, ""},
		{"a wrong code", app.Arrival{Code: "0123456789abcdee"}, app.EFORBIDDEN},
		{"half a position", app.Arrival{Lat: f(39.9593)}, app.EINVALID},
	} {
		if got := app.ErrorCode(app.CheckArrival(tc.a, b)); got != tc.code {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.code)
		}
	}
}
