package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
)

// queueFacts adds what the queue knows to a request's JSON: its place in
// line and expected wait while it waits, its rating once rated.
func (s *Server) queueFacts(c echo.Context, r *app.ServiceRequest, out *requestJSON) error {
	ctx := c.Request().Context()
	if r.Waiting() {
		q, err := s.store.Queue(ctx, r.BoothID)
		if err != nil {
			return err
		}
		if pos, eta, ok := q.Place(r.ID); ok {
			out.QueuePosition, out.ETAMinutes = &pos, &eta
		}
	}
	if r.Status == app.RequestCompleted {
		rt, err := s.store.RatingOf(ctx, r.ID)
		switch app.ErrorCode(err) {
		case "":
			out.Rating = rt
		case app.ENOTFOUND:
		default:
			return err
		}
	}
	return nil
}

// boothParam reads :id as a booth the caller's station runs (any booth
// for a resident's read); another station's booth is not found for staff.
func (s *Server) boothParam(c echo.Context) (*app.Booth, error) {
	id, err := idParam(c)
	if err != nil {
		return nil, err
	}
	b, err := s.booth(c.Request().Context(), id)
	if err != nil {
		return nil, err
	}
	if p := caller(c); p != nil && p.Role.Staff() {
		if station, ok := p.stationOf(); !ok || station != b.StationID {
			return nil, app.ErrNotFound
		}
	}
	return b, nil
}

// handleOpeningHoursGet: GET /booths/:id/opening-hours.
func (s *Server) handleOpeningHoursGet(c echo.Context) error {
	b, err := s.boothParam(c)
	if err != nil {
		return err
	}
	h, err := s.store.OpeningHours(c.Request().Context(), b.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, h)
}

// handleOpeningHoursPut: PUT /booths/:id/opening-hours (head).
func (s *Server) handleOpeningHoursPut(c echo.Context) error {
	b, err := s.boothParam(c)
	if err != nil {
		return err
	}
	var h app.OpeningHours
	if err := bind(c, &h); err != nil {
		return err
	}
	if err := s.store.SetOpeningHours(c.Request().Context(), actorOf(c), b.ID, h); err != nil {
		return err
	}
	return s.handleOpeningHoursGet(c)
}

// handleQueueGet: GET /booths/:id/queue (staff): who is served and who waits.
func (s *Server) handleQueueGet(c echo.Context) error {
	b, err := s.boothParam(c)
	if err != nil {
		return err
	}
	q, err := s.store.Queue(c.Request().Context(), b.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, q)
}

// handleQueueNext: POST /booths/:id/queue/next (an officer on duty there).
func (s *Server) handleQueueNext(c echo.Context) error {
	b, err := s.boothParam(c)
	if err != nil {
		return err
	}
	if err := bindNothing(c); err != nil {
		return err
	}
	r, err := s.store.CallNext(c.Request().Context(), b.ID, actorOf(c))
	if err != nil {
		return err
	}
	return s.requestAnswer(c, http.StatusOK, r)
}

// queueMove runs a recall or skip on :id for the calling officer.
func (s *Server) queueMove(c echo.Context, do func(id int64, scope app.RequestFilter) (*app.ServiceRequest, error)) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	scope, err := requestScope(c)
	if err != nil {
		return err
	}
	if err := bindNothing(c); err != nil {
		return err
	}
	r, err := do(id, scope)
	if err != nil {
		return err
	}
	return s.requestAnswer(c, http.StatusOK, r)
}

// handleRecall: POST /service-requests/:id/recall (officer).
func (s *Server) handleRecall(c echo.Context) error {
	return s.queueMove(c, func(id int64, scope app.RequestFilter) (*app.ServiceRequest, error) {
		return s.store.Recall(c.Request().Context(), id, scope, actorOf(c))
	})
}

