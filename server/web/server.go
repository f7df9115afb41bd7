// Package web is Police Booth's HTTP layer: the Echo server, its middleware,
// the JSON API and the pages.
package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"gocloud.dev/blob"

	"policebooth/pwa"
	"policebooth/server/app"
	"policebooth/server/auth"
	"policebooth/server/config"
	"policebooth/server/events"
	"policebooth/server/i18n"
	"policebooth/server/media"
	"policebooth/server/photo"
	"policebooth/server/push"
)

// Server is the booth's HTTP server.
type Server struct {
	cfg     config.Config
	store   app.Services
	log     *slog.Logger
	echo    *echo.Echo
	metrics *metrics
	ops     *opsMetrics
	i18n    *i18n.Bundle
	assets  *pwa.Assets

	hub       *events.Hub
	streams   *openStreams
	cache     caches
	bucket    *blob.Bucket // photos and documents
	vapid     *push.VAPID  // nil when Web Push could not start: it is best effort
	tokens    *auth.Tokens
	sessions  *ttlCache[int64, *app.User] // session → its user while active; nil once ended
	lastTouch time.Time                   // when CheckStreams last recorded the live streams
	photos    *photo.Processor            // at most one photo per core at a time
	hashing   *auth.HashPool              // bounds the memory of password hashing in flight

	background sync.WaitGroup // the work Start runs; Serve waits for it

	serviceWorker []byte // built once: its version hashes what it precaches

	pageBuffers sync.Pool // of *bytes.Buffer: a page is written into one before it is sent

	beforeRender func()           // tests: runs between a handler's reads and its page
	now          func() time.Time // the clock of the pages and API that read it through s.now
}

// New builds the server with every route and middleware in place; st
// holds the app's services (store.Store.Services in main).
func New(cfg config.Config, st app.Services, log *slog.Logger) (*Server, error) {
	s := &Server{cfg: cfg, store: st, log: log, echo: echo.New(), now: st.Now}
	s.pageBuffers.New = func() any { return new(bytes.Buffer) }
	s.echo.HideBanner = true
	s.echo.HidePort = true
	s.echo.IPExtractor = ipExtractor(cfg.TrustedProxies)
	s.echo.HTTPErrorHandler = s.handleError
	var err error
	if s.metrics, err = newMetrics(st); err != nil {
		return nil, err
	}
	key, err := signingKey(context.Background(), cfg.Secret, st)
	if err != nil {
		return nil, err
	}
	if s.tokens, err = auth.NewTokens(key); err != nil {
		return nil, err
	}
	s.sessions = newTTLCache[int64, *app.User](sessionCacheTTL)
	s.cache = newCaches()
	s.hub = events.NewHub(st, log, st.Now)
	if s.ops, err = registerOps(s.metrics.registry, st, s.hub, app.TextLimits{PerPhoneDaily: cfg.TextsPerPhoneDaily, HourlyBudget: cfg.TextsHourlyBudget}); err != nil {
		return nil, err
	}
	s.streams = newOpenStreams(cfg.StreamsPerUser, cfg.StreamsPerAddress)
	st.OnCommit(s.hub.Wake)
	if s.vapid, err = push.LoadVAPID(context.Background(), st); err != nil {
		log.Warn("Web Push disabled", "err", err)
	}
	if s.bucket, err = media.OpenBucket(context.Background(), cfg.BlobURL); err != nil {
		return nil, err
	}
	s.photos = photo.NewProcessor(0)
	s.hashing = auth.NewHashPool(cfg.HashingMemoryMiB, hashingWait)
	if s.i18n, err = i18n.New(); err != nil {
		return nil, err
	}
	if s.assets, err = pwa.Load(); err != nil {
		return nil, err
	}
	offline, err := s.renderOfflinePage()
	if err != nil {
		return nil, err
	}
	s.cache = newCaches() // what the offline page read is not kept: demo data may load next
	if s.serviceWorker, err = s.assets.ServiceWorker(offline); err != nil {
		return nil, err
	}
	if err := s.middleware(); err != nil {
		return nil, err
	}
	s.routes()
	return s, nil
}

// Metrics is the registry /metrics serves, for the jobs' metrics.
func (s *Server) Metrics() prometheus.Registerer { return s.metrics.registry }

// Texts is the server's message bundle, for the texts the jobs send.
func (s *Server) Texts() *i18n.Bundle { return s.i18n }

// Handler returns the server as an http.Handler, for tests and embedding.
func (s *Server) Handler() http.Handler { return s.echo }

// Run listens on the configured address until ctx ends, then shuts down
// gracefully: in-flight requests get time to finish.
func (s *Server) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("web: listen on %s (POLICEBOOTH_ADDR): %w", s.cfg.Addr, err)
	}
	return s.Serve(ctx, ln)
}

// Start runs the event hub and, on PostgreSQL, its listener until ctx
// ends. Serve calls it; tests that use Handler call it themselves. The
// periodic jobs run in server/jobs, started beside the server by main.
func (s *Server) Start(ctx context.Context) {
	s.background.Go(func() { s.hub.Run(ctx) })
	if s.cfg.Postgres() {
		s.background.Go(func() {
			if err := events.Listen(ctx, s.cfg.DatabaseURL, app.EventChannel, s.hub, s.log); err != nil {
				s.log.Error("event listener stopped", "err", err)
			}
		})
	}
}

// Serve serves on ln until ctx ends.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	s.Start(ctx) // when ctx ends the hub closes every stream, so Shutdown is not held up
	srv := &http.Server{
		Handler:           s.echo,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute, // photo uploads over a slow phone network
		WriteTimeout:      2 * time.Minute, // event streams lift it for themselves
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	s.log.Info("listening", "addr", ln.Addr().String(), "base_url", s.cfg.BaseURL.String(), "postgres", s.store.Postgres())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("web: serve: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("shutting down: finishing in-flight requests")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("web: shutdown: %w", err)
	}
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("web: serve: %w", err)
	}
	s.background.Wait() // the hub and the listener
	s.log.Info("stopped")
	return nil
}

// Routes lists every registered route as "METHOD /path", for the tests that
// keep the OpenAPI document and the authorisation matrix complete.
func (s *Server) Routes() []string {
	var out []string
	for _, r := range s.echo.Routes() {
		if r.Method == "echo_route_not_found" || strings.HasSuffix(r.Path, "*") {
			continue
		}
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}
