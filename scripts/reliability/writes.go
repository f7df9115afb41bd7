package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
	"sync"
	"time"
)

// The kinds of write the drivers make. A newborn photo upload (POST
// /api/v1/service-requests/{id}/photos, after a photo consent) is one more
// kind: a method next to uploadAttachment, a case in its driver's mix, and
// a check in verify (crash.go) and in halfWritten (integrity.go).
const (
	kindRequest    = "request"
	kindCall       = "call"
	kindEntry      = "entry"
	kindAttachment = "attachment"
)

// write is one creating POST the server acknowledged with a 2xx: what the
// checks must find afterwards, exactly once.
type write struct {
	kind   string
	id     string
	marker string // unique text stored with the record, to count its copies
	parent string // the request of an attachment, the shift of an entry
	token  string // whose it is: who reads it back
	data   []byte // the bytes of an attachment
}

// account is a signed-in user of a driver.
type account struct {
	phone string
	token string
	calls int // calls raised, against the server's five an hour
}

// writer makes the writes, each with its Idempotency-Key, and keeps the
// acknowledged ones.
type writer struct {
	c        *client
	keys     *keys
	retryFor time.Duration // how long a write with an unknown outcome is sent again

	mu      sync.Mutex
	acked   []write
	retried int // sends repeated because the outcome was unknown
	gaveUp  int // writes never acknowledged within retryFor

	lostAnswers int // writes stored whose first answer died with the server
}

// errStoredUnanswered is the server's word that a write was stored but its
// answer was lost when the server died: acknowledged, without its id.
var errStoredUnanswered = errors.New("stored; the answer was lost")

// ack sends r until its outcome is known. A transport failure (the server
// was killed mid-request), a server error or a claim still held by a dead
// request leaves it unknown, so the same request with the same key goes
// again: the server must then store it exactly once.
func (w *writer) ack(ctx context.Context, r request, out any) error {
	deadline := time.Now().Add(w.retryFor)
	for {
		a, err := w.c.send(ctx, r, out)
		if statusOf(err) == 409 && a.header.Get("Idempotent-Replayed") == "stored" {
			w.mu.Lock()
			w.lostAnswers++
			w.mu.Unlock()
			return errStoredUnanswered
		}
		status := statusOf(err)
		unknown := err != nil && (status == 0 || status >= 500 ||
			(status == 409 && strings.Contains(err.Error(), "Idempotency-Key")))
		if !unknown || ctx.Err() != nil {
			return err
		}
		if time.Now().After(deadline) {
			w.mu.Lock()
			w.gaveUp++
			w.mu.Unlock()
			return fmt.Errorf("no answer within %v: %w", w.retryFor, err)
		}
		w.mu.Lock()
		w.retried++
		w.mu.Unlock()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func (w *writer) keep(wr write) {
	w.mu.Lock()
	w.acked = append(w.acked, wr)
	w.mu.Unlock()
}

// writes returns the acknowledged writes so far.
func (w *writer) writes() []write {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]write(nil), w.acked...)
}

type idJSON struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

// fileRequest files a service request for the resident at their home booth.
func (w *writer) fileRequest(ctx context.Context, resident *account) (write, error) {
	marker := w.keys.next(kindRequest)
	var out idJSON
	err := w.ack(ctx, request{method: "POST", path: "/api/v1/service-requests", token: resident.token, key: marker, json: map[string]any{
		"services": []string{"other"},
		"fields":   map[string]any{"other": map[string]string{"subject": marker}},
		"note":     marker,
	}}, &out)
	if errors.Is(err, errStoredUnanswered) {
		w.keep(write{kind: kindRequest, marker: marker, token: resident.token})
		return write{}, nil
	}
	if err != nil {
		return write{}, err
	}
	wr := write{kind: kindRequest, id: out.ID, marker: marker, token: resident.token}
	w.keep(wr)
	return wr, nil
}

// uploadAttachment uploads a small PNG, named after its marker, to the
// resident's request.
func (w *writer) uploadAttachment(ctx context.Context, resident *account, requestID string) (write, error) {
	marker := w.keys.next(kindAttachment)
	data := pngOf(marker)
	var out idJSON
	err := w.ack(ctx, request{method: "POST", path: "/api/v1/service-requests/" + requestID + "/attachments", token: resident.token, key: marker,
		file: data, fileField: "file", fileName: marker + ".png"}, &out)
	if errors.Is(err, errStoredUnanswered) {
		w.keep(write{kind: kindAttachment, marker: marker, parent: requestID, token: resident.token, data: data})
		return write{}, nil
	}
	if err != nil {
		return write{}, err
	}
	wr := write{kind: kindAttachment, id: out.ID, marker: marker, parent: requestID, token: resident.token, data: data}
	w.keep(wr)
	return wr, nil
}

