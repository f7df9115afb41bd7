package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"time"
)

// maxCalls is how many calls a resident may raise in an hour.
const maxCalls = 5

// runCrash drives writes against a server it kills with SIGKILL several
// times, restarting it each time, then checks that every acknowledged
// write is there exactly once and that nothing is half-written.
func runCrash(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("crash", flag.ExitOnError)
	bin := fs.String("server", "", "the policebooth binary")
	addr := fs.String("addr", "127.0.0.1:18480", "loopback address for the server")
	logPath := fs.String("log", "server.log", "file for the server's output")
	kills := fs.Int("kills", 5, "SIGKILLs under load")
	minGap := fs.Duration("min-gap", 1500*time.Millisecond, "shortest load between two kills")
	maxGap := fs.Duration("max-gap", 3500*time.Millisecond, "longest load between two kills")
	workers := fs.Int("workers", 6, "writers working at once")
	residents := fs.Int("residents", 24, "residents sharing the writes (five calls an hour each)")
	prefix := fs.String("resident-prefix", "1390002", "phones of the residents the driver adds")
	retryFor := fs.Duration("retry", 90*time.Second, "how long a write whose outcome is unknown is retried with its key")
	_ = fs.Parse(args)
	if *bin == "" || *kills < 1 || *workers < 1 || *residents < *workers || *maxGap < *minGap {
		return setupError{errors.New("crash needs -server, -kills >= 1, -residents >= -workers >= 1 and -max-gap >= -min-gap")}
	}
	logFile, err := os.Create(*logPath)
	if err != nil {
		return setupError{err}
	}
	defer func() { _ = logFile.Close() }()
	srv := &serverProcess{bin: *bin, addr: *addr, log: logFile}
	defer srv.stop()
	if _, err := srv.start(ctx); err != nil {
		return setupError{err}
	}
	db, err := openDatabase(ctx)
	if err != nil {
		return setupError{err}
	}
	defer db.close()
	if err := db.addResidents(ctx, *prefix, *residents); err != nil {
		return setupError{err}
	}

	k := &keys{run: fmt.Sprintf("crash%d", time.Now().UnixNano()%1e9)}
	w := &writer{c: newClient(srv.url()), keys: k, retryFor: *retryFor}
	officer := &account{phone: demoOfficer}
	if officer.token, err = fromSource(srv.url(), 0).login(ctx, demoOfficer); err != nil {
		return setupError{err}
	}
	shift, err := w.clockIn(ctx, officer)
	if err != nil {
		return setupError{err}
	}
	people := make([]*account, *residents)
	for i := range people {
		people[i] = &account{phone: fmt.Sprintf("%s%0*d", *prefix, 11-len(*prefix), i+1)}
		if people[i].token, err = fromSource(srv.url(), i+1).login(ctx, people[i].phone); err != nil {
			return setupError{err}
		}
	}
	progress("server up; %d writers, %d residents, the officer on shift %s", *workers, *residents, shift)

	// The writers run until stop closes; each finishes its write first.
	stop := make(chan struct{})
	var rejected []string
	var rejMu sync.Mutex
	var wg sync.WaitGroup
	for i := range *workers {
		mine := people[i*len(people)/(*workers) : (i+1)*len(people)/(*workers)]
		wg.Go(func() {
			for j := 0; ; j++ {
				select {
				case <-stop:
					return
				default:
				}
				res := mine[(j/4)%len(mine)] // each kind of write goes round the residents
				var err error
				switch j % 4 {
				case 0:
					_, err = w.fileRequest(ctx, res)
				case 1:
					var r write
					if r, err = w.fileRequest(ctx, res); err == nil && r.id != "" {
						_, err = w.uploadAttachment(ctx, res, r.id)
					}
				case 2:
					if res.calls < maxCalls {
						_, err = w.raiseCall(ctx, res)
					} else {
						_, err = w.addEntry(ctx, officer, shift)
					}
				case 3:
					_, err = w.addEntry(ctx, officer, shift)
				}
				if err != nil && ctx.Err() == nil {
					rejMu.Lock()
					rejected = append(rejected, err.Error())
					rejMu.Unlock()
				}
				time.Sleep(10 * time.Millisecond) // bounded: a few dozen writes a second at most
			}
		})
	}

	var readyTimes []time.Duration
	for n := 1; n <= *kills; n++ {
		gap := *minGap + time.Duration(rand.Int64N(int64(*maxGap-*minGap)+1)) // #nosec G404 -- when to kill, not a secret
		select {
		case <-ctx.Done():
			close(stop)
			wg.Wait()
			return ctx.Err()
		case <-time.After(gap):
		}
		before := len(w.writes())
		srv.kill()
		took, err := srv.start(ctx)
		if err != nil {
			close(stop)
			wg.Wait()
			return err
		}
		readyTimes = append(readyTimes, took)
		progress("kill %d/%d after %v of load (%d writes acknowledged so far); ready again in %v", n, *kills, gap.Round(time.Millisecond), before, took.Round(time.Millisecond))
	}
	time.Sleep(*minGap) // load on the last start too
	close(stop)
	wg.Wait()

	if err := srv.alive(); err != nil {
		return err
	}
	acked := w.writes()
	problems := verify(ctx, w.c, officer, acked)
	copies, err := db.copies(ctx, k.run)
	if err != nil {
		return err
	}
	byKind := map[string]int{}
	for _, wr := range acked {
		byKind[wr.kind]++
		if n := copies[wr.marker]; n != 1 {
			problems = append(problems, fmt.Sprintf("%s %s (%s) is stored %d times, want once", wr.kind, wr.id, wr.marker, n))
		}
	}
	unanswered := 0
	ackedMarkers := map[string]bool{}
	for _, wr := range acked {
		ackedMarkers[wr.marker] = true
	}
	for m := range copies {
		if !ackedMarkers[m] {
			unanswered++ // stored, but its answer never reached the driver: allowed
		}
	}
	half, orphans, err := db.halfWritten(ctx)
	if err != nil {
		return err
	}
	problems = append(problems, half...)

	var res result
	res.add("kills", "%d", *kills)
	res.add("acknowledged", "%d", len(acked))
	for _, kind := range []string{kindRequest, kindAttachment, kindCall, kindEntry} {
		res.add("acknowledged_"+kind, "%d", byKind[kind])
	}
	res.add("resent_unknown_outcome", "%d", w.retried)
	res.add("stored_answer_lost", "%d", w.lostAnswers)
	res.add("gave_up", "%d", w.gaveUp)
	res.add("rejected", "%d", len(rejected))
	res.add("stored_unacknowledged", "%d", unanswered)
	res.add("orphan_blobs", "%d", orphans)
	res.add("ready_after_restart_ms", "%s", joinMS(readyTimes))
	res.add("missing_or_half_written", "%d", len(problems))
	for i, p := range problems {
		if i == 20 {
			res.add("problem", "… and %d more", len(problems)-20)
			break
		}
		res.add("problem", "%s", p)
	}
	for i, r := range rejected {
		if i == 5 {
			break
		}
		res.add("rejection", "%s", oneLine(r))
	}
	res.print()
	if len(problems) > 0 || len(rejected) > 0 || w.gaveUp > 0 {
		return errors.New("crash check failed")
	}
	return nil
}

