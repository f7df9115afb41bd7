package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
	"policebooth/server/i18n"
	"policebooth/templates/pages"
	"policebooth/templates/view"
)

// pageTime formats a time for a page in the station's zone.
func pageTime(t time.Time, loc *time.Location) string { return t.In(loc).Format("01-02 15:04") }

// statusLabel names a request status in the reader's language.
func statusLabel(c echo.Context, s app.RequestStatus) string { return t(c, "status."+string(s)) }

// waitedText says how long a request has waited against its target.
func waitedText(c echo.Context, r *app.ServiceRequest, now time.Time) string {
	return t(c, "req.minutes", "Waited", int(waited(r, now).Minutes()), "Target", r.TargetMinutes)
}

// handleRequestsPage: GET /requests, a resident's requests (staff go to
// the queue).
func (s *Server) handleRequestsPage(c echo.Context) error {
	p := caller(c)
	if p.Role != app.RoleResident {
		return c.Redirect(http.StatusSeeOther, "/queue")
	}
	f, err := s.requestFilter(c)
	if err != nil {
		return err
	}
	f.Brief = true
	reqs, err := s.store.ListRequests(c.Request().Context(), f)
	if err != nil {
		return err
	}
	v := view.RequestList{LiveURL: c.Request().URL.RequestURI()}
	if c.QueryParam("done") != "" {
		v.Flash = t(c, "req.saved")
	}
	if v.Rows, err = s.requestRows(c, reqs); err != nil {
		return err
	}
	if len(reqs) == f.Limit {
		v.NextURL = "/requests?cursor=" + itoa64(reqs[len(reqs)-1].ID)
	}
	return s.render(c, http.StatusOK, t(c, "req.mine"), pages.Requests(v))
}

// requestRows shows requests as list rows.
func (s *Server) requestRows(c echo.Context, reqs []app.ServiceRequest) ([]view.RequestRow, error) {
	lang := i18n.Lang(c.Request().Context())
	now := s.now()
	cats := map[int64]map[string]app.ServiceType{}
	people := s.names(c.Request().Context())
	rows := make([]view.RequestRow, 0, len(reqs))
	for i := range reqs {
		r := &reqs[i]
		if cats[r.StationID] == nil {
			types, _, err := s.catalogue(c, r.StationID)
			if err != nil {
				return nil, err
			}
			cats[r.StationID] = types
		}
		var svc []string
		for _, rs := range r.Services {
			svc = append(svc, cats[r.StationID][rs.Code].Name.In(lang))
		}
		row := view.RequestRow{
			ID: itoa64(r.ID), Ticket: r.Ticket, Services: strings.Join(svc, " + "), Status: string(r.Status),
			StatusLabel: statusLabel(c, r.Status), Created: pageTime(r.CreatedAt, s.stationLocation(c, r.StationID)), Overdue: overdue(r, now),
		}
		if r.Status.Open() {
			row.Waited = waitedText(c, r, now)
		}
		if row.Ticket == "" {
			row.Ticket = t(c, "queue.no_ticket")
		}
		row.Assignee = people.of(r.AssigneeID)
		rows = append(rows, row)
	}
	return rows, nil
}

// queuePage is how many of the most urgent requests the queue shows.
const queuePage = 20

// handleQueuePage: GET /queue, the officer's open requests, most urgent
// first: the longest waited against its target.
func (s *Server) handleQueuePage(c echo.Context) error {
	f, err := s.requestFilter(c)
	if err != nil {
		return err
	}
	if len(f.Statuses) == 0 {
		f.Statuses = []app.RequestStatus{app.RequestSubmitted, app.RequestAccepted, app.RequestCalled, app.RequestInProgress, app.RequestOnHold}
	}
	f.MostUrgent, f.Brief, f.Limit = true, true, 200
	all := c.QueryParam("all") != ""
	if !all {
		f.Limit = queuePage + 1 // one more tells whether there are more
	}
	reqs, err := s.store.ListRequests(c.Request().Context(), f)
	if err != nil {
		return err
	}
	v := view.RequestList{Staff: true, LiveURL: c.Request().URL.RequestURI()}
	if len(reqs) > queuePage && !all {
		reqs = reqs[:queuePage] // the most urgent first; the rest a tap away
		q := c.QueryParams()
		q.Set("all", "1")
		v.NextURL = "/queue?" + q.Encode()
	}
	if v.Rows, err = s.requestRows(c, reqs); err != nil {
		return err
	}
	if v.Filters, err = s.queueFilters(c, f); err != nil {
		return err
	}
	if v.Desk, err = s.queueDesk(c); err != nil {
		return err
	}
	v.Flash = queueRefusal(c)
	return s.render(c, http.StatusOK, t(c, "queue.title"), pages.Requests(v))
}

