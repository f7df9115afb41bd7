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
// records, staff their station's, an available guard or volunteer their
// booth's call events, anyone else nothing.
func eventFilter(p *principal) app.EventFilter {
	switch {
	case p.Role == app.RoleResident:
		return app.EventFilter{OwnerID: p.UserID}
	case p.Role.Staff() && p.StationID != nil:
		return app.EventFilter{StationID: *p.StationID}
	case p.Role.Responder() && p.User != nil && p.User.Available && p.User.BoothID != nil:
		return app.EventFilter{ResponderBoothID: *p.User.BoothID}
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
	s.pageOpened(ctx, p)
	defer func() {
		remove()
		s.pageClosed(ctx, p)
	}()
	filter := eventFilter(p)
	filter.NoticeStationID = s.homeStation(ctx, p.User)
	sub, safe, ahead, err := s.hub.Subscribe(ctx, filter)
	if err != nil {
		return err
	}
	defer s.hub.Unsubscribe(sub)

	// from is the position the client has everything up to: what it
	// resumes from (an event's id, or the page's data-live-from), else the
	// hub's cursor. Every position handed out is one below which the log
	// is final, so events up to it are never sent again.
	from := safe
	resume := c.Request().Header.Get("Last-Event-ID")
	if resume == "" {
		resume = c.QueryParam("last_event_id")
	}
	var minID int64
	if resume != "" {
		cur, plain, err := app.ParseEventCursor(resume)
		if err != nil {
			return err
		}
		if plain && s.store.Postgres() {
			// An event id, as streams sent before positions were cursors.
			switch found, err := s.store.EventCursorOf(ctx, cur.ID); {
			case err == nil:
				cur = found
			case app.ErrorCode(err) == app.ENOTFOUND:
				cur, minID = app.EventCursor{}, cur.ID // replay everything after that id
			default:
				return err
			}
		}
		from = cur
		// The log no longer holds what came after that position: the
		// client must load its page afresh rather than miss events.
		pruned, err := s.store.EventsPrunedThrough(ctx)
		if err != nil {
			return err
		}
		if minID != 0 && minID < pruned.ID || minID == 0 && from.Less(pruned) {
			return s.tellReload(c)
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

	// write sends ev unless the client has it; the id it carries is where
	// the client resumes from.
	write := func(ev *app.LoggedEvent) {
		if !from.Less(ev.Cursor) {
			return
		}
		if from.Less(ev.Resume) {
			from = ev.Resume
		}
		writeEvent(w, ev, from)
	}
	// The log up to the hub's cursor, then what the hub delivered ahead of
	// a held transaction; the subscription carries everything after.
	for after := from; after.Less(safe); {
		evs, _, err := s.store.EventsAfter(ctx, after, filter, minID, 500)
		if err != nil {
			return nil // the client reconnects and resumes
		}
		for i := range evs {
			if safe.Less(evs[i].Cursor) {
				break
			}
			write(&evs[i])
			after = evs[i].Cursor
		}
		if len(evs) < 500 || safe.Less(evs[len(evs)-1].Cursor) {
			break
		}
	}
	for _, ev := range ahead {
		write(ev)
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
			write(ev)
			// Send what else is waiting in one write.
			for more := true; more; {
				select {
				case ev, ok := <-sub.C:
					if !ok {
						_ = flush()
						return nil
					}
					write(ev)
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

// tellReload answers a stream resuming from before the replay window with
// one "reload" event; the page loads afresh (live.js), and an API client
// reads its records again and streams from now.
func (s *Server) tellReload(c echo.Context) error {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/event-stream; charset=utf-8")
	h.Set(echo.HeaderCacheControl, "no-cache")
	c.Response().WriteHeader(http.StatusOK)
	fmt.Fprint(c.Response(), "event: reload\ndata: {}\n\n")
	return nil
}

// writeEvent writes one event in the Server-Sent Events format; its id is
// the position the stream resumes from.
func writeEvent(w io.Writer, ev *app.LoggedEvent, resume app.EventCursor) {
	fmt.Fprintf(w, "id: %s\nevent: %s\ndata: %s\n\n", resume, ev.Name, strings.ReplaceAll(ev.Payload, "\n", ""))
}
