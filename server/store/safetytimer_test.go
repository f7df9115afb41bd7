package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"policebooth/server/app"
	"policebooth/server/store"
	"policebooth/server/store/storetest"
)

func TestSafetyTimerStartsOnceAndChecksIn(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	for name, nt := range map[string]app.NewSafetyTimer{
		"no minutes":   {Minutes: 0},
		"241 minutes":  {Minutes: 241},
		"long note":    {Minutes: 5, Note: string(make([]rune, 201))},
		"half a place": {Minutes: 5, Lat: ptr(39.9)},
	} {
		nt.UserID = c.resident.ID
		if _, err := st.StartSafetyTimer(ctx, nt, t0); app.ErrorCode(err) != app.EINVALID {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
	if _, err := st.StartSafetyTimer(ctx, app.NewSafetyTimer{UserID: c.officer.ID, Minutes: 5}, t0); app.ErrorCode(err) != app.EFORBIDDEN {
		t.Errorf("an officer's timer: %v, want forbidden", err)
	}
	tm, err := st.StartSafetyTimer(ctx, app.NewSafetyTimer{UserID: c.resident.ID, Minutes: 20, Note: " 走夜路回家 "}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if tm.Note != "走夜路回家" || !tm.DueAt.Equal(t0.Add(20*time.Minute)) || !tm.FireAt.Equal(t0.Add(20*time.Minute+30*time.Second)) {
		t.Fatalf("timer = %+v", tm)
	}
	if _, err := st.StartSafetyTimer(ctx, app.NewSafetyTimer{UserID: c.resident.ID, Minutes: 5}, t0); app.ErrorCode(err) != app.ECONFLICT {
		t.Errorf("a second running timer: %v, want conflict", err)
	}
	if _, err := st.CheckInSafetyTimer(ctx, tm.ID, c.neighbour.ID, t0); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("another resident's check-in: %v, want not found", err)
	}
	done, err := st.CheckInSafetyTimer(ctx, tm.ID, c.resident.ID, t0.Add(10*time.Minute))
	if err != nil || done.Status != app.TimerCheckedIn {
		t.Fatalf("check-in: %+v, %v", done, err)
	}
	if _, err := st.CheckInSafetyTimer(ctx, tm.ID, c.resident.ID, t0.Add(11*time.Minute)); app.ErrorCode(err) != app.ECONFLICT {
		t.Errorf("a second check-in: %v, want conflict", err)
	}
	// Checked in: the sweep raises nothing, even long after.
	fired, err := st.FireSafetyTimers(ctx, t0.Add(time.Hour))
	if err != nil || len(fired) != 0 || count(t, st, &app.AssistanceCall{}) != 0 {
		t.Fatalf("sweep after a check-in fired %v (%v); %d calls", fired, err, count(t, st, &app.AssistanceCall{}))
	}
	// The grace: during the 30 s alert a check-in still stops it.
	tm2, err := st.StartSafetyTimer(ctx, app.NewSafetyTimer{UserID: c.resident.ID, Minutes: 1}, t0.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if fired, _ := st.FireSafetyTimers(ctx, tm2.DueAt.Add(29*time.Second)); len(fired) != 0 {
		t.Fatalf("fired during the grace: %+v", fired)
	}
}

// Two instances sweeping at once raise each timer's call exactly once.
func TestSafetyTimersFireOnceAcrossInstances(t *testing.T) {
	dsn, path := storetest.DSN(t)
	ctx := context.Background()
	a, b := openAt(t, dsn, path), openAt(t, dsn, path)
	_, booth := stationWithBooth(t, a, "海淀派出所", 39.9593, 116.2981)
	const timers = 12
	users := make([]int64, timers)
	for i := range timers {
		r := createUser(t, a, app.User{Role: app.RoleResident, Phone: fmt.Sprintf("139%08d", i), Name: "居民", HomeBoothID: &booth.ID})
		users[i] = r.ID
		if _, err := a.StartSafetyTimer(ctx, app.NewSafetyTimer{UserID: r.ID, Minutes: 1, Note: "见网友", Lat: ptr(39.96), Lng: ptr(116.30), AccuracyM: ptr(15.0)}, t0); err != nil {
			t.Fatal(err)
		}
	}
	at := t0.Add(time.Minute + app.SafetyTimerGrace)
	var (
		mu    sync.Mutex
		calls = map[int64]int{}
		wg    sync.WaitGroup
		start = make(chan struct{})
	)
	for w := range 8 {
		st := []*store.Store{a, b}[w%2]
		wg.Go(func() {
			<-start
			fired, err := st.FireSafetyTimers(ctx, at)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, f := range fired {
				calls[f.Call.ID]++
			}
		})
	}
	close(start)
	wg.Wait()
	if len(calls) != timers {
		t.Fatalf("%d calls raised for %d timers", len(calls), timers)
	}
	for id, n := range calls {
		if n != 1 {
			t.Errorf("call %d reported %d times", id, n)
		}
	}
	if n := count(t, a, &app.AssistanceCall{}); n != timers {
		t.Fatalf("%d calls stored, want %d", n, timers)
	}
	got, err := a.FindCall(ctx, firstKey(calls), app.CallScope{StationID: booth.StationID})
	if err != nil {
		t.Fatal(err)
	}
	if got.Lat == nil || *got.Lat != 39.96 || got.Message != "【安全守护 Safety timer】见网友" || got.Timeline[len(got.Timeline)-1].Kind != "safety_timer" {
		t.Fatalf("the raised call = %+v", got)
	}
	if again, _ := b.FireSafetyTimers(ctx, at.Add(time.Hour)); len(again) != 0 {
		t.Fatalf("a later sweep fired again: %+v", again)
	}
}

func firstKey(m map[int64]int) int64 {
	for k := range m {
		return k
	}
	return 0
}