// queueFilters builds the queue's filter choices, keeping the current ones.
func (s *Server) queueFilters(c echo.Context, f app.RequestFilter) (view.QueueFilters, error) {
	var qf view.QueueFilters
	booths, err := s.booths(c.Request().Context())
	if err != nil {
		return qf, err
	}
	qf.Booths = []view.Option{{Value: "", Label: t(c, "queue.any")}}
	for _, b := range booths {
		if b.StationID == f.StationID {
			qf.Booths = append(qf.Booths, view.Option{Value: itoa64(b.ID), Label: b.Name, Selected: b.ID == f.BoothID})
		}
	}
	status := c.QueryParam("status")
	qf.Statuses = []view.Option{{Value: "", Label: t(c, "queue.open")}}
	for _, st := range []app.RequestStatus{app.RequestSubmitted, app.RequestAccepted, app.RequestInProgress, app.RequestOnHold, app.RequestCompleted, app.RequestRejected, app.RequestCancelled} {
		qf.Statuses = append(qf.Statuses, view.Option{Value: string(st), Label: statusLabel(c, st), Selected: status == string(st)})
	}
	_, types, err := s.catalogue(c, f.StationID)
	if err != nil {
		return qf, err
	}
	lang := i18n.Lang(c.Request().Context())
	qf.Types = []view.Option{{Value: "", Label: t(c, "queue.any")}}
	for _, ty := range types {
		qf.Types = append(qf.Types, view.Option{Value: ty.Code, Label: ty.Name.In(lang), Selected: ty.Code == f.Type})
	}
	return qf, nil
}

// newRequestPage builds the visit form for the services picked so far.
func (s *Server) newRequestPage(c echo.Context, picked []string, values map[string]string, errs view.Errors) (view.NewRequestPage, error) {
	ctx := c.Request().Context()
	lang := i18n.Lang(ctx)
	station, err := s.stationForCatalogue(c)
	if err != nil {
		return view.NewRequestPage{}, err
	}
	_, types, err := s.catalogue(c, station)
	if err != nil {
		return view.NewRequestPage{}, err
	}
	v := view.NewRequestPage{Errors: errs, Note: values["note"], IdempotencyKey: newKey()}
	for _, ty := range types {
		if !ty.Enabled {
			continue
		}
		chosen := slices.Contains(picked, ty.Code)
		opt := view.ServiceOption{Code: ty.Code, Name: ty.Name.In(lang), Description: ty.Description.In(lang), Note: ty.Note.In(lang), TargetMinutes: ty.TargetMinutes, Selected: chosen}
		v.Services = append(v.Services, opt)
		if !chosen {
			continue
		}
		v.TotalMinutes += ty.TargetMinutes
		for _, d := range ty.Documents {
			if doc := d.In(lang); !slices.Contains(v.Checklist, doc) {
				v.Checklist = append(v.Checklist, doc)
			}
		}
		if ty.Code == app.NewbornCode {
			v.Newborn = true
			v.NewbornForm = view.NewbornForm{
				BabyName: values["nb_baby_name"], Sex: values["nb_sex"], BirthDate: values["nb_birth_date"], BirthPlace: values["nb_birth_place"],
				CertificateNo: values["nb_certificate"], GuardianName: values["nb_guardian_name"], GuardianRelation: values["nb_guardian_relation"], GuardianPhone: values["nb_guardian_phone"],
			}
		}
		sf := view.ServiceFields{Code: ty.Code, Name: ty.Name.In(lang)}
		for _, fs := range ty.Fields {
			name := "f." + ty.Code + "." + fs.Code
			if fs.Kind == app.FieldChoice {
				sel := view.SelectField{Name: name, Label: fs.Label.In(lang), Error: errs[name]}
				for _, ch := range fs.Choices {
					sel.Options = append(sel.Options, view.Option{Value: ch.Value, Label: ch.Label.In(lang), Selected: values[name] == ch.Value})
				}
				sf.Selects = append(sf.Selects, sel)
				continue
			}
			fld := view.Field{Name: name, Label: fs.Label.In(lang), Value: values[name], Error: errs[name], Required: fs.Required, MaxLength: 500}
			switch fs.Kind {
			case app.FieldDate:
				fld.Type = "date"
			case app.FieldNumber:
				fld.InputMode = "numeric"
			case app.FieldIDCard:
				fld.MaxLength = 18
				fld.Autocomplete = "off"
			}
			sf.Fields = append(sf.Fields, fld)
		}
		v.Picked = append(v.Picked, sf)
	}
	home := ""
	if p := caller(c); p.User.HomeBoothID != nil {
		home = itoa64(*p.User.HomeBoothID)
	}
	if values["booth_id"] != "" {
		home = values["booth_id"]
	}
	if v.Booths, err = s.boothOptions(c, home); err != nil {
		return v, err
	}
	v.Summary = requestErrorLinks(c, &v, errs)
	v.Slots = []view.Option{{Value: "", Label: t(c, "req.any_time")}}
	if id, err := parseID(home); err == nil {
		slots, err := s.store.ListSlots(ctx, id, s.now(), 50)
		if err != nil {
			return v, err
		}
		loc := s.stationLocation(c, station)
		for _, sl := range slots {
			if sl.Booked < sl.Capacity {
				label := sl.StartsAt.In(loc).Format("01-02 15:04") + "–" + sl.EndsAt.In(loc).Format("15:04")
				v.Slots = append(v.Slots, view.Option{Value: itoa64(sl.ID), Label: label, Selected: values["slot_id"] == itoa64(sl.ID)})
			}
		}
	}
	return v, nil
}

