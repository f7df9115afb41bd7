package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
	"policebooth/server/i18n"
)

// requestJSON is a service request as the API shows it. ID-card numbers
// are masked: the booth never shows them in full.
type requestJSON struct {
	ID            int64               `json:"id,string"`
	StationID     int64               `json:"station_id,string"`
	BoothID       int64               `json:"booth_id,string"`
	ResidentID    *int64              `json:"resident_id,string,omitempty"`
	Ticket        string              `json:"ticket"`
	Status        app.RequestStatus   `json:"status"`
	Services      []requestServiceOut `json:"services"`
	Note          string              `json:"note,omitempty"`
	SlotID        *int64              `json:"slot_id,string,omitempty"`
	AssigneeID    *int64              `json:"assignee_id,string,omitempty"`
	TargetMinutes int                 `json:"target_minutes"`
	WaitedMinutes int                 `json:"waited_minutes"`
	Overdue       bool                `json:"overdue"`
	Checked       []string            `json:"checked"`
	Newborn       *app.Newborn        `json:"newborn,omitempty"`
	CreatedAt     time.Time           `json:"created_at"`
	UpdatedAt     time.Time           `json:"updated_at"`
	ClosedAt      *time.Time          `json:"closed_at,omitempty"`
	Timeline      []timelineJSON      `json:"timeline,omitempty"`
	Attachments   []attachmentJSON    `json:"attachments,omitempty"`
}

type requestServiceOut struct {
	Code   string            `json:"code"`
	Name   string            `json:"name"`
	Fields map[string]string `json:"fields"`
}

type timelineJSON struct {
	At      time.Time `json:"at"`
	ActorID *int64    `json:"actor_id,string,omitempty"`
	Kind    string    `json:"kind"`
	From    string    `json:"from,omitempty"`
	To      string    `json:"to,omitempty"`
	Note    string    `json:"note,omitempty"`
}

