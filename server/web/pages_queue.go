package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	qrcode "github.com/skip2/go-qrcode"

	"policebooth/server/app"
	"policebooth/server/i18n"
	"policebooth/templates/pages"
	"policebooth/templates/view"
)

// ratingLabel names a score in the reader's language (非常满意 … 非常不满意).
func ratingLabel(c echo.Context, score int) string { return t(c, "rating."+strconv.Itoa(score)) }

// requestQueueView builds the queue card of a request's page.
func (s *Server) requestQueueView(c echo.Context, r *app.ServiceRequest) (*view.RequestQueue, error) {
	ctx := c.Request().Context()
	p := caller(c)
	loc := s.stationLocation(c, r.StationID)
	v := &view.RequestQueue{ID: itoa64(r.ID), Ticket: r.Ticket, Staff: p.Role.Staff(), Called: r.Status == app.RequestCalled}
	if r.WindowNo != nil {
		v.Window = *r.WindowNo
	}
	if r.Waiting() {
		q, err := s.store.Queue(ctx, r.BoothID)
		if err != nil {
			return nil, err
		}
		if pos, eta, ok := q.Place(r.ID); ok {
			v.Waiting, v.Position, v.Ahead, v.ETA = true, pos, pos-1, eta
		}
	}
	bookable := r.Bookable() && r.Status.Open() || r.Status == app.RequestNoShow
	v.CanArrive = v.Staff && r.ArrivedAt == nil && (r.Status == app.RequestSubmitted || r.Status == app.RequestAccepted)
	v.ArriveHint = !v.Staff && r.ArrivedAt == nil && r.Status.Open()
	if p.Role == app.RoleResident && bookable {
		v.CanBook = true
		slots, err := s.store.ListSlots(ctx, r.BoothID, s.now(), 40)
		if err != nil {
			return nil, err
		}
		for _, sl := range slots {
			if sl.Booked >= sl.Capacity && (r.SlotID == nil || *r.SlotID != sl.ID) {
				continue
			}
			label := pageTime(sl.StartsAt, loc)
			selected := r.SlotID != nil && *r.SlotID == sl.ID
			if selected {
				v.Booking = label
			}
			v.Slots = append(v.Slots, view.Option{Value: itoa64(sl.ID), Label: label, Selected: selected})
		}
	}
	if p.Role == app.RoleOfficer && v.Called {
		if sh, err := s.store.OpenShift(ctx, p.UserID); err == nil && sh.BoothID == r.BoothID {
			v.CanCall = true
		}
	}
	if r.Status == app.RequestCompleted {
		rt, err := s.store.RatingOf(ctx, r.ID)
		switch app.ErrorCode(err) {
		case "":
			v.Rating = &view.RatingView{ID: itoa64(rt.ID), Score: rt.Score, Label: ratingLabel(c, rt.Score), Comment: rt.Comment,
				Response: rt.Response, CanAnswer: p.Role == app.RoleHead && rt.NeedsAnswer() && rt.RespondedAt == nil}
		case app.ENOTFOUND:
			v.CanRate = p.Role == app.RoleResident && r.ResidentID != nil && *r.ResidentID == p.UserID
		default:
			return nil, err
		}
	}
	return v, nil
}

// handleArrivalForm: POST /requests/:id/arrival, an officer marks the
// visitor arrived.
func (s *Server) handleArrivalForm(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	_, err = s.arrive(c, app.Arrival{})
	return s.afterMove(c, id, err)
}

// handleBookingForm: POST /requests/:id/booking (slot_id, or drop).
func (s *Server) handleBookingForm(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var slot *int64
	if c.FormValue("drop") == "" {
		sid, err := parseID(c.FormValue("slot_id"))
		if err != nil {
			return s.afterMove(c, id, app.Errorf(app.EINVALID, "choose a time").WithMessage("slot_required"))
		}
		slot = &sid
	}
	scope, err := requestScope(c)
	if err != nil {
		return err
	}
	_, err = s.store.Book(c.Request().Context(), id, scope, caller(c).UserID, slot)
	return s.afterMove(c, id, err)
}