// handleNewRequestPage: GET /requests/new?service=…, the visit form; with
// next=1 (下一步) and no service picked, the form says so.
func (s *Server) handleNewRequestPage(c echo.Context) error {
	picked, errs, status := c.QueryParams()["service"], view.Errors{}, http.StatusOK
	if c.QueryParam("next") != "" && len(picked) == 0 {
		errs["services"], errs[""], status = t(c, "req.err_pick"), t(c, "form.fix_below"), http.StatusBadRequest
	}
	v, err := s.newRequestPage(c, picked, map[string]string{}, errs)
	if err != nil {
		return err
	}
	return s.render(c, status, t(c, "req.new_title"), pages.NewRequest(v))
}

// requestErrorLinks lists the visit form's field errors in the form's
// order, each linking to its field (ids "f-"+name; the services to the
// first choice).
func requestErrorLinks(c echo.Context, v *view.NewRequestPage, errs view.Errors) []view.ErrorLink {
	var out []view.ErrorLink
	add := func(name, label, href string) {
		if msg := errs[name]; msg != "" {
			if href == "" {
				href = "#f-" + name
			}
			out = append(out, view.ErrorLink{Text: t(c, "form.error_link", "Label", label, "Error", msg), Href: href})
		}
	}
	if len(v.Services) > 0 {
		add("services", t(c, "req.pick_services"), "#svc-"+v.Services[0].Code)
	}
	for _, sf := range v.Picked {
		for _, f := range sf.Fields {
			add(f.Name, f.Label, "")
		}
		for _, sel := range sf.Selects {
			add(sel.Name, sel.Label, "")
		}
	}
	for _, k := range []string{"nb_baby_name", "nb_birth_date", "nb_birth_place", "nb_certificate", "nb_guardian_name", "nb_guardian_phone"} {
		label := "nb." + strings.TrimPrefix(k, "nb_")
		if k == "nb_guardian_phone" {
			label = "form.phone"
		}
		add(k, t(c, label), "")
	}
	add("booth_id", t(c, "req.booth"), "")
	add("slot_id", t(c, "req.slot"), "")
	return out
}

