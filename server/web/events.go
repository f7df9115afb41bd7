package web

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
)

// Event stream timings.
const (
	streamRetry     = 3 * time.Second  // how soon browsers reconnect
	streamHeartbeat = 20 * time.Second // keeps proxies from closing idle streams
	streamRecheck   = 5 * time.Second  // how soon a stream of a session revoked elsewhere ends
)

// eventFilter is what the caller may see of the log: a resident their own
// records, staff their station's, anyone else nothing.
func eventFilter(p *principal) app.EventFilter {
	switch {
	case p.Role == app.RoleResident:
		return app.EventFilter{OwnerID: p.UserID}
	case p.Role.Staff() && p.StationID != nil:
		return app.EventFilter{StationID: *p.StationID}
	}
	return app.EventFilter{}
}

// handleEvents: GET /events, the caller's live events as Server-Sent
// Events. Last-Event-ID (or ?last_event_id= for a page's first connection)
// replays what was missed, then the stream goes on live.
func (s *Server) handleEvents(c echo.Context) error {
	p := caller(c)
	ctx := c.Request().Context()
	ended, remove, err := s.streams.add(p.SessionID, p.UserID, addressKey(c))
	if err != nil {
		return err
	}
	defer remove()
	filter := eventFilter(p)
	filter.NoticeStationID = s.homeStation(ctx, p.User)
	sub, sent, err := s.hub.Subscribe(ctx, filter)
	if err != nil {
		return err
	}
	defer s.hub.Unsubscribe(sub)

	resume := c.Request().Header.Get("Last-Event-ID")
	if resume == "" {
		resume = c.QueryParam("last_event_id")
	}
	var minID int64
	if resume != "" {
		id, err := parseID(resume)
		if err != nil && resume != "0" {
			return app.Errorf(app.EINVALID, "Last-Event-ID must be an event id")
		}
		cur, err := s.store.EventCursorOf(ctx, id)
		switch {
		case err == nil:
			sent = cur
		case app.ErrorCode(err) == app.ENOTFOUND:
			sent, minID = app.EventCursor{}, id // replay everything after that id
		default:
			return err
		}
	}

	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/event-stream; charset=utf-8")
	h.Set(echo.HeaderCacheControl, "no-cache")
	h.Set("X-Accel-Buffering", "no") // nginx: pass events through at once
	c.Response().WriteHeader(http.StatusOK)
	rc := http.NewResponseController(c.Response().Writer)
	_ = rc.SetWriteDeadline(time.Time{}) // a stream outlives the server's write timeout
	w := c.Response()                    // net/http buffers; flush sends
	flush := rc.Flush
	fmt.Fprintf(w, "retry: %d\n\n", streamRetry.Milliseconds())

	if resume != "" {
		for {
			evs, _, err := s.store.EventsAfter(ctx, sent, filter, minID, 500)
			if err != nil {
				return nil // the client reconnects and resumes
			}
			for i := range evs {
				writeEvent(w, &evs[i])
				sent = evs[i].Cursor
			}
			if len(evs) < 500 {
				break
			}
		}
	}
	if err := flush(); err != nil {
		return nil
	}

	heartbeat := time.NewTicker(streamHeartbeat)
	defer heartbeat.Stop()
	for {
		select {
		case ev, ok := <-sub.C:
			if !ok {
				if s.hub.Stopped() {
					// Say so before the stream ends: the client reconnects
					// (to another instance) and resumes from its last id.
					fmt.Fprintf(w, "retry: %d\n: the server is stopping; reconnect\n\n", streamRetry.Milliseconds())
					_ = flush()
				}
				return nil // too slow, or the server is stopping: reconnect
			}
			if !sent.Less(ev.Cursor) {
				continue // already sent while replaying
			}
			writeEvent(w, ev)
			sent = ev.Cursor
			// Send what else is waiting in one write.
			for more := true; more; {
				select {
				case ev, ok := <-sub.C:
					if !ok {
						_ = flush()
						return nil
					}
					if sent.Less(ev.Cursor) {
						writeEvent(w, ev)
						sent = ev.Cursor
					}
				default:
					more = false
				}
			}
		case <-heartbeat.C:
			fmt.Fprint(w, ": ping\n\n")
		case <-ended:
			s.sessions.forget(p.SessionID)
			return nil // the session was revoked or its user disabled
		case <-ctx.Done():
			return nil
		}
		if err := flush(); err != nil {
			return nil
		}
	}
}

// writeEvent writes one event in the Server-Sent Events format.
func writeEvent(w io.Writer, ev *app.LoggedEvent) {
	fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", ev.ID, ev.Name, strings.ReplaceAll(ev.Payload, "\n", ""))
}