// handleSkip: POST /service-requests/:id/skip (officer).
func (s *Server) handleSkip(c echo.Context) error {
	return s.queueMove(c, func(id int64, scope app.RequestFilter) (*app.ServiceRequest, error) {
		return s.store.Skip(c.Request().Context(), id, scope, actorOf(c))
	})
}

type bookingJSON struct {
	SlotID string `json:"slot_id"`
}

// handleBookingPut: PUT /service-requests/:id/booking {slot_id} (resident);
// an empty slot_id drops the booking.
func (s *Server) handleBookingPut(c echo.Context) error {
	var r bookingJSON
	if err := bind(c, &r); err != nil {
		return err
	}
	var slot *int64
	if r.SlotID != "" {
		id, err := parseID(r.SlotID)
		if err != nil {
			return app.Errorf(app.EINVALID, "slot_id is not a slot id")
		}
		slot = &id
	}
	return s.book(c, slot)
}

// handleBookingDelete: DELETE /service-requests/:id/booking (resident).
func (s *Server) handleBookingDelete(c echo.Context) error { return s.book(c, nil) }

func (s *Server) book(c echo.Context, slot *int64) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	scope, err := requestScope(c)
	if err != nil {
		return err
	}
	r, err := s.store.Book(c.Request().Context(), id, scope, caller(c).UserID, slot)
	if err != nil {
		return err
	}
	return s.requestAnswer(c, http.StatusOK, r)
}

type arrivalJSON struct {
	Lat  *float64 `json:"lat"`
	Lng  *float64 `json:"lng"`
	Code string   `json:"code"`
}

// handleArrival: POST /service-requests/:id/arrival: the resident at the
// booth (position or QR code), or an officer for them.
func (s *Server) handleArrival(c echo.Context) error {
	var r arrivalJSON
	if err := bind(c, &r); err != nil {
		return err
	}
	req, err := s.arrive(c, app.Arrival{Lat: r.Lat, Lng: r.Lng, Code: strings.TrimSpace(r.Code)})
	if err != nil {
		return err
	}
	return s.requestAnswer(c, http.StatusOK, req)
}

// arrive records an arrival of :id for the caller.
func (s *Server) arrive(c echo.Context, a app.Arrival) (*app.ServiceRequest, error) {
	id, err := idParam(c)
	if err != nil {
		return nil, err
	}
	scope, err := requestScope(c)
	if err != nil {
		return nil, err
	}
	a.ActorID, a.ByStaff = caller(c).UserID, caller(c).Role.Staff()
	return s.store.Arrive(c.Request().Context(), id, scope, a)
}

type ratingJSON struct {
	Score   int    `json:"score"`
	Comment string `json:"comment"`
}

// handleRatingCreate: POST /service-requests/:id/rating (resident, once).
func (s *Server) handleRatingCreate(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var r ratingJSON
	if err := bind(c, &r); err != nil {
		return err
	}
	rt, err := s.store.Rate(c.Request().Context(), id, caller(c).UserID, r.Score, r.Comment)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, rt)
}

// handleRatingList: GET /ratings?unanswered=1&cursor= (head): the
// station's ratings, without who gave them.
func (s *Server) handleRatingList(c echo.Context) error {
	station, _ := caller(c).stationOf()
	var before int64
	if v := c.QueryParam("cursor"); v != "" {
		id, err := parseID(v)
		if err != nil {
			return app.Errorf(app.EINVALID, "cursor is not valid")
		}
		before = id
	}
	unanswered := c.QueryParam("unanswered")
	if unanswered != "" && unanswered != "0" && unanswered != "1" {
		return app.Errorf(app.EINVALID, "unanswered: 1 for the bad ratings awaiting an answer, 0 or nothing for all")
	}
	const limit = 50
	items, err := s.store.ListRatings(c.Request().Context(), station, unanswered == "1", before, limit)
	if err != nil {
		return err
	}
	out := list[app.Rating]{Items: items}
	if len(items) == limit {
		out.NextCursor = itoa64(items[len(items)-1].ID)
	}
	return c.JSON(http.StatusOK, out)
}