// handleNewRequestSubmit: POST /requests/new submits the visit.
func (s *Server) handleNewRequestSubmit(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	picked := form["service"]
	values := map[string]string{}
	for k, v := range form {
		if len(v) > 0 {
			values[k] = strings.TrimSpace(v[0])
		}
	}
	errs := view.Errors{}
	nr := app.NewRequest{ResidentID: caller(c).UserID, Services: picked, Note: values["note"], Fields: map[string]map[string]string{}, MaxOpen: s.cfg.MaxOpenRequests}
	if len(picked) == 0 {
		errs["services"] = t(c, "req.err_pick")
	}
	if id, err := parseID(values["booth_id"]); err == nil {
		nr.BoothID = id
	}
	if id, err := parseID(values["slot_id"]); err == nil {
		nr.SlotID = &id
	}
	if station, err := s.stationForBooth(c, nr.BoothID); err == nil {
		types, _, err := s.catalogue(c, station)
		if err != nil {
			return err
		}
		for _, code := range picked {
			nr.Fields[code] = map[string]string{}
			for _, fs := range types[code].Fields {
				name := "f." + code + "." + fs.Code
				val := values[name]
				if msg := checkFieldValue(c, fs, val); msg != "" {
					errs[name] = msg
				}
				if val != "" {
					nr.Fields[code][fs.Code] = val
				}
			}
		}
	}
	if slices.Contains(picked, app.NewbornCode) {
		nr.Newborn = &app.Newborn{
			BabyName: values["nb_baby_name"], Sex: values["nb_sex"], BirthDate: values["nb_birth_date"], BirthPlace: values["nb_birth_place"],
			BirthCertificateNo: values["nb_certificate"],
			Guardians:          []app.Guardian{{Name: values["nb_guardian_name"], Relation: values["nb_guardian_relation"], Phone: values["nb_guardian_phone"]}},
		}
		for _, k := range []string{"nb_baby_name", "nb_birth_date", "nb_birth_place", "nb_certificate", "nb_guardian_name"} {
			if values[k] == "" {
				errs[k] = t(c, "req.err_required")
			}
		}
	}
	if len(errs) == 0 {
		r, err := s.store.CreateRequest(c.Request().Context(), nr)
		if err == nil {
			return c.Redirect(http.StatusSeeOther, "/requests/"+itoa64(r.ID)+"?created=1")
		}
		switch {
		case app.FieldOf(err) == "slot_id":
			errs["slot_id"] = t(c, "req.err_slot")
		case newbornFieldError(c, err, errs):
		default:
			msg, _, err := s.formError(c, err)
			if err != nil {
				return err
			}
			errs[""] = msg
		}
	}
	if errs[""] == "" {
		errs[""] = t(c, "form.fix_below") // the fields may be far down a phone's screen
	}
	v, err := s.newRequestPage(c, picked, values, errs)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusBadRequest, t(c, "req.new_title"), pages.NewRequest(v))
}

// stationForBooth is the station of a booth, or of the caller's home booth.
func (s *Server) stationForBooth(c echo.Context, boothID int64) (int64, error) {
	if boothID == 0 {
		return s.stationForCatalogue(c)
	}
	b, err := s.booth(c.Request().Context(), boothID)
	if err != nil {
		return 0, err
	}
	return b.StationID, nil
}

// checkFieldValue returns the reader's message for a bad field value.
func checkFieldValue(c echo.Context, fs app.FieldSpec, val string) string {
	if val == "" {
		if fs.Required {
			return t(c, "req.err_required")
		}
		return ""
	}
	switch fs.Kind {
	case app.FieldIDCard:
		if _, ok := app.ValidIDCard(val); !ok {
			return t(c, "req.err_id_card")
		}
	case app.FieldNumber:
		if _, err := strconv.ParseFloat(val, 64); err != nil {
			return t(c, "req.err_number")
		}
	case app.FieldDate:
		if _, err := time.Parse(time.DateOnly, val); err != nil {
			return t(c, "req.err_date")
		}
	}
	return ""
}

