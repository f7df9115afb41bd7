package web

import (
	"bytes"
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
)

// idempotencyWait bounds how long a duplicate waits for the first request
// with its key to finish.
const idempotencyWait = 15 * time.Second

// idempotent makes a creating POST safe to retry: the same Idempotency-Key
// from the same user returns the first answer (status and body) instead of
// creating again; a duplicate sent while the first still runs waits for it.
// Server errors are not kept, so a retry after one runs again.
func (s *Server) idempotent(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		key := c.Request().Header.Get("Idempotency-Key")
		if key == "" && c.Request().Header.Get(echo.HeaderContentType) == echo.MIMEApplicationForm {
			key = c.FormValue("idempotency_key") // a page's form carries its key
		}
		p := caller(c)
		if key == "" || p == nil {
			return next(c)
		}
		if len(key) > 200 {
			return app.Errorf(app.EINVALID, "Idempotency-Key is longer than 200 characters")
		}
		ctx := c.Request().Context()
		method, path := c.Request().Method, c.Request().URL.Path
		deadline := time.Now().Add(idempotencyWait)
		for {
			prev, err := s.store.BeginIdempotent(ctx, p.UserID, key, method, path)
			if err != nil {
				return err
			}
			if prev == nil {
				break // ours to run
			}
			if prev.Status == app.IdempotencyWritten && s.now().Sub(prev.CreatedAt) <= app.IdempotencyLease {
				// Stored and its answer about to be kept (the first request
				// has answered but not yet recorded it): wait for it.
				if time.Now().After(deadline) {
					return app.Errorf(app.ECONFLICT, "a request with this Idempotency-Key is still running; retry later")
				}
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(50 * time.Millisecond):
				}
				continue
			}
			if prev.Status == app.IdempotencyWritten {
				// Stored, but the server stopped before keeping the answer.
				c.Response().Header().Set("Idempotent-Replayed", "stored")
				return app.Errorf(app.ECONFLICT, "this was already stored; its first answer was lost when the server stopped")
			}
			if prev.Status != 0 {
				c.Response().Header().Set("Idempotent-Replayed", "true")
				if prev.Location != "" {
					c.Response().Header().Set(echo.HeaderLocation, prev.Location)
				}
				return c.Blob(prev.Status, prev.ContentType, prev.Body)
			}
			if time.Now().After(deadline) {
				return app.Errorf(app.ECONFLICT, "a request with this Idempotency-Key is still running; retry later")
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}

		rec := &recorder{ResponseWriter: c.Response().Writer}
		c.Response().Writer = rec
		stopRenewing := s.renewIdempotent(ctx, p.UserID, key)
		c.SetRequest(c.Request().WithContext(app.WithIdempotencyClaim(ctx, p.UserID, key)))
		err := next(c)
		stopRenewing()
		if err != nil {
			c.Error(err) // render now, so the answer can be kept
		}
		status := c.Response().Status
		// Keep the answer even if the client has gone: that is the point.
		keep := context.WithoutCancel(ctx)
		if status >= 500 || status == 0 {
			if err := s.store.AbandonIdempotent(keep, p.UserID, key); err != nil {
				// Most likely the database is away (what failed the request):
				// keep trying, so the client's retry need not wait out the lease.
				go s.abandonLater(keep, p.UserID, key)
			}
			return nil
		}
		h := c.Response().Header()
		return s.store.FinishIdempotent(keep, p.UserID, key, app.IdempotentResponse{Status: status,
			ContentType: h.Get(echo.HeaderContentType), Location: h.Get(echo.HeaderLocation), Body: rec.body.Bytes()})
	}
}

// abandonLater retries forgetting a failed request's claim every half
// second until it works or the claim's lease has run out anyway.
func (s *Server) abandonLater(ctx context.Context, userID int64, key string) {
	deadline := time.Now().Add(app.IdempotencyLease)
	for time.Now().Before(deadline) {
		time.Sleep(500 * time.Millisecond)
		if err := s.store.AbandonIdempotent(ctx, userID, key); err == nil {
			return
		}
	}
}

// renewIdempotent keeps a running request's claim alive (a slow upload
// can outlast app.IdempotencyLease) until the returned func is called.
func (s *Server) renewIdempotent(ctx context.Context, userID int64, key string) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(app.IdempotencyLease / 4)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case now := <-tick.C:
				if err := s.store.TouchIdempotent(ctx, userID, key, now); err != nil && ctx.Err() == nil {
					s.log.Warn("renewing an idempotency key failed", "err", err)
				}
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
	}
}

// recorder copies what a handler writes.
type recorder struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (r *recorder) Write(b []byte) (int, error) {
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
