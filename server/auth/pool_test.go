package auth

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestAFullHashPoolRefusesAfterItsWaitAndFreesOnRelease(t *testing.T) {
	p := NewHashPool(128, 50*time.Millisecond) // room for two hashes of 64 MiB
	ctx := context.Background()
	first, err := p.acquire(ctx, 64)
	if err != nil {
		t.Fatal(err)
	}
	second, err := p.acquire(ctx, 64)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := p.acquire(ctx, 64); !errors.Is(err, ErrHashingBusy) {
		t.Fatalf("a third hash in a pool of two: %v, want ErrHashingBusy", err)
	}
	if waited := time.Since(start); waited < 40*time.Millisecond || waited > time.Second {
		t.Errorf("refused after %v, want after the pool's wait (50 ms)", waited)
	}
	first()
	third, err := p.acquire(ctx, 64)
	if err != nil {
		t.Fatalf("after a release: %v", err)
	}
	third()
	second()
	// A hash that asks for more than the whole pool still runs, alone.
	if release, err := p.acquire(ctx, 1024); err != nil {
		t.Errorf("a hash bigger than the pool: %v", err)
	} else {
		release()
	}
}

func TestThePoolChecksAndHashesLikeThePlainFunctions(t *testing.T) {
	p := NewHashPool(256, time.Second)
	ctx := context.Background()
	h, err := p.Hash(ctx, "garden-path-7")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := p.Check(ctx, "garden-path-7", h); err != nil || !ok {
		t.Errorf("the right password: %v %v", ok, err)
	}
	if ok, err := p.Check(ctx, "garden-path-8", h); err != nil || ok {
		t.Errorf("a wrong password: %v %v", ok, err)
	}
	if got := hashMemoryMiB(h); got != 64 {
		t.Errorf("memory of a new hash: %d MiB, want 64", got)
	}
}
