package web

import (
	"bytes"
	"context"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"policebooth/server/app"
	"policebooth/server/i18n"
	"policebooth/templates/layouts"
	"policebooth/templates/view"
)

// htmx request headers, in one place.
const (
	hxRequest = "HX-Request"
	hxBoosted = "HX-Boosted"
)

// isFragmentRequest reports whether htmx asked for a fragment (a boosted
// link wants the whole page).
func isFragmentRequest(c echo.Context) bool {
	h := c.Request().Header
	return h.Get(hxRequest) == "true" && h.Get(hxBoosted) != "true"
}

// livePositionKey holds, in the echo context, where the page's live
// stream starts.
const livePositionKey = "live_position"

// livePosition takes the position a page's live stream starts from before
// the handler reads anything: whatever changes after it reaches the
// stream, even a change that lands while the handler reads the page's
// data. It is the hub's cursor (no query); until the hub has read the log
// once, the log's position now.
func (s *Server) livePosition(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !isFragmentRequest(c) {
			from, ok := s.hub.Position()
			if !ok {
				var err error
				if from, err = s.store.EventCursorNow(c.Request().Context()); err == nil {
					ok = true
				}
			}
			if ok {
				c.Set(livePositionKey, from)
			}
		}
		return next(c)
	}
}

// render writes a page: inside the layout for a plain request, the content
// alone for an htmx request.
func (s *Server) render(c echo.Context, status int, title string, content templ.Component) error {
	ctx := c.Request().Context()
	if s.beforeRender != nil {
		s.beforeRender()
	}
	buf := s.pageBuffers.Get().(*bytes.Buffer)
	defer s.pageBuffers.Put(buf)
	buf.Reset()
	var err error
	c.Response().Header().Add(echo.HeaderVary, hxRequest)
	if isFragmentRequest(c) {
		err = content.Render(ctx, buf)
	} else {
		page := s.pageView(ctx, c.Request().URL.Path, title)
		if p := caller(c); p != nil {
			page.User = &view.User{ID: itoa64(p.UserID), Name: p.User.Name, Role: string(p.Role), Elder: p.User.ElderMode != nil && *p.User.ElderMode}
			// The service worker keeps each person's pages apart by this;
			// the browser keeps none of them itself (a shared tablet), nor
			// in its back/forward cache, where a page would hold its live
			// stream and the outbox database open.
			c.Response().Header().Set("X-Booth-User", page.User.ID)
			c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
			page.Booth = s.boothOf(ctx, p.User)
			if err := s.residentBanners(c, &page); err != nil {
				return err
			}
			if p.Role.Staff() {
				// Who is operating the (often shared) staff tablet, on
				// every staff page.
				page.Operator = p.User.Name
			}
		} else {
			page.Booth = s.boothView(ctx)
		}
		if p := caller(c); p != nil {
			if from, ok := c.Get(livePositionKey).(app.EventCursor); ok {
				page.LiveFrom = from.String()
			}
		}
		page.RenderedAt = s.now().UTC().Format(time.RFC3339)
		err = layouts.Base(page).Render(templ.WithChildren(ctx, content), buf)
	}
	if err != nil {
		return err
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// residentBanners fills what every page of a resident shows above its
// content: unread urgent notices (in the HTML as served, so a resident who
// was away sees them on the next page), their open call, and a new privacy
// policy to accept. None of them blocks the page.
func (s *Server) residentBanners(c echo.Context, page *view.Page) error {
	p := caller(c)
	if p.Role != app.RoleResident {
		return nil
	}
	page.PrivacyOutdated = app.NeedsPrivacyAcceptance(p.User)
	page.PrivacyVersion = app.PrivacyVersion
	path := c.Request().URL.Path
	if path != "/notices/urgent" {
		urgent, err := s.urgentNotices(c)
		if err != nil {
			return err
		}
		page.Urgent = urgent
	}
	open, err := s.openCall(c)
	if err != nil {
		return err
	}
	if open != nil && path != "/calls/"+itoa64(open.ID) {
		page.OpenCall = &view.OpenCallBanner{ID: itoa64(open.ID), Status: callLabel(c, open.Status)}
	}
	return nil
}

// pageView fills the layout's view model.
func (s *Server) pageView(ctx context.Context, path, title string) view.Page {
	return view.Page{
		Title: title,
		Path:  path,
		Asset: view.Assets{
			CSS:       s.assets.URL("css/app.css"),
			JS:        s.assets.URL("js/app.js"),
			HTMX:      s.assets.URL("vendor/htmx.min.js"),
			Live:      s.assets.URL("js/live.js"),
			Assist:    s.assets.URL("js/assist.js"),
			Photo:     s.assets.URL("js/photo.js"),
			Outbox:    s.assets.URL("js/outbox.js"),
			Icon:      s.assets.URL("icons/icon-192.png"),
			TouchIcon: s.assets.URL("icons/apple-touch-icon.png"),
		},
	}
}

// boothView names the booth a page for someone not signed in speaks for:
// the first booth of the first station, which is the booth itself on a
// one-booth install.
func (s *Server) boothView(ctx context.Context) view.Booth {
	booths, err := s.booths(ctx)
	if err != nil || len(booths) == 0 {
		return view.Booth{}
	}
	return s.describeBooth(ctx, &booths[0])
}

// boothOf names a signed-in user's booth: a resident's home booth, or the
// station (with its phone) of staff.
func (s *Server) boothOf(ctx context.Context, u *app.User) view.Booth {
	switch {
	case u.HomeBoothID != nil:
		if b, err := s.booth(ctx, *u.HomeBoothID); err == nil {
			return s.describeBooth(ctx, b)
		}
	case u.StationID != nil:
		if st, err := s.station(ctx, *u.StationID); err == nil {
			name := st.Name
			if i18n.Lang(ctx) == i18n.English && st.NameEn != "" {
				name = st.NameEn
			}
			return view.Booth{StationName: name, Phone: st.Phone}
		}
	}
	return s.boothView(ctx)
}

func (s *Server) describeBooth(ctx context.Context, b *app.Booth) view.Booth {
	st, err := s.station(ctx, b.StationID)
	if err != nil {
		return view.Booth{}
	}
	if i18n.Lang(ctx) == i18n.English && st.NameEn != "" {
		return view.Booth{StationName: st.NameEn, BoothName: b.NameEn, Phone: b.Phone}
	}
	return view.Booth{StationName: st.Name, BoothName: b.Name, Phone: b.Phone}
}

// t translates with the request's localizer.
func t(c echo.Context, id string, data ...any) string {
	return i18n.T(c.Request().Context(), id, data...)
}
