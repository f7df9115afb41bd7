package store_test

import (
	"context"
	"testing"
	"time"

	"policebooth/server/app"
	"policebooth/server/store"
	"policebooth/server/store/storetest"
)

// A claim left by a process that died between claiming a key and storing
// its answer must not hold the key for a day: past the lease, the retry
// runs. A claim its request keeps renewing holds.
func TestIdempotencyClaimOfADeadProcessIsTakenOver(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	const user, key, path = 7, "k-crash", "/api/v1/service-requests"
	if prev, err := st.BeginIdempotent(ctx, user, key, "POST", path); err != nil || prev != nil {
		t.Fatalf("first claim: %v, %v", prev, err)
	}
	// Within the lease the retry waits for the first request.
	prev, err := st.BeginIdempotent(ctx, user, key, "POST", path)
	if err != nil || prev == nil || prev.Status != 0 {
		t.Fatalf("retry within the lease: %+v, %v; want the running claim", prev, err)
	}
	// A running request renews its claim: still held.
	if err := st.TouchIdempotent(ctx, user, key, clockOf(t).Now()); err != nil {
		t.Fatal(err)
	}
	if prev, _ := st.BeginIdempotent(ctx, user, key, "POST", path); prev == nil {
		t.Fatal("a renewed claim was taken over")
	}
	// The process died: nothing renews; past the lease the retry runs.
	stale := clockOf(t).Now().Add(-store.IdempotencyLease - time.Second).UTC()
	if err := st.DB().Model(&app.IdempotentResponse{}).Where("user_id = ? AND key = ?", user, key).Update("created_at", stale).Error; err != nil {
		t.Fatal(err)
	}
	if prev, err := st.BeginIdempotent(ctx, user, key, "POST", path); err != nil || prev != nil {
		t.Fatalf("retry after the lease: %+v, %v; want the key claimed afresh", prev, err)
	}
	// A finished answer is replayed however old (within the TTL).
	if err := st.FinishIdempotent(ctx, user, key, app.IdempotentResponse{Status: 201, ContentType: "application/json", Body: []byte(`{"id":"1"}`)}); err != nil {
		t.Fatal(err)
	}
	if err := st.DB().Model(&app.IdempotentResponse{}).Where("user_id = ? AND key = ?", user, key).Update("created_at", stale).Error; err != nil {
		t.Fatal(err)
	}
	if prev, err := st.BeginIdempotent(ctx, user, key, "POST", path); err != nil || prev == nil || prev.Status != 201 {
		t.Fatalf("replay of a finished answer: %+v, %v", prev, err)
	}
}

// The write of a claimed key and the record that it is stored commit
// together: a retry after a crash that lost the answer finds the key
// written and does not store the write again; a write that failed leaves
// the claim open for the retry.
func TestIdempotencyClaimIsMarkedWithItsWrite(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	if err := st.LoadDemo(ctx, storetest.Logger(t)); err != nil {
		t.Fatal(err)
	}
	resident, err := st.FindUserByPhone(ctx, "13900000001")
	if err != nil {
		t.Fatal(err)
	}
	const key, path = "k-call", "/api/v1/assistance-calls"
	if prev, err := st.BeginIdempotent(ctx, resident.ID, key, "POST", path); err != nil || prev != nil {
		t.Fatalf("claim: %v, %v", prev, err)
	}
	claimed := app.WithIdempotencyClaim(ctx, resident.ID, key)
	// A write refused by a rule changes nothing: the claim stays open.
	if _, err := st.CreateCall(claimed, app.NewCall{CallerID: resident.ID, Category: "no-such-category"}, clockOf(t).Now()); err == nil {
		t.Fatal("a call of an unknown category was accepted")
	}
	prev, err := st.BeginIdempotent(ctx, resident.ID, key, "POST", path)
	if err != nil || prev == nil || prev.Status != 0 {
		t.Fatalf("after a refused write: %+v, %v; want the claim still running", prev, err)
	}
	if _, err := st.CreateCall(claimed, app.NewCall{CallerID: resident.ID, Category: "other"}, clockOf(t).Now()); err != nil {
		t.Fatal(err)
	}
	// The process dies here, before FinishIdempotent: even past the lease
	// the retry learns the write is stored, and is not run again.
	stale := clockOf(t).Now().Add(-store.IdempotencyLease - time.Second).UTC()
	if err := st.DB().Model(&app.IdempotentResponse{}).Where("user_id = ? AND key = ?", resident.ID, key).Update("created_at", stale).Error; err != nil {
		t.Fatal(err)
	}
	prev, err = st.BeginIdempotent(ctx, resident.ID, key, "POST", path)
	if err != nil || prev == nil || prev.Status != store.IdempotencyWritten {
		t.Fatalf("retry after a crash: %+v, %v; want status %d", prev, err, store.IdempotencyWritten)
	}
}