type ratingAnswerJSON struct {
	Text string `json:"text"`
}

// handleRatingAnswer: POST /ratings/:id/response {text} (head).
func (s *Server) handleRatingAnswer(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var r ratingAnswerJSON
	if err := bind(c, &r); err != nil {
		return err
	}
	rt, err := s.store.AnswerRating(c.Request().Context(), actorOf(c), id, r.Text)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, rt)
}

// displayKeyJSON is a display key; key and url only when it is made.
type displayKeyJSON struct {
	app.DisplayKey
	Key string `json:"key,omitempty"`
	URL string `json:"url,omitempty"`
}

// displayURL is where a booth's display opens with key.
func (s *Server) displayURL(boothID int64, key string) string {
	return strings.TrimSuffix(s.cfg.BaseURL.String(), "/") + "/display/" + itoa64(boothID) + "?key=" + url.QueryEscape(key)
}

// handleDisplayKeyCreate: POST /booths/:id/display-keys (head) → {id, key, url}.
func (s *Server) handleDisplayKeyCreate(c echo.Context) error {
	b, err := s.boothParam(c)
	if err != nil {
		return err
	}
	if err := bindNothing(c); err != nil {
		return err
	}
	k, key, err := s.store.CreateDisplayKey(c.Request().Context(), actorOf(c), b.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, displayKeyJSON{DisplayKey: *k, Key: key, URL: s.displayURL(b.ID, key)})
}

// handleDisplayKeyList: GET /booths/:id/display-keys (head).
func (s *Server) handleDisplayKeyList(c echo.Context) error {
	b, err := s.boothParam(c)
	if err != nil {
		return err
	}
	keys, err := s.store.ListDisplayKeys(c.Request().Context(), b.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list[app.DisplayKey]{Items: keys})
}

// handleDisplayKeyRevoke: DELETE /booths/:id/display-keys/:key_id (head).
func (s *Server) handleDisplayKeyRevoke(c echo.Context) error {
	b, err := s.boothParam(c)
	if err != nil {
		return err
	}
	keyID, err := parseID(c.Param("key_id"))
	if err != nil {
		return app.ErrNotFound
	}
	if err := s.store.RevokeDisplayKey(c.Request().Context(), actorOf(c), b.ID, keyID); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// arrivalURL is what a booth's printed QR code opens: the resident's
// arrival page with the booth's code.
func (s *Server) arrivalURL(boothID int64, code string) string {
	return strings.TrimSuffix(s.cfg.BaseURL.String(), "/") + "/arrive/" + itoa64(boothID) + "?code=" + url.QueryEscape(code)
}

// handleArrivalCode: GET /booths/:id/arrival-code (head) → {code, url}.
func (s *Server) handleArrivalCode(c echo.Context) error {
	b, err := s.boothParam(c)
	if err != nil {
		return err
	}
	code, err := s.store.ArrivalCode(c.Request().Context(), actorOf(c), b.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"code": code, "url": s.arrivalURL(b.ID, code)})
}

// slotDay reads ?date= as a local day of the station: [start, end).
func slotDay(v string, loc *time.Location) (time.Time, time.Time, error) {
	d, err := time.ParseInLocation(time.DateOnly, v, loc)
	if err != nil {
		return time.Time{}, time.Time{}, app.Errorf(app.EINVALID, "date must be a date like 2026-11-30")
	}
	return d, d.AddDate(0, 0, 1), nil
}

type visitTargetJSON struct {
	Minutes int `json:"visit_target_minutes"`
}

// handleVisitTargetPut: PUT /stations/:id/visit-target (head): the minutes
// a counter visit should take, arrival to completion.
func (s *Server) handleVisitTargetPut(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var r visitTargetJSON
	if err := bind(c, &r); err != nil {
		return err
	}
	if err := s.store.SetVisitTarget(c.Request().Context(), actorOf(c), id, r.Minutes); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}
