// Command reliability is the driver of scripts/crash, scripts/soak and
// scripts/multi-instance: it makes writes and reads through the JSON API
// and checks what the database kept.
//
//	reliability crash -server BIN -addr 127.0.0.1:PORT -kills 5
//	    starts the server (the environment names its database), writes
//	    requests, attachments, calls and shift-log entries from several
//	    writers, kills the server with SIGKILL several times mid-load and
//	    restarts it, then checks that every acknowledged write is stored
//	    exactly once and that nothing is half-written
//	reliability soak -url URL -duration 10m
//	    a mixed, bounded load of residents and officers; prints throughput,
//	    p50/p99 per route, errors, and the server's heap, goroutines and
//	    open files at the start and the end
//	reliability multi -url PROXY -instances URL,URL,URL -logs F,F,F
//	    checks several instances behind a proxy on one PostgreSQL
//
// Each prints its results on stdout as "key value" lines; progress goes to
// stderr. It exits 2 on a setup failure and 1 when a check fails.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// setupError is a failure of the setup, not a finding.
type setupError struct{ err error }

func (e setupError) Error() string { return e.err.Error() }

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: reliability crash|soak|multi [flags]")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch os.Args[1] {
	case "crash":
		err = runCrash(ctx, os.Args[2:])
	case "soak":
		err = runSoak(ctx, os.Args[2:])
	case "multi":
		err = runMulti(ctx, os.Args[2:])
	default:
		err = setupError{fmt.Errorf("unknown command %q: want crash, soak or multi", os.Args[1])}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "reliability:", err)
		var se setupError
		if errors.As(err, &se) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// result collects the "key value" lines printed at the end.
type result struct{ lines []string }

func (r *result) add(key string, format string, args ...any) {
	r.lines = append(r.lines, key+" "+fmt.Sprintf(format, args...))
}

func (r *result) print() {
	for _, l := range r.lines {
		fmt.Println(l)
	}
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "reliability: "+format+"\n", args...)
}

func joinMS(ds []time.Duration) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = fmt.Sprintf("%.0f", float64(d)/float64(time.Millisecond))
	}
	return strings.Join(parts, ",")
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