// verify reads every acknowledged write back through the API as its owner.
func verify(ctx context.Context, c *client, officer *account, acked []write) []string {
	var problems []string
	entries := map[string]map[string]bool{} // shift → its entry ids
	for _, wr := range acked {
		if wr.id == "" {
			continue // its answer was lost: counted by its marker only
		}
		switch wr.kind {
		case kindRequest:
			var r struct {
				Timeline []struct{ Kind string } `json:"timeline"`
			}
			if _, err := c.send(ctx, request{method: "GET", path: "/api/v1/service-requests/" + wr.id, token: wr.token}, &r); err != nil {
				problems = append(problems, fmt.Sprintf("request %s: %v", wr.id, err))
			} else if len(r.Timeline) == 0 {
				problems = append(problems, fmt.Sprintf("request %s has no timeline", wr.id))
			}
		case kindCall:
			var r struct {
				Timeline []struct{ Kind string } `json:"timeline"`
			}
			if _, err := c.send(ctx, request{method: "GET", path: "/api/v1/assistance-calls/" + wr.id, token: wr.token}, &r); err != nil {
				problems = append(problems, fmt.Sprintf("call %s: %v", wr.id, err))
			} else if len(r.Timeline) == 0 {
				problems = append(problems, fmt.Sprintf("call %s has no timeline", wr.id))
			}
		case kindAttachment:
			a, err := c.send(ctx, request{method: "GET", path: "/api/v1/attachments/" + wr.id, token: wr.token}, nil)
			if err != nil {
				problems = append(problems, fmt.Sprintf("attachment %s: %v", wr.id, err))
			} else if !bytes.Equal(a.body, wr.data) {
				problems = append(problems, fmt.Sprintf("attachment %s: %d bytes back, %d sent, not the same", wr.id, len(a.body), len(wr.data)))
			}
		case kindEntry:
			if entries[wr.parent] == nil {
				var s struct {
					Entries []struct {
						ID string `json:"id"`
					} `json:"entries"`
				}
				if _, err := c.send(ctx, request{method: "GET", path: "/api/v1/shifts/" + wr.parent, token: officer.token}, &s); err != nil {
					problems = append(problems, fmt.Sprintf("shift %s: %v", wr.parent, err))
					continue
				}
				entries[wr.parent] = map[string]bool{}
				for _, e := range s.Entries {
					entries[wr.parent][e.ID] = true
				}
			}
			if !entries[wr.parent][wr.id] {
				problems = append(problems, fmt.Sprintf("shift entry %s is not in shift %s", wr.id, wr.parent))
			}
		}
	}
	return problems
}
