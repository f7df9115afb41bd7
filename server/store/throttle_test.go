package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"policebooth/server/app"
	"policebooth/server/store"
	"policebooth/server/store/storetest"
)

func TestThrottleHoldsAcrossInstances(t *testing.T) {
	dsn, path := storetest.DSN(t)
	ctx := context.Background()
	open := func() *store.Store { return openAt(t, dsn, path) }
	a, b := open(), open()
	const bucket = "login:phone:13900000001"

	// Five attempts allowed per minute, spread over two instances.
	for i, st := range []*store.Store{a, b, a, b, a} {
		if retry, err := st.Throttle(ctx, bucket, 5, time.Minute); err != nil || retry != 0 {
			t.Fatalf("attempt %d: %v, %v; want allowed", i+1, retry, err)
		}
	}
	for _, st := range []*store.Store{b, a} {
		retry, err := st.Throttle(ctx, bucket, 5, time.Minute)
		if app.ErrorCode(err) != app.ERATELIMIT || retry <= 0 || retry > time.Minute {
			t.Fatalf("sixth attempt: %v, %v; want rate limited with a retry-after within the minute", retry, err)
		}
	}
	// Other buckets count on their own.
	if _, err := b.Throttle(ctx, "login:ip:192.0.2.7", 5, time.Minute); err != nil {
		t.Fatalf("another bucket: %v", err)
	}
	// A successful sign-in clears the bucket.
	if err := b.ClearThrottle(ctx, bucket); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Throttle(ctx, bucket, 5, time.Minute); err != nil {
		t.Fatalf("after ClearThrottle: %v", err)
	}
}

func TestThrottleWindowEnds(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	const bucket = "code:phone:13900000001"
	for range 2 {
		if _, err := st.Throttle(ctx, bucket, 2, 300*time.Millisecond); err != nil {
			t.Fatal(err)
		}
	}
	retry, err := st.Throttle(ctx, bucket, 2, 300*time.Millisecond)
	if app.ErrorCode(err) != app.ERATELIMIT {
		t.Fatalf("third attempt: %v, want rate limited", err)
	}
	time.Sleep(retry + 50*time.Millisecond)
	// An attempt in any bucket purges windows that have ended.
	if _, err := st.Throttle(ctx, "code:phone:13900000002", 2, time.Minute); err != nil {
		t.Fatal(err)
	}
	var buckets []string
	st.DB().Table("throttles").Pluck("bucket", &buckets)
	if len(buckets) != 1 || buckets[0] != "code:phone:13900000002" {
		t.Fatalf("throttle rows %v: want only the live bucket", buckets)
	}
	for range 2 {
		if _, err := st.Throttle(ctx, bucket, 2, 300*time.Millisecond); err != nil {
			t.Fatalf("after the window: %v", err)
		}
	}
}

func TestThrottleConcurrentAttemptsNeverPassTheLimit(t *testing.T) {
	dsn, path := storetest.DSN(t)
	ctx := context.Background()
	var stores []*store.Store
	for range 2 {
		st, err := store.Open(dsn, path, storetest.Logger(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if err := st.Migrate(ctx, storetest.Logger(t)); err != nil {
			t.Fatal(err)
		}
		stores = append(stores, st)
	}
	const attempts, limit = 20, 7
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		allowed int
	)
	for i := range attempts {
		wg.Go(func() {
			_, err := stores[i%2].Throttle(ctx, "login:ip:198.51.100.1", limit, time.Minute)
			if err != nil && app.ErrorCode(err) != app.ERATELIMIT {
				t.Error(err)
			}
			if err == nil {
				mu.Lock()
				allowed++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if allowed != limit {
		t.Fatalf("%d of %d concurrent attempts allowed, want exactly %d", allowed, attempts, limit)
	}
}