// handleCallForm: POST /requests/:id/call (do=recall|skip), the officer at
// the window.
func (s *Server) handleCallForm(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	scope, err := requestScope(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	switch c.FormValue("do") {
	case "recall":
		_, err = s.store.Recall(ctx, id, scope, actorOf(c))
	case "skip":
		_, err = s.store.Skip(ctx, id, scope, actorOf(c))
	default:
		err = app.Errorf(app.EINVALID, "do: recall or skip")
	}
	return s.afterMove(c, id, err)
}

// handleRatingForm: POST /requests/:id/rating (score, comment).
func (s *Server) handleRatingForm(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	score, _ := strconv.Atoi(c.FormValue("score"))
	_, err = s.store.Rate(c.Request().Context(), id, caller(c).UserID, score, c.FormValue("comment"))
	return s.afterMove(c, id, err)
}

// handleAnswerForm: POST /ratings/:id/response (head), back to the request.
func (s *Server) handleAnswerForm(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	rt, err := s.store.AnswerRating(c.Request().Context(), actorOf(c), id, c.FormValue("text"))
	if err != nil {
		return s.renderCounter(c, "", err)
	}
	return c.Redirect(http.StatusSeeOther, "/requests/"+itoa64(rt.RequestID)+"?done=1")
}

// handleQueueNextForm: POST /queue/next, the officer calls the next number
// at the booth they are clocked in at, and sees that request.
func (s *Server) handleQueueNextForm(c echo.Context) error {
	ctx := c.Request().Context()
	sh, err := s.store.OpenShift(ctx, caller(c).UserID)
	if err != nil {
		return s.queueFormError(c, app.Errorf(app.EFORBIDDEN, "clock in at this booth to call its queue").WithMessage("not_on_duty_here"))
	}
	r, err := s.store.CallNext(ctx, sh.BoothID, actorOf(c))
	if err != nil {
		return s.queueFormError(c, err)
	}
	return c.Redirect(http.StatusSeeOther, "/requests/"+itoa64(r.ID))
}

// queueRefusals are the refusals the queue page says by their code after
// a form on it was turned down; others read as a general refusal.
var queueRefusals = []string{"queue_empty", "not_on_duty_here", "walk_in_name", "walk_in_phone", "walk_in_required"}

// queueFormError sends the officer back to the queue page, which says what
// went wrong (by message code only, so a link cannot put words there).
func (s *Server) queueFormError(c echo.Context, err error) error {
	if app.ErrorCode(err) == app.EINTERNAL {
		return err
	}
	code, _ := app.MessageOf(err)
	if !slices.Contains(queueRefusals, code) {
		code = "queue_refused"
	}
	return c.Redirect(http.StatusSeeOther, "/queue?refused="+code)
}

// queueRefusal is the queue page's message for ?refused=.
func queueRefusal(c echo.Context) string {
	code := c.QueryParam("refused")
	if code == "queue_refused" || slices.Contains(queueRefusals, code) {
		return t(c, "refusal."+code)
	}
	return ""
}

// handleWalkInForm: POST /queue/walk-in, staff file a visitor without the
// app at the counter ("other", with what they need), arrived at once.
func (s *Server) handleWalkInForm(c echo.Context) error {
	booth, err := parseID(c.FormValue("booth_id"))
	if err != nil {
		return s.queueFormError(c, app.Errorf(app.EINVALID, "booth_id is required"))
	}
	nr := app.NewRequest{StaffID: caller(c).UserID, BoothID: booth, Services: []string{"other"},
		Fields: map[string]map[string]string{"other": {"subject": c.FormValue("subject")}},
		WalkIn: &app.WalkIn{Name: c.FormValue("name"), Phone: c.FormValue("phone")}}
	r, err := s.store.CreateRequest(c.Request().Context(), nr)
	if err != nil {
		return s.queueFormError(c, err)
	}
	return c.Redirect(http.StatusSeeOther, "/requests/"+itoa64(r.ID)+"?created=1")
}

// queueDesk builds the counter controls of the queue page: the officer's
// booth (where they are clocked in, else the first of the station).
func (s *Server) queueDesk(c echo.Context) (*view.QueueDesk, error) {
	ctx := c.Request().Context()
	p := caller(c)
	station, ok := p.stationOf()
	if !ok {
		return nil, nil
	}
	var booth *app.Booth
	onDuty := false
	if p.Role == app.RoleOfficer {
		if sh, err := s.store.OpenShift(ctx, p.UserID); err == nil {
			if b, err := s.booth(ctx, sh.BoothID); err == nil {
				booth, onDuty = b, true
			}
		}
	}
	if booth == nil {
		booths, err := s.booths(ctx)
		if err != nil {
			return nil, err
		}
		for i := range booths {
			if booths[i].StationID == station {
				booth = &booths[i]
				break
			}
		}
	}
	if booth == nil {
		return nil, nil
	}
	q, err := s.store.Queue(ctx, booth.ID)
	if err != nil {
		return nil, err
	}
	d := &view.QueueDesk{BoothID: itoa64(booth.ID), Booth: booth.Name, OnDuty: onDuty}
	for _, w := range q.Waiting {
		d.Waiting = append(d.Waiting, w.Ticket)
	}
	for _, sv := range q.Serving {
		d.Serving = append(d.Serving, view.DisplayTicket{Ticket: sv.Ticket, Window: sv.Window})
	}
	return d, nil
}

// handleArrivePage: GET /arrive/:booth_id?code=, where the booth's QR code
// takes a resident.
func (s *Server) handleArrivePage(c echo.Context) error {
	return s.renderArrive(c, http.StatusOK, "")
}

func (s *Server) renderArrive(c echo.Context, status int, errMsg string) error {
	id, err := parseID(c.Param("booth_id"))
	if err != nil {
		return app.ErrNotFound
	}
	ctx := c.Request().Context()
	b, err := s.booth(ctx, id)
	if err != nil {
		return err
	}
	reqs, err := s.store.ListRequests(ctx, app.RequestFilter{ResidentID: caller(c).UserID, BoothID: b.ID,
		Statuses: []app.RequestStatus{app.RequestSubmitted, app.RequestAccepted}, Limit: 20})
	if err != nil {
		return err
	}
	types, _, err := s.catalogue(c, b.StationID)
	if err != nil {
		return err
	}
	code := c.QueryParam("code")
	if code == "" {
		code = c.FormValue("code")
	}
	v := view.ArrivePage{BoothID: itoa64(b.ID), Booth: b.Name, Code: code, Error: errMsg}
	lang := i18n.Lang(ctx)
	for _, r := range reqs {
		if r.ArrivedAt != nil {
			continue
		}
		var names []string
		for _, sv := range r.Services {
			names = append(names, types[sv.Code].Name.In(lang))
		}
		v.Requests = append(v.Requests, view.Option{Value: itoa64(r.ID), Label: strings.Join(names, " + ")})
	}
	return s.render(c, status, t(c, "arrive.title", "Booth", b.Name), pages.Arrive(v))
}

// handleArriveSubmit: POST /arrive/:booth_id (request_id, code): the
// resident is at the booth; on to the request with its ticket.
func (s *Server) handleArriveSubmit(c echo.Context) error {
	id, err := parseID(c.FormValue("request_id"))
	if err != nil {
		return s.renderArrive(c, http.StatusBadRequest, t(c, "arrive.which"))
	}
	scope, err := requestScope(c)
	if err != nil {
		return err
	}
	r, err := s.store.Arrive(c.Request().Context(), id, scope, app.Arrival{ActorID: caller(c).UserID, Code: c.FormValue("code")})
	if err != nil {
		msg, status, ferr := s.formError(c, err)
		if ferr != nil {
			return ferr
		}
		return s.renderArrive(c, status, msg)
	}
	return c.Redirect(http.StatusSeeOther, "/requests/"+itoa64(r.ID)+"?arrived=1")
}

// handleCounterPage: GET /counter (head).
func (s *Server) handleCounterPage(c echo.Context) error {
	flash := ""
	switch {
	case c.QueryParam("saved") != "":
		flash = t(c, "counter.saved")
	case c.QueryParam("revoked") != "":
		flash = t(c, "counter.revoked_done")
	}
	return s.renderCounter(c, flash, nil)
}

// renderCounter shows the head's counter page, with a message or an error.
func (s *Server) renderCounter(c echo.Context, flash string, failed error) error {
	return s.renderCounterKey(c, flash, failed, "")
}

func (s *Server) renderCounterKey(c echo.Context, flash string, failed error, newKeyURL string) error {
	ctx := c.Request().Context()
	station, _ := caller(c).stationOf()
	v := view.CounterPage{Flash: flash, NewKeyURL: newKeyURL}
	status := http.StatusOK
	if failed != nil {
		msg, st, ferr := s.formError(c, failed)
		if ferr != nil {
			return ferr
		}
		v.Error, status = msg, st
	}
	loc := s.stationLocation(c, station)
	st, err := s.store.FindStation(ctx, station)
	if err != nil {
		return err
	}
	v.VisitTarget = st.VisitTargetMinutes
	booths, err := s.booths(ctx)
	if err != nil {
		return err
	}
	for _, b := range booths {
		if b.StationID != station {
			continue
		}
		h, err := s.store.OpeningHours(ctx, b.ID)
		if err != nil {
			return err
		}
		code, err := s.store.ArrivalCode(ctx, actorOf(c), b.ID)
		if err != nil {
			return err
		}
		cb := view.CounterBooth{ID: itoa64(b.ID), Name: b.Name, ClosedDates: strings.Join(h.ClosedDates, ", "), ArrivalURL: s.arrivalURL(b.ID, code)}
		for d := 1; d <= 7; d++ {
			row := view.HoursRow{Weekday: d, Label: t(c, "weekday."+strconv.Itoa(d)), SlotMinutes: 15, Capacity: 2}
			for _, r := range h.Weekly {
				if r.Weekday == d {
					row.Opens, row.Closes, row.SlotMinutes, row.Capacity = r.Opens, r.Closes, r.SlotMinutes, r.Capacity
					break
				}
			}
			cb.Hours = append(cb.Hours, row)
		}
		keys, err := s.store.ListDisplayKeys(ctx, b.ID)
		if err != nil {
			return err
		}
		for _, k := range keys {
			cb.Keys = append(cb.Keys, view.DisplayKeyRow{ID: itoa64(k.ID), Created: pageTime(k.CreatedAt, loc), Revoked: k.RevokedAt != nil})
		}
		v.Booths = append(v.Booths, cb)
	}
	bad, err := s.store.ListRatings(ctx, station, true, 0, 50)
	if err != nil {
		return err
	}
	for _, r := range bad {
		v.Unanswered = append(v.Unanswered, view.UnansweredRating{ID: itoa64(r.ID), RequestID: itoa64(r.RequestID), Score: r.Score, Comment: r.Comment, At: pageTime(r.CreatedAt, loc)})
	}
	return s.render(c, status, t(c, "counter.title"), pages.Counter(v))
}

// handleHoursForm: POST /counter/:id/hours. One range per weekday; a day
// left without times is closed.
func (s *Server) handleHoursForm(c echo.Context) error {
	b, err := s.boothParam(c)
	if err != nil {
		return err
	}
	var h app.OpeningHours
	for d := 1; d <= 7; d++ {
		day := strconv.Itoa(d)
		opens, closes := c.FormValue("opens_"+day), c.FormValue("closes_"+day)
		if opens == "" && closes == "" {
			continue
		}
		slot, _ := strconv.Atoi(c.FormValue("slot_" + day))
		capacity, _ := strconv.Atoi(c.FormValue("capacity_" + day))
		h.Weekly = append(h.Weekly, app.OpeningRange{Weekday: d, Opens: opens, Closes: closes, SlotMinutes: slot, Capacity: capacity})
	}
	h.ClosedDates = append(h.ClosedDates, strings.FieldsFunc(c.FormValue("closed_dates"), func(r rune) bool { return r == ',' || r == ' ' || r == '，' })...)
	if err := s.store.SetOpeningHours(c.Request().Context(), actorOf(c), b.ID, h); err != nil {
		return s.renderCounter(c, "", err)
	}
	return c.Redirect(http.StatusSeeOther, "/counter?saved=1")
}

// handleDisplayKeyForm: POST /counter/:id/display-keys: a new key, whose
// address is shown once.
func (s *Server) handleDisplayKeyForm(c echo.Context) error {
	b, err := s.boothParam(c)
	if err != nil {
		return err
	}
	_, key, err := s.store.CreateDisplayKey(c.Request().Context(), actorOf(c), b.ID)
	if err != nil {
		return s.renderCounter(c, "", err)
	}
	return s.renderCounterKey(c, t(c, "counter.saved"), nil, s.displayURL(b.ID, key))
}

// handleDisplayKeyRevokeForm: POST /counter/:id/display-keys/:key_id/revoke.
func (s *Server) handleDisplayKeyRevokeForm(c echo.Context) error {
	b, err := s.boothParam(c)
	if err != nil {
		return err
	}
	keyID, err := parseID(c.Param("key_id"))
	if err != nil {
		return app.ErrNotFound
	}
	if err := s.store.RevokeDisplayKey(c.Request().Context(), actorOf(c), b.ID, keyID); err != nil {
		return s.renderCounter(c, "", err)
	}
	return c.Redirect(http.StatusSeeOther, "/counter?revoked=1")
}

// handleArrivalQR: GET /counter/:id/qr.png, the booth's arrival QR code to
// print and put up at the counter.
func (s *Server) handleArrivalQR(c echo.Context) error {
	b, err := s.boothParam(c)
	if err != nil {
		return err
	}
	code, err := s.store.ArrivalCode(c.Request().Context(), actorOf(c), b.ID)
	if err != nil {
		return err
	}
	png, err := qrcode.Encode(s.arrivalURL(b.ID, code), qrcode.Medium, 480)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.Blob(http.StatusOK, "image/png", png)
}

// handleVisitTargetForm: POST /counter/visit-target (minutes).
func (s *Server) handleVisitTargetForm(c echo.Context) error {
	station, _ := caller(c).stationOf()
	minutes, _ := strconv.Atoi(c.FormValue("minutes"))
	if err := s.store.SetVisitTarget(c.Request().Context(), actorOf(c), station, minutes); err != nil {
		return s.renderCounter(c, "", err)
	}
	return c.Redirect(http.StatusSeeOther, "/counter?saved=1")
}