// raiseCall raises an assistance call as the resident and cancels it, so
// the resident may raise the next (one open call each).
func (w *writer) raiseCall(ctx context.Context, resident *account) (write, error) {
	marker := w.keys.next(kindCall)
	var out idJSON
	err := w.ack(ctx, request{method: "POST", path: "/api/v1/assistance-calls", token: resident.token, key: marker,
		json: map[string]any{"category": "other", "message": marker}}, &out)
	resident.calls++
	if errors.Is(err, errStoredUnanswered) {
		w.keep(write{kind: kindCall, marker: marker, token: resident.token})
		return write{}, w.cancelOpenCalls(ctx, resident)
	}
	if err != nil {
		return write{}, err
	}
	wr := write{kind: kindCall, id: out.ID, marker: marker, token: resident.token}
	w.keep(wr)
	err = w.ack(ctx, request{method: "POST", path: "/api/v1/assistance-calls/" + out.ID + "/transitions", token: resident.token,
		json: map[string]string{"to": "cancelled"}}, nil)
	if statusOf(err) == 409 {
		err = nil // cancelled by the send whose answer was lost
	}
	return wr, err
}

// cancelOpenCalls cancels the resident's open calls: one whose answer was
// lost would keep the resident from raising the next.
func (w *writer) cancelOpenCalls(ctx context.Context, resident *account) error {
	var list struct {
		Items []idJSON `json:"items"`
	}
	if _, err := w.c.send(ctx, request{method: "GET", path: "/api/v1/assistance-calls", token: resident.token}, &list); err != nil {
		return err
	}
	for _, c := range list.Items {
		if c.Status != "open" {
			continue
		}
		err := w.ack(ctx, request{method: "POST", path: "/api/v1/assistance-calls/" + c.ID + "/transitions", token: resident.token,
			json: map[string]string{"to": "cancelled"}}, nil)
		if err != nil && statusOf(err) != 409 {
			return err
		}
	}
	return nil
}

// addEntry writes a note in the officer's shift log.
func (w *writer) addEntry(ctx context.Context, officer *account, shiftID string) (write, error) {
	marker := w.keys.next(kindEntry)
	var out idJSON
	err := w.ack(ctx, request{method: "POST", path: "/api/v1/shifts/" + shiftID + "/entries", token: officer.token, key: marker,
		json: map[string]string{"kind": "note", "text": marker}}, &out)
	if errors.Is(err, errStoredUnanswered) {
		w.keep(write{kind: kindEntry, marker: marker, parent: shiftID, token: officer.token})
		return write{}, nil
	}
	if err != nil {
		return write{}, err
	}
	wr := write{kind: kindEntry, id: out.ID, marker: marker, parent: shiftID, token: officer.token}
	w.keep(wr)
	return wr, nil
}

// clockIn puts the officer on duty at the first booth and returns the
// shift's id; an officer already on duty (a rerun) gets the open shift.
func (w *writer) clockIn(ctx context.Context, officer *account) (string, error) {
	var booths struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	if _, err := w.c.send(ctx, request{method: "GET", path: "/api/v1/booths"}, &booths); err != nil {
		return "", err
	}
	if len(booths.Items) == 0 {
		return "", errors.New("no booths")
	}
	var out idJSON
	err := w.ack(ctx, request{method: "POST", path: "/api/v1/shifts/clock-in", token: officer.token,
		json: map[string]string{"booth_id": booths.Items[0].ID}}, &out)
	if err != nil {
		return "", fmt.Errorf("clock in: %w", err)
	}
	return out.ID, nil
}

// pngOf is a small valid PNG whose pixels spell the marker, so every
// upload's bytes differ.
func pngOf(marker string) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, len(marker), 2))
	for i := range len(marker) {
		img.Set(i, 0, color.NRGBA{R: marker[i], G: byte(i), B: 7, A: 255})
		img.Set(i, 1, color.NRGBA{R: 255 - marker[i], G: 3, B: byte(i), A: 255})
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return buf.Bytes()
}
