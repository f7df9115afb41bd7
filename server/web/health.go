package web

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

type healthStatus struct {
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

// handleHealthz answers while the process is up.
func (s *Server) handleHealthz(c echo.Context) error {
	return c.JSON(http.StatusOK, healthStatus{Status: "ok"})
}

// handleReadyz answers 200 when the database is reachable and migrated, and
// 503 otherwise, so a load balancer stops sending traffic meanwhile.
func (s *Server) handleReadyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ready(ctx); err != nil {
		s.log.Warn("not ready", "err", err)
		return c.JSON(http.StatusServiceUnavailable, healthStatus{Status: "unavailable", Reason: "database unreachable or not migrated"})
	}
	return c.JSON(http.StatusOK, healthStatus{Status: "ok"})
}