type attachmentJSON struct {
	ID          int64     `json:"id,string"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	URL         string    `json:"url"`
	CreatedAt   time.Time `json:"created_at"`
}

// waited is how long a request has waited, until now or until it closed.
func waited(r *app.ServiceRequest, now time.Time) time.Duration {
	end := now
	if r.ClosedAt != nil {
		end = *r.ClosedAt
	}
	return end.Sub(r.CreatedAt)
}

// overdue reports whether an open request has waited past its target.
func overdue(r *app.ServiceRequest, now time.Time) bool {
	return r.Status.Open() && r.TargetMinutes > 0 && waited(r, now) > time.Duration(r.TargetMinutes)*time.Minute
}

// toRequestJSON shows a request; types names its services in lang.
func toRequestJSON(r *app.ServiceRequest, types map[string]app.ServiceType, lang string, now time.Time) requestJSON {
	out := requestJSON{
		ID: r.ID, StationID: r.StationID, BoothID: r.BoothID, ResidentID: r.ResidentID, Ticket: r.Ticket, Status: r.Status,
		Note: r.Note, SlotID: r.SlotID, AssigneeID: r.AssigneeID, TargetMinutes: r.TargetMinutes,
		WaitedMinutes: int(waited(r, now).Minutes()), Overdue: overdue(r, now), Checked: r.Checked, Newborn: r.Newborn,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, ClosedAt: r.ClosedAt,
	}
	if out.Checked == nil {
		out.Checked = []string{}
	}
	for _, svc := range r.Services {
		st := types[svc.Code]
		out.Services = append(out.Services, requestServiceOut{Code: svc.Code, Name: st.Name.In(lang), Fields: maskedFields(st, svc.Fields)})
	}
	for _, e := range r.Timeline {
		out.Timeline = append(out.Timeline, timelineJSON{At: e.At, ActorID: e.ActorID, Kind: e.Kind, From: e.From, To: e.To, Note: e.Note})
	}
	for _, a := range r.Attachments {
		out.Attachments = append(out.Attachments, attachmentJSON{ID: a.ID, Name: a.Name, ContentType: a.ContentType, Size: a.Size, URL: "/api/v1/attachments/" + itoa64(a.ID), CreatedAt: a.CreatedAt})
	}
	return out
}

// maskedFields copies a service's field values with ID numbers masked.
func maskedFields(st app.ServiceType, values map[string]string) map[string]string {
	out := make(map[string]string, len(values))
	for k, v := range values {
		out[k] = v
	}
	for _, f := range st.Fields {
		if f.Kind == app.FieldIDCard && out[f.Code] != "" {
			out[f.Code] = app.MaskIDCard(out[f.Code])
		}
	}
	return out
}

// requestScope is what the caller may see: a resident their own requests,
// staff their station's. Others see nothing.
func requestScope(c echo.Context) (app.RequestFilter, error) {
	p := caller(c)
	switch {
	case p.Role == app.RoleResident:
		return app.RequestFilter{ResidentID: p.UserID}, nil
	case p.Role.Staff() && p.StationID != nil:
		return app.RequestFilter{StationID: *p.StationID}, nil
	}
	return app.RequestFilter{}, app.Errorf(app.EFORBIDDEN, "only residents and station staff have requests")
}

// catalogue returns a station's service types by code.
func (s *Server) catalogue(c echo.Context, stationID int64) (map[string]app.ServiceType, []app.ServiceType, error) {
	types, err := s.cache.catalogue.get(stationID, func() ([]app.ServiceType, error) {
		return s.store.ServiceTypes(c.Request().Context(), stationID)
	})
	if err != nil {
		return nil, nil, err
	}
	byCode := make(map[string]app.ServiceType, len(types))
	for _, t := range types {
		byCode[t.Code] = t
	}
	return byCode, types, nil
}

// stationForCatalogue is the station whose catalogue the caller sees: the
// booth_id asked for, the caller's station or home booth's, else the first.
func (s *Server) stationForCatalogue(c echo.Context) (int64, error) {
	ctx := c.Request().Context()
	if v := c.QueryParam("booth_id"); v != "" {
		id, err := parseID(v)
		if err != nil {
			return 0, app.Errorf(app.EINVALID, "booth_id is not a booth id")
		}
		b, err := s.booth(ctx, id)
		if err != nil {
			return 0, err
		}
		return b.StationID, nil
	}
	if p := caller(c); p != nil {
		if p.StationID != nil {
			return *p.StationID, nil
		}
		if p.User.HomeBoothID != nil {
			if b, err := s.booth(ctx, *p.User.HomeBoothID); err == nil {
				return b.StationID, nil
			}
		}
	}
	booths, err := s.booths(ctx)
	if err != nil {
		return 0, err
	}
	if len(booths) == 0 {
		return 0, app.Errorf(app.ENOTFOUND, "there are no booths yet")
	}
	return booths[0].StationID, nil
}

// serviceTypeJSON is a service type in the reader's language.
type serviceTypeJSON struct {
	Code          string          `json:"code"`
	Name          string          `json:"name"`
	Description   string          `json:"description"`
	Documents     []string        `json:"documents"`
	Fields        []app.FieldSpec `json:"fields"`
	TargetMinutes int             `json:"target_minutes"`
	NeedsVisit    bool            `json:"needs_visit"`
	Enabled       bool            `json:"enabled"`
	Note          string          `json:"note,omitempty"`
}

// handleServiceTypesList: GET /service-types.
func (s *Server) handleServiceTypesList(c echo.Context) error {
	station, err := s.stationForCatalogue(c)
	if err != nil {
		return err
	}
	_, types, err := s.catalogue(c, station)
	if err != nil {
		return err
	}
	lang := i18n.Lang(c.Request().Context())
	staff := caller(c) != nil && caller(c).Role.Staff()
	out := list[serviceTypeJSON]{Items: []serviceTypeJSON{}}
	for _, t := range types {
		if !t.Enabled && !staff {
			continue
		}
		j := serviceTypeJSON{Code: t.Code, Name: t.Name.In(lang), Description: t.Description.In(lang), Fields: t.Fields,
			TargetMinutes: t.TargetMinutes, NeedsVisit: t.NeedsVisit, Enabled: t.Enabled, Note: t.Note.In(lang), Documents: []string{}}
		for _, d := range t.Documents {
			j.Documents = append(j.Documents, d.In(lang))
		}
		if j.Fields == nil {
			j.Fields = []app.FieldSpec{}
		}
		out.Items = append(out.Items, j)
	}
	return c.JSON(http.StatusOK, out)
}

type serviceSettingRequest struct {
	Enabled       *bool     `json:"enabled"`
	TargetMinutes *int      `json:"target_minutes"`
	Note          *app.Text `json:"note"`
}

// handleServiceTypeUpdate: PATCH /service-types/:code, a head's setting.
func (s *Server) handleServiceTypeUpdate(c echo.Context) error {
	var r serviceSettingRequest
	if err := bind(c, &r); err != nil {
		return err
	}
	station, _ := caller(c).stationOf()
	err := s.store.SetServiceSetting(c.Request().Context(), actorOf(c), app.ServiceSetting{
		StationID: station, Code: c.Param("code"), Enabled: r.Enabled, TargetMinutes: r.TargetMinutes, Note: r.Note,
	})
	s.cache.catalogue.forgetAll()
	if err != nil {
		return err
	}
	return s.handleServiceTypesList(c)
}

type newRequestJSON struct {
	Services []string                     `json:"services"`
	Fields   map[string]map[string]string `json:"fields"`
	SlotID   string                       `json:"slot_id"`
	Note     string                       `json:"note"`
	BoothID  string                       `json:"booth_id"`
	Newborn  *app.Newborn                 `json:"newborn"`
}

// toNewRequest checks the ids of a submitted request.
func toNewRequest(c echo.Context, r newRequestJSON) (app.NewRequest, error) {
	nr := app.NewRequest{ResidentID: caller(c).UserID, Services: r.Services, Fields: r.Fields, Note: strings.TrimSpace(r.Note), Newborn: r.Newborn}
	if r.BoothID != "" {
		id, err := parseID(r.BoothID)
		if err != nil {
			return nr, app.Errorf(app.EINVALID, "booth_id is not a booth id")
		}
		nr.BoothID = id
	}
	if r.SlotID != "" {
		id, err := parseID(r.SlotID)
		if err != nil {
			return nr, app.Errorf(app.EINVALID, "slot_id is not a slot id")
		}
		nr.SlotID = &id
	}
	return nr, nil
}

// handleRequestCreate: POST /service-requests (resident).
func (s *Server) handleRequestCreate(c echo.Context) error {
	var r newRequestJSON
	if err := bind(c, &r); err != nil {
		return err
	}
	nr, err := toNewRequest(c, r)
	if err != nil {
		return err
	}
	nr.MaxOpen = s.cfg.MaxOpenRequests
	req, err := s.store.CreateRequest(c.Request().Context(), nr)
	if err != nil {
		return err
	}
	return s.requestAnswer(c, http.StatusCreated, req)
}

// requestAnswer writes one request as JSON.
func (s *Server) requestAnswer(c echo.Context, status int, r *app.ServiceRequest) error {
	types, _, err := s.catalogue(c, r.StationID)
	if err != nil {
		return err
	}
	return c.JSON(status, toRequestJSON(r, types, i18n.Lang(c.Request().Context()), s.now()))
}

// requestFilter reads the list filters from the query, scoped to the caller.
func (s *Server) requestFilter(c echo.Context) (app.RequestFilter, error) {
	f, err := requestScope(c)
	if err != nil {
		return f, err
	}
	q := c.QueryParams()
	for _, v := range q["status"] {
		for _, st := range strings.Split(v, ",") {
			status := app.RequestStatus(st)
			if !status.Valid() {
				return f, app.Errorf(app.EINVALID, "unknown status %q", st)
			}
			f.Statuses = append(f.Statuses, status)
		}
	}
	f.Type = q.Get("type")
	if f.Type != "" && !isCode(f.Type) {
		return f, app.Errorf(app.EINVALID, "type must be a service code")
	}
	for name, dst := range map[string]*int64{"booth_id": &f.BoothID, "assignee": &f.AssigneeID, "cursor": &f.Before} {
		if v := q.Get(name); v != "" {
			id, err := parseID(v)
			if err != nil {
				return f, app.Errorf(app.EINVALID, "%s is not valid", name)
			}
			*dst = id
		}
	}
	for name, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		if v := q.Get(name); v != "" {
			loc := s.cfg.TimeZone
			if f.StationID != 0 {
				loc = s.stationLocation(c, f.StationID)
			}
			d, err := time.ParseInLocation(time.DateOnly, v, loc)
			if err != nil {
				return f, app.Errorf(app.EINVALID, "%s must be a date like 2026-11-26", name)
			}
			*dst = d
		}
	}
	if !f.To.IsZero() {
		f.To = f.To.AddDate(0, 0, 1)
	}
	f.Limit = 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			return f, app.Errorf(app.EINVALID, "limit must be 1 to 200")
		}
		f.Limit = n
	}
	return f, nil
}

// handleRequestList: GET /service-requests.
func (s *Server) handleRequestList(c echo.Context) error {
	f, err := s.requestFilter(c)
	if err != nil {
		return err
	}
	reqs, err := s.store.ListRequests(c.Request().Context(), f)
	if err != nil {
		return err
	}
	lang := i18n.Lang(c.Request().Context())
	now := s.now()
	cats := map[int64]map[string]app.ServiceType{}
	out := list[requestJSON]{Items: make([]requestJSON, 0, len(reqs))}
	for i := range reqs {
		r := &reqs[i]
		if cats[r.StationID] == nil {
			if cats[r.StationID], _, err = s.catalogue(c, r.StationID); err != nil {
				return err
			}
		}
		out.Items = append(out.Items, toRequestJSON(r, cats[r.StationID], lang, now))
	}
	if len(reqs) == f.Limit {
		out.NextCursor = itoa64(reqs[len(reqs)-1].ID)
	}
	return c.JSON(http.StatusOK, out)
}

// idParam reads a record's :id; a malformed id is simply not found.
func idParam(c echo.Context) (int64, error) {
	id, err := parseID(c.Param("id"))
	if err != nil {
		return 0, app.ErrNotFound
	}
	return id, nil
}

// handleRequestGet: GET /service-requests/:id.
func (s *Server) handleRequestGet(c echo.Context) error {
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
	return s.requestAnswer(c, http.StatusOK, r)
}

type transitionRequest struct {
	To   string `json:"to"`
	Note string `json:"note"`
}

// moveRequest applies a move for the caller and answers with the request.
func (s *Server) moveRequest(c echo.Context, m app.RequestMove) (*app.ServiceRequest, error) {
	id, err := idParam(c)
	if err != nil {
		return nil, err
	}
	scope, err := requestScope(c)
	if err != nil {
		return nil, err
	}
	p := caller(c)
	m.ActorID, m.ByResident = p.UserID, p.Role == app.RoleResident
	if m.ByResident && (m.AssigneeID != nil || m.Checked != nil) {
		return nil, app.Errorf(app.EFORBIDDEN, "only staff assign requests and tick documents")
	}
	return s.store.MoveRequest(c.Request().Context(), id, scope, m)
}

// handleRequestTransition: POST /service-requests/:id/transitions.
func (s *Server) handleRequestTransition(c echo.Context) error {
	var r transitionRequest
	if err := bind(c, &r); err != nil {
		return err
	}
	if r.To == "" {
		return app.Errorf(app.EINVALID, "to is required")
	}
	req, err := s.moveRequest(c, app.RequestMove{To: app.RequestStatus(r.To), Note: strings.TrimSpace(r.Note)})
	if err != nil {
		return err
	}
	return s.requestAnswer(c, http.StatusOK, req)
}

type assignmentRequest struct {
	AssigneeID string `json:"assignee_id"`
	Note       string `json:"note"`
}

// handleRequestAssign: POST /service-requests/:id/assignment (staff).
func (s *Server) handleRequestAssign(c echo.Context) error {
	var r assignmentRequest
	if err := bind(c, &r); err != nil {
		return err
	}
	id, err := parseID(r.AssigneeID)
	if err != nil {
		return app.Errorf(app.EINVALID, "assignee_id is not a user id")
	}
	req, err := s.moveRequest(c, app.RequestMove{AssigneeID: &id, Note: strings.TrimSpace(r.Note)})
	if err != nil {
		return err
	}
	return s.requestAnswer(c, http.StatusOK, req)
}

type noteRequest struct {
	Text string `json:"text"`
}

// handleRequestNote: POST /service-requests/:id/notes adds a timeline note.
func (s *Server) handleRequestNote(c echo.Context) error {
	var r noteRequest
	if err := bind(c, &r); err != nil {
		return err
	}
	text := strings.TrimSpace(r.Text)
	if text == "" || len([]rune(text)) > 1000 {
		return app.Errorf(app.EINVALID, "a note needs 1 to 1000 characters")
	}
	req, err := s.moveRequest(c, app.RequestMove{Note: text})
	if err != nil {
		return err
	}
	return s.requestAnswer(c, http.StatusCreated, req)
}

type checklistRequest struct {
	Checked []string `json:"checked"`
}

// handleRequestChecklist: PUT /service-requests/:id/checklist (staff).
func (s *Server) handleRequestChecklist(c echo.Context) error {
	var r checklistRequest
	if err := bind(c, &r); err != nil {
		return err
	}
	if r.Checked == nil {
		r.Checked = []string{}
	}
	req, err := s.moveRequest(c, app.RequestMove{Checked: r.Checked})
	if err != nil {
		return err
	}
	return s.requestAnswer(c, http.StatusOK, req)
}