// requestPage builds the page of one request for the caller.
func (s *Server) requestPage(c echo.Context, r *app.ServiceRequest) (view.RequestPage, error) {
	ctx := c.Request().Context()
	lang := i18n.Lang(ctx)
	p := caller(c)
	now := s.now()
	loc := s.stationLocation(c, r.StationID)
	types, _, err := s.catalogue(c, r.StationID)
	if err != nil {
		return view.RequestPage{}, err
	}
	v := view.RequestPage{
		ID: itoa64(r.ID), Ticket: r.Ticket, Status: string(r.Status), StatusLabel: statusLabel(c, r.Status),
		Created: pageTime(r.CreatedAt, loc), Waited: waitedText(c, r, now), Overdue: overdue(r, now), Note: r.Note,
		Staff: p.Role.Staff(), Open: r.Status.Open(), CanAttach: r.Status.Open(),
		CanCancel: p.Role == app.RoleResident && app.CheckRequestMove(r.Status, app.RequestCancelled, true, "") == nil,
	}
	if v.Ticket == "" {
		v.Ticket = t(c, "queue.no_ticket")
	}
	if v.Queue, err = s.requestQueueView(c, r); err != nil {
		return v, err
	}
	if b, err := s.booth(ctx, r.BoothID); err == nil {
		v.Booth = s.describeBooth(ctx, b).BoothName
	}
	for _, rs := range r.Services {
		ty := types[rs.Code]
		sv := view.RequestServiceView{Name: ty.Name.In(lang)}
		masked := maskedFields(ty, rs.Fields)
		for _, fs := range ty.Fields {
			if val := masked[fs.Code]; val != "" {
				for _, ch := range fs.Choices {
					if ch.Value == val {
						val = ch.Label.In(lang)
					}
				}
				sv.Fields = append(sv.Fields, view.KeyValue{Key: fs.Label.In(lang), Value: val})
			}
		}
		for i, d := range ty.Documents {
			key := fmt.Sprintf("%s:%d", rs.Code, i)
			sv.Documents = append(sv.Documents, view.CheckItem{Key: key, Label: d.In(lang), Checked: slices.Contains(r.Checked, key)})
		}
		v.Services = append(v.Services, sv)
	}
	if r.Newborn != nil {
		v.Newborn = newbornFacts(c, r.Newborn)
		if v.Photos, err = s.photoZone(c, r); err != nil {
			return v, err
		}
	}
	people := s.names(ctx)
	for _, e := range r.Timeline {
		row := view.TimelineRow{At: pageTime(e.At, loc), Who: people.of(e.ActorID)}
		switch e.Kind {
		case "status":
			row.Text = t(c, "tl.status", "To", statusLabel(c, app.RequestStatus(e.To)))
		case "assignment":
			to := e.To
			if id, err := parseID(e.To); err == nil {
				to = people.of(&id)
			}
			row.Text = t(c, "tl.assignment", "To", to)
		default:
			row.Text = t(c, "tl."+e.Kind)
		}
		if e.Note != "" {
			row.Text += ": " + e.Note
		}
		v.Timeline = append(v.Timeline, row)
	}
	for _, a := range r.Attachments {
		v.Attachments = append(v.Attachments, view.AttachmentRow{Name: a.Name, URL: "/api/v1/attachments/" + itoa64(a.ID)})
	}
	if v.Staff {
		for _, to := range []app.RequestStatus{app.RequestAccepted, app.RequestInProgress, app.RequestCompleted, app.RequestOnHold, app.RequestRejected} {
			if app.CheckRequestMove(r.Status, to, false, "reason") == nil {
				v.Actions = append(v.Actions, view.RequestAction{To: string(to), Label: t(c, "act."+string(to)), Primary: to != app.RequestOnHold && to != app.RequestRejected})
			}
		}
		staff, err := s.store.ListStaff(ctx, r.StationID)
		if err != nil {
			return v, err
		}
		// Nobody is picked unless the request has an assignee: a default
		// (the first of the list is the head) would hand it on by mistake.
		v.Officers = []view.Option{{Value: "", Label: t(c, "req.assign_pick"), Selected: r.AssigneeID == nil}}
		for _, u := range staff {
			if !u.Disabled && u.Role.Staff() { // guards and volunteers take no requests
				v.Officers = append(v.Officers, view.Option{Value: itoa64(u.ID), Label: u.Name, Selected: r.AssigneeID != nil && *r.AssigneeID == u.ID})
			}
		}
	}
	return v, nil
}

// renderRequest shows a request page, with a message.
func (s *Server) renderRequest(c echo.Context, status int, r *app.ServiceRequest, flash, errMsg string) error {
	v, err := s.requestPage(c, r)
	if err != nil {
		return err
	}
	v.Flash, v.Error = flash, errMsg
	return s.render(c, status, t(c, "req.ticket", "Ticket", v.Ticket), pages.Request(v))
}

