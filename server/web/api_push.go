package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
)

// handlePushKey: GET /push/key, the server's VAPID public key, the
// applicationServerKey a browser subscribes with.
func (s *Server) handlePushKey(c echo.Context) error {
	if s.vapid == nil {
		return app.Errorf(app.EUNAVAILABLE, "Web Push is not available")
	}
	return c.JSON(http.StatusOK, map[string]string{"public_key": s.vapid.PublicKey()})
}

// handlePushSubscribe: POST /push-subscriptions stores this browser's
// subscription (the JSON of PushSubscription.toJSON()).
func (s *Server) handlePushSubscribe(c echo.Context) error {
	var b app.BrowserSubscription
	if err := bindLoose(c, &b); err != nil {
		return err
	}
	if err := s.store.SavePushSubscription(c.Request().Context(), b.Subscription(caller(c).UserID)); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]string{"status": "subscribed"})
}

type unsubscribeJSON struct {
	Endpoint string `json:"endpoint"`
}

// handlePushUnsubscribe: DELETE /push-subscriptions removes one.
func (s *Server) handlePushUnsubscribe(c echo.Context) error {
	var r unsubscribeJSON
	if err := bind(c, &r); err != nil {
		return err
	}
	if err := s.store.DeletePushSubscription(c.Request().Context(), caller(c).UserID, r.Endpoint); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
