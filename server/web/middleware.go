package web

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// contentSecurityPolicy allows nothing inline and nothing from elsewhere.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"connect-src 'self'; font-src 'self'; media-src 'self'; object-src 'none'; base-uri 'none'; " +
	"frame-ancestors 'none'; form-action 'self'; manifest-src 'self'; worker-src 'self'"

func (s *Server) middleware() error {
	cop := http.NewCrossOriginProtection()
	base := s.cfg.BaseURL
	if err := cop.AddTrustedOrigin(base.Scheme + "://" + base.Host); err != nil {
		return err
	}
	s.echo.Use(
		requestID,
		s.accessLog(),
		middleware.RecoverWithConfig(middleware.RecoverConfig{
			LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
				s.log.Error("panic", "err", err, "request_id", requestIDOf(c), "stack", string(stack))
				return err
			},
		}),
		s.metrics.middleware,
		securityHeaders(base.Scheme == "https"),
		crossOriginProtection(cop),
		// Every body but uploads (which set their own limit) fits in 1 MiB.
		middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: "1M", Skipper: isUpload}),
		middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: "13M", Skipper: func(c echo.Context) bool { return !isUpload(c) }}),
		middleware.GzipWithConfig(middleware.GzipConfig{
			Level: 5,
			// An event stream must flush each event as it comes.
			Skipper: func(c echo.Context) bool {
				return strings.Contains(c.Request().Header.Get(echo.HeaderAccept), "text/event-stream")
			},
		}),
		refuseHostileInput,
	)
	return nil
}

// isUpload reports whether a request carries a file: documents, photos
// and fraud reports' screenshots.
func isUpload(c echo.Context) bool {
	p := c.Request().URL.Path
	return c.Request().Method == http.MethodPost &&
		(strings.HasSuffix(p, "/attachments") || strings.HasSuffix(p, "/photos") || strings.HasSuffix(p, "/screenshots"))
}

// requestID gives every request a fresh id, echoed in the response and the
// logs. An incoming id is not trusted: it would let a client forge log lines.
func requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		id := hex.EncodeToString(b)
		c.Set(echo.HeaderXRequestID, id)
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		return next(c)
	}
}

func requestIDOf(c echo.Context) string {
	id, _ := c.Get(echo.HeaderXRequestID).(string)
	return id
}

func (s *Server) accessLog() echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogLatency: true, LogMethod: true, LogURIPath: true, LogRoutePath: true,
		LogRemoteIP: true, LogResponseSize: true, LogError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			if v.Status >= 500 {
				level = slog.LevelError
			}
			s.log.LogAttrs(c.Request().Context(), level, "request",
				slog.String("method", v.Method),
				slog.String("path", v.URIPath),
				slog.String("route", v.RoutePath),
				slog.Int("status", v.Status),
				slog.Duration("took", v.Latency),
				slog.Int64("bytes", v.ResponseSize),
				slog.String("ip", v.RemoteIP),
				slog.String("request_id", requestIDOf(c)),
			)
			return nil
		},
	})
}

func securityHeaders(https bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			h.Set("Content-Security-Policy", contentSecurityPolicy)
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "same-origin")
			h.Set("Permissions-Policy", "geolocation=(self), camera=(self), microphone=(), payment=(), usb=()")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			if https {
				h.Set("Strict-Transport-Security", "max-age=31536000")
			}
			return next(c)
		}
	}
}

// crossOriginProtection refuses cross-site writes from browsers (sign-in
// included) with 403; API clients that send no browser headers pass.
func crossOriginProtection(cop *http.CrossOriginProtection) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if err := cop.Check(c.Request()); err != nil {
				return echo.NewHTTPError(http.StatusForbidden, "cross-site request refused").SetInternal(err)
			}
			return next(c)
		}
	}
}

// ipExtractor believes X-Forwarded-For only from the trusted proxies; with
// none configured the direct peer is the client.
func ipExtractor(trusted []netip.Prefix) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range trusted {
		opts = append(opts, echo.TrustIPRange(&net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// isLoopback reports whether the client (as the IP extractor sees it) is on
// this machine.
func isLoopback(c echo.Context) bool {
	a, err := netip.ParseAddr(c.RealIP())
	return err == nil && a.Unmap().IsLoopback()
}

// apiNoStore marks every API answer no-store unless its handler chose
// otherwise (a public CAP feed, an event stream): JSON carries personal
// data that no shared or browser cache should keep.
func apiNoStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
		return next(c)
	}
}