// handleRequestPage: GET /requests/:id.
func (s *Server) handleRequestPage(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	scope, err := requestScope(c)
	if err != nil {
		return err
	}
	r, err := s.store.FindRequest(c.Request().Context(), id, scope)
	if err != nil {
		return err
	}
	flash := ""
	switch {
	case c.QueryParam("created") != "" && r.Ticket == "":
		flash = t(c, "queue.filed")
	case c.QueryParam("created") != "":
		flash = t(c, "req.created", "Ticket", r.Ticket)
	case c.QueryParam("arrived") != "":
		flash = t(c, "queue.arrived", "Ticket", r.Ticket)
	case c.QueryParam("done") != "":
		flash = t(c, "req.saved")
	case c.QueryParam("taken") != "":
		flash = t(c, "ph.taken_done")
	}
	return s.renderRequest(c, http.StatusOK, r, flash, "")
}

// afterMove answers a form that changed a request: back to its page, or
// the page again with what went wrong.
func (s *Server) afterMove(c echo.Context, id int64, err error) error {
	if err == nil {
		return c.Redirect(http.StatusSeeOther, "/requests/"+itoa64(id)+"?done=1")
	}
	msg, status, ferr := s.formError(c, err)
	if ferr != nil {
		return ferr
	}
	scope, serr := requestScope(c)
	if serr != nil {
		return serr
	}
	r, rerr := s.store.FindRequest(c.Request().Context(), id, scope)
	if rerr != nil {
		return rerr
	}
	return s.renderRequest(c, status, r, "", msg)
}

// handleRequestPageMove: POST /requests/:id/move (status change form).
func (s *Server) handleRequestPageMove(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	r, err := s.moveRequest(c, app.RequestMove{To: app.RequestStatus(c.FormValue("to")), Note: strings.TrimSpace(c.FormValue("note"))})
	if err == nil && r.Status == app.RequestCompleted && r.Newborn != nil && caller(c).Role == app.RoleOfficer {
		// A completed newborn registration goes on in the photo zone.
		return c.Redirect(http.StatusSeeOther, "/requests/"+itoa64(id)+"?done=1#photos")
	}
	return s.afterMove(c, id, err)
}

// handleRequestPageChecklist: POST /requests/:id/checklist.
func (s *Server) handleRequestPageChecklist(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	checked := form["checked"]
	if checked == nil {
		checked = []string{}
	}
	_, err = s.moveRequest(c, app.RequestMove{Checked: checked})
	return s.afterMove(c, id, err)
}

// handleRequestPageAssign: POST /requests/:id/assign.
func (s *Server) handleRequestPageAssign(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	assignee, err := parseID(c.FormValue("assignee_id"))
	if err != nil {
		return s.afterMove(c, id, app.Errorf(app.EINVALID, "%s", t(c, "req.assign_pick_error")))
	}
	_, err = s.moveRequest(c, app.RequestMove{AssigneeID: &assignee})
	return s.afterMove(c, id, err)
}

// handleRequestPageNote: POST /requests/:id/note.
func (s *Server) handleRequestPageNote(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	text := strings.TrimSpace(c.FormValue("text"))
	if text == "" {
		return s.afterMove(c, id, app.Errorf(app.EINVALID, "write the note first"))
	}
	_, err = s.moveRequest(c, app.RequestMove{Note: text})
	return s.afterMove(c, id, err)
}

// handleRequestPageAttach: POST /requests/:id/attachments from the page.
func (s *Server) handleRequestPageAttach(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	_, err = s.saveAttachment(c)
	switch app.ErrorCode(err) {
	case "":
		return s.afterMove(c, id, nil)
	case app.EUNSUPPORTED:
		err = app.Errorf(app.EINVALID, "%s", t(c, "req.err_upload_type"))
	case app.ETOOLARGE:
		err = app.Errorf(app.EINVALID, "%s", t(c, "req.err_upload_size"))
	}
	var ae *app.Error
	if errors.As(err, &ae) && ae.Code == app.EINVALID {
		return s.afterMove(c, id, err)
	}
	return err
}
