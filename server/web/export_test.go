package web

import (
	"net/http"

	"policebooth/server/push"
)

// UsePushClient makes the server send Web Push through client, so tests can
// point it at a fake push service they trust.
func (s *Server) UsePushClient(client *http.Client) {
	s.push = push.NewSender(s.store, s.vapid, push.Options{Contact: s.cfg.BaseURL.String(), Client: client, Log: s.log})
}
