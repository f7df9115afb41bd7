package auth

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"

	"policebooth/server/app"
)

// HashPool bounds the memory that password hashing holds at once. Each
// argon2id run holds its hash's memory (64 MiB for this project's hashes)
// for as long as it runs, so without a bound a burst of sign-ins costs
// gigabytes. The pool is sized in memory, not in cores: a run waits at most
// a short while for room and is then refused with EUNAVAILABLE, so nothing
// queues without bound.
type HashPool struct {
	room *semaphore.Weighted // MiB of hashing memory
	mib  int64
	wait time.Duration

	collected atomic.Int64 // when a collection was last asked for (UnixNano)
}

// NewHashPool returns a pool of memoryMiB mebibytes of hashing; a run waits
// at most wait for room. A pool smaller than one hash still lets one run.
func NewHashPool(memoryMiB int, wait time.Duration) *HashPool {
	mib := max(int64(memoryMiB), argonMemory/1024)
	return &HashPool{room: semaphore.NewWeighted(mib), mib: mib, wait: wait}
}

// ErrHashingBusy is the answer of a full pool: 503, try again shortly.
var ErrHashingBusy = app.Errorf(app.EUNAVAILABLE, "too many sign-ins at once; try again in a few seconds")

// acquire takes mib of room, waiting at most p.wait, and returns the
// release. The semaphore serves waiters in order, so a big hash is not
// starved by small ones.
func (p *HashPool) acquire(ctx context.Context, mib int) (func(), error) {
	n := min(int64(mib), p.mib)
	ctx, cancel := context.WithTimeout(ctx, p.wait)
	defer cancel()
	if err := p.room.Acquire(ctx, n); err != nil {
		return nil, ErrHashingBusy
	}
	return func() {
		p.room.Release(n)
		p.collect()
	}, nil
}

// collectEvery spaces the collections the pool asks for.
const collectEvery = 100 * time.Millisecond

// collect asks for a garbage collection, at most every collectEvery, once
// a hash is done with its memory. Go's collector otherwise lets the heap
// grow to twice what was live at its last run: with the pool full that is
// twice the pool's memory, which is what the pool is there to bound. The
// hashes' memory holds no pointers, so a collection costs little.
func (p *HashPool) collect() {
	now := time.Now().UnixNano()
	last := p.collected.Load()
	if now-last < int64(collectEvery) || !p.collected.CompareAndSwap(last, now) {
		return
	}
	go runtime.GC()
}

// Hash is HashPassword run inside the pool.
func (p *HashPool) Hash(ctx context.Context, password string) (string, error) {
	if err := app.ValidatePassword(password); err != nil {
		return "", err
	}
	release, err := p.acquire(ctx, argonMemory/1024)
	if err != nil {
		return "", err
	}
	defer release()
	return hash(password)
}

// HashPin is HashPin run inside the pool.
func (p *HashPool) HashPin(ctx context.Context, pin string) (string, error) {
	release, err := p.acquire(ctx, argonMemory/1024)
	if err != nil {
		return "", err
	}
	defer release()
	return HashPin(pin)
}

// Check is CheckPassword run inside the pool, holding as much room as the
// stored hash's own memory parameter asks for.
func (p *HashPool) Check(ctx context.Context, password, encoded string) (bool, error) {
	release, err := p.acquire(ctx, hashMemoryMiB(encoded))
	if err != nil {
		return false, err
	}
	defer release()
	return CheckPassword(password, encoded), nil
}

// hashMemoryMiB reads the memory an encoded hash needs, in MiB (at least 1).
func hashMemoryMiB(encoded string) int {
	parts := strings.Split(encoded, "$")
	if len(parts) == 6 {
		var memory, t uint32
		var threads uint8
		if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &t, &threads); err == nil && memory <= 1<<20 {
			return max(1, int(memory/1024))
		}
	}
	return 1
}
