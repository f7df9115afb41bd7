package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
	"policebooth/server/i18n"
	"policebooth/templates/pages"
	"policebooth/templates/view"
)

// displayBooth reads :booth_id and ?key= of a display request: a live key
// of that booth, else not found (a revoked key closes the screen).
func (s *Server) displayBooth(c echo.Context) (*app.Booth, string, error) {
	id, err := parseID(c.Param("booth_id"))
	if err != nil {
		return nil, "", app.ErrNotFound
	}
	key := c.QueryParam("key")
	if err := s.store.CheckDisplayKey(c.Request().Context(), id, key); err != nil {
		return nil, "", err
	}
	b, err := s.booth(c.Request().Context(), id)
	if err != nil {
		return nil, "", err
	}
	return b, key, nil
}

// handleDisplayPage: GET /display/:booth_id?key=, the calling screen,
// served showing the line as it is.
func (s *Server) handleDisplayPage(c echo.Context) error {
	b, key, err := s.displayBooth(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	q, err := s.store.Queue(ctx, b.ID)
	if err != nil {
		return err
	}
	base := "/display/" + itoa64(b.ID)
	v := view.Display{Lang: i18n.Lang(ctx), Title: t(c, "display.booth", "Booth", b.Name),
		CSS: s.assets.URL("css/app.css"), JS: s.assets.URL("js/display.js"), Icon: s.assets.URL("icons/icon-192.png"),
		StateURL: base + "/state?key=" + url.QueryEscape(key), EventsURL: base + "/events?key=" + url.QueryEscape(key)}
	if len(q.Serving) > 0 {
		v.Serving = &view.DisplayTicket{Ticket: q.Serving[0].Ticket, Window: q.Serving[0].Window}
	}
	for i, w := range q.Waiting {
		if i == app.DisplayNext {
			break
		}
		v.Next = append(v.Next, w.Ticket)
	}
	var buf bytes.Buffer
	if err := pages.Display(v).Render(ctx, &buf); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.HTMLBlob(http.StatusOK, buf.Bytes())
}

// handleDisplayState: GET /display/:booth_id/state?key=, the line as JSON:
// tickets and windows only.
func (s *Server) handleDisplayState(c echo.Context) error {
	b, _, err := s.displayBooth(c)
	if err != nil {
		return err
	}
	q, err := s.store.Queue(c.Request().Context(), b.ID)
	if err != nil {
		return err
	}
	if len(q.Waiting) > app.DisplayNext {
		q.Waiting = q.Waiting[:app.DisplayNext]
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.JSON(http.StatusOK, q)
}

// displayEvent is what the screen is told of a change at its booth.
type displayEvent struct {
	Ticket string `json:"ticket,omitempty"`
	Window int    `json:"window,omitempty"`
	Call   bool   `json:"call"` // a number called or recalled: say it
}

// handleDisplayEvents: GET /display/:booth_id/events?key=, one "queue"
// event per change of the booth's requests. The screen reads the line
// again on each and after every reconnection, so nothing is replayed; the
// stream ends once the key is revoked.
func (s *Server) handleDisplayEvents(c echo.Context) error {
	b, key, err := s.displayBooth(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	sub, _, _, err := s.hub.Subscribe(ctx, app.EventFilter{StationID: b.StationID})
	if err != nil {
		return err
	}
	defer s.hub.Unsubscribe(sub)
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/event-stream; charset=utf-8")
	h.Set(echo.HeaderCacheControl, "no-cache")
	h.Set("X-Accel-Buffering", "no")
	c.Response().WriteHeader(http.StatusOK)
	rc := http.NewResponseController(c.Response().Writer)
	_ = rc.SetWriteDeadline(time.Time{})
	w := c.Response()
	fmt.Fprintf(w, "retry: %d\n\n", streamRetry.Milliseconds())
	if err := rc.Flush(); err != nil {
		return nil
	}
	heartbeat := time.NewTicker(streamHeartbeat)
	defer heartbeat.Stop()
	recheck := time.NewTicker(streamRecheck)
	defer recheck.Stop()
	for {
		select {
		case ev, ok := <-sub.C:
			if !ok {
				return nil // the client reconnects and reads the line again
			}
			if !strings.HasPrefix(ev.Name, "request.") {
				continue
			}
			var p struct {
				BoothID string   `json:"booth_id"`
				Ticket  string   `json:"ticket"`
				Window  int      `json:"window"`
				Changes []string `json:"changes"`
			}
			// The log keeps the booth in the payload (written by the store).
			if err := json.Unmarshal([]byte(ev.Payload), &p); err != nil || p.BoothID != itoa64(b.ID) {
				continue
			}
			d := displayEvent{Ticket: p.Ticket, Window: p.Window,
				Call: slices.Contains(p.Changes, "call") || slices.Contains(p.Changes, "recall")}
			data, _ := json.Marshal(d)
			fmt.Fprintf(w, "event: queue\ndata: %s\n\n", data)
		case <-heartbeat.C:
			fmt.Fprint(w, ": ping\n\n")
		case <-recheck.C:
			if err := s.store.CheckDisplayKey(ctx, b.ID, key); app.ErrorCode(err) == app.ENOTFOUND {
				return nil
			}
			continue
		case <-ctx.Done():
			return nil
		}
		if err := rc.Flush(); err != nil {
			return nil
		}
	}
}
