package app

import (
	"context"
	"time"
)

// IdempotencyLease is how long a claim without an answer holds its key
// unless the request that made it renews it (TouchIdempotent). A claim
// left by a process that died (a crash, a power cut) is then taken over,
// so the client's retry runs instead of waiting on it for a day.
const IdempotencyLease = 20 * time.Second

// IdempotencyWritten is the status of a claim whose write is stored but
// whose answer is not (the process died in between): a retry must not
// store it again, and cannot be given the lost answer.
const IdempotencyWritten = -1

// IdempotencyClaim is the claimed key a request runs under.
type IdempotencyClaim struct {
	UserID int64
	Key    string
}

type idempotencyClaimKey struct{}

// WithIdempotencyClaim marks ctx as running the request of a claimed key:
// the transaction that stores its write also records, atomically, that it
// did (IdempotencyWritten), so a crash before the answer is kept cannot
// lead to a second copy.
func WithIdempotencyClaim(ctx context.Context, userID int64, key string) context.Context {
	return context.WithValue(ctx, idempotencyClaimKey{}, IdempotencyClaim{UserID: userID, Key: key})
}

// IdempotencyClaimOf returns the claim ctx runs under, if any.
func IdempotencyClaimOf(ctx context.Context) (IdempotencyClaim, bool) {
	c, ok := ctx.Value(idempotencyClaimKey{}).(IdempotencyClaim)
	return c, ok
}
