package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// Demo accounts (design.md, "Running it").
const (
	demoPassword = "booth-demo-2026"
	demoOfficer  = "13800000001"
	demoHead     = "13800000000"
	demoResident = "13900000001"
)

// requestTimeout bounds every request the drivers send.
const requestTimeout = 15 * time.Second

// client talks to one base URL (a server, or the proxy in front of several).
type client struct {
	base string
	http *http.Client
}

func newClient(base string) *client {
	return &client{base: strings.TrimRight(base, "/"), http: &http.Client{
		Timeout:   requestTimeout,
		Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 256},
	}}
}

// fromSource is a client whose connections leave from a loopback source
// address of their own: the server counts sign-ins per address.
func fromSource(base string, i int) *client {
	ip := net.IPv4(127, 2, byte(i/250), byte(1+i%250)) // #nosec G115 -- a few dozen clients: both parts fit a byte
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}, Timeout: requestTimeout}
	return &client{base: strings.TrimRight(base, "/"), http: &http.Client{
		Timeout:   requestTimeout,
		Transport: &http.Transport{DialContext: dialer.DialContext, DisableKeepAlives: true},
	}}
}

// answer is what the server said: its status, body and headers.
type answer struct {
	status int
	body   []byte
	header http.Header
}

// statusError is an answer outside 2xx.
type statusError struct {
	method, path string
	status       int
	body         string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("%s %s answered %d: %.200s", e.method, e.path, e.status, e.body)
}

// statusOf returns the status of an answer outside 2xx, or 0 when err is a
// transport failure (the outcome is unknown) or nil.
func statusOf(err error) int {
	var se *statusError
	if errors.As(err, &se) {
		return se.status
	}
	return 0
}

// request is one call to the API.
type request struct {
	method, path, token, key string
	json                     any    // a JSON body, or
	file                     []byte // a multipart body with this file in field fileField
	fileField, fileName      string
	header                   map[string]string
}

// send sends r and decodes a 2xx JSON answer into out (when not nil).
func (c *client) send(ctx context.Context, r request, out any) (answer, error) {
	var body io.Reader
	ctype := ""
	switch {
	case r.file != nil:
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, err := mw.CreateFormFile(r.fileField, r.fileName)
		if err != nil {
			return answer{}, err
		}
		_, _ = fw.Write(r.file)
		_ = mw.Close()
		body, ctype = &buf, mw.FormDataContentType()
	case r.json != nil:
		b, err := json.Marshal(r.json)
		if err != nil {
			return answer{}, err
		}
		body, ctype = bytes.NewReader(b), "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, r.method, c.base+r.path, body)
	if err != nil {
		return answer{}, err
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	if r.key != "" {
		req.Header.Set("Idempotency-Key", r.key)
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return answer{}, err
	}
	a := answer{status: resp.StatusCode, body: b, header: resp.Header}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return a, &statusError{method: r.method, path: r.path, status: resp.StatusCode, body: string(b)}
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return a, fmt.Errorf("%s %s: decode: %w", r.method, r.path, err)
		}
	}
	return a, nil
}

// login signs in and returns the access token.
func (c *client) login(ctx context.Context, phone string) (string, error) {
	var out struct {
		AccessToken string `json:"access_token"`
	}
	_, err := c.send(ctx, request{method: "POST", path: "/api/v1/auth/login", json: map[string]string{"phone": phone, "password": demoPassword}}, &out)
	if err != nil {
		return "", fmt.Errorf("sign in as %s: %w", phone, err)
	}
	return out.AccessToken, nil
}

// keys makes unique idempotency keys and markers for one run.
type keys struct {
	run string
	n   atomic.Int64
}

func (k *keys) next(kind string) string {
	return fmt.Sprintf("%s-%s-%d", k.run, kind, k.n.Add(1))
}
