package web

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
	"policebooth/templates/view"
)

// What a call's responders see besides the call itself (issue 21): the
// caller and their safety profile (every staff view audited), the position
// on the maps people in China use, its trail, and hand-offs to 110/120/119.

// Prefixes of message ids completed by a code: a need, a compass point,
// an emergency service.
const (
	needReminderID = "callinfo.need_"
	needLabelID    = "safety.need_"
	compassID      = "callinfo.dir_" // #nosec G101 -- an i18n id prefix, not a credential
	serviceID      = "callinfo.service_"
	handedToID     = "callinfo.handed_to_"
)

// staffCallJSON is a call as its station's staff read it in the API: with
// the caller's identity, their safety profile while the call is open, the
// trail of positions and the map links of the latest one.
type staffCallJSON struct {
	callJSON
	Caller  *app.CallerIdentity `json:"caller,omitempty"`
	Profile *app.SafetyProfile  `json:"profile,omitempty"`
	Trail   []app.CallPosition  `json:"trail"`
	Map     *app.MapLinks       `json:"map,omitempty"`
	Assists []app.CallAssist    `json:"assists"` // guards' and volunteers' answers
}

// staffCall adds what staff see to a call, auditing the view.
func (s *Server) staffCall(c echo.Context, call *app.AssistanceCall) (*staffCallJSON, error) {
	ctx := c.Request().Context()
	views, err := s.store.CallerViews(ctx, call.StationID, caller(c).UserID, []int64{call.ID}, c.RealIP(), "api")
	if err != nil {
		return nil, err
	}
	trail, err := s.store.CallTrail(ctx, call.ID, 0)
	if err != nil {
		return nil, err
	}
	assists, err := s.store.CallAssists(ctx, call.ID)
	if err != nil {
		return nil, err
	}
	out := &staffCallJSON{callJSON: callJSON{call}, Caller: views[call.ID].Caller, Profile: views[call.ID].Profile, Trail: trail, Assists: assists}
	if call.Lat != nil && call.Lng != nil {
		links := app.LinksFor(app.LatLng{Lat: *call.Lat, Lng: *call.Lng}, "#"+itoa64(call.ID))
		out.Map = &links
	}
	return out, nil
}

// callInfos builds what the page shows about each call beyond its facts.
// For staff it reads (and audits, naming via) the callers' identities; for
// the caller it shows the hand-offs and offers the safety profile.
func (s *Server) callInfos(c echo.Context, calls []*app.AssistanceCall, via string) (map[int64]*view.CallInfo, error) {
	ctx := c.Request().Context()
	p := caller(c)
	out := map[int64]*view.CallInfo{}
	staff := p.Role.Staff()
	var views map[int64]app.CallerView
	if staff && len(calls) > 0 {
		ids := make([]int64, len(calls))
		for i, call := range calls {
			ids[i] = call.ID
		}
		var err error
		if views, err = s.store.CallerViews(ctx, calls[0].StationID, p.UserID, ids, c.RealIP(), via); err != nil {
			return nil, err
		}
	}
	for _, call := range calls {
		v := &view.CallInfo{CallID: itoa64(call.ID), Staff: staff}
		v.Handoffs = handoffTexts(c, call)
		if !staff {
			if call.Status.Open() {
				prof, err := s.store.SafetyProfile(ctx, p.UserID)
				if err != nil {
					return nil, err
				}
				if prof.Empty() {
					v.ProfileURL = "/safety-profile"
				}
			}
			out[call.ID] = v
			continue
		}
		if cv := views[call.ID]; cv.Caller != nil {
			v.CallerName, v.CallerPhone, v.TelURL, v.ElderMode = cv.Caller.Name, cv.Caller.Phone, "tel:"+cv.Caller.Phone, cv.Caller.ElderMode
			if pr := cv.Profile; pr != nil {
				v.LivesAlone, v.MedicalNotes = pr.LivesAlone, pr.MedicalNotes
				for _, n := range pr.Needs {
					v.Reminders = append(v.Reminders, t(c, needReminderID+n))
				}
				for _, ct := range pr.EmergencyContacts {
					who := ct.Name
					if ct.Relation != "" {
						who += "（" + ct.Relation + "）"
					}
					v.Contacts = append(v.Contacts, who+" "+ct.Phone)
				}
			}
		}
		if err := s.placeOf(c, call, v); err != nil {
			return nil, err
		}
		v.CanHandOff = via != "board" && call.Status != app.CallCancelled
		for _, to := range app.HandoffTargets {
			v.HandoffTo = append(v.HandoffTo, view.Option{Value: to, Label: t(c, serviceID+to)})
		}
		out[call.ID] = v
	}
	return out, nil
}

// placeOf fills in where the caller is: distance and direction from the
// call's booth, accuracy, map links and the trail.
func (s *Server) placeOf(c echo.Context, call *app.AssistanceCall, v *view.CallInfo) error {
	if call.Lat == nil || call.Lng == nil {
		return nil
	}
	ctx := c.Request().Context()
	pos := app.LatLng{Lat: *call.Lat, Lng: *call.Lng}
	links := app.LinksFor(pos, t(c, "call.title", "ID", itoa64(call.ID)))
	v.AMapURL, v.BaiduURL, v.GeoURL = links.AMap, links.Baidu, links.Geo
	if b, err := s.booth(ctx, call.BoothID); err == nil {
		from := app.LatLng{Lat: b.Lat, Lng: b.Lng}
		v.Place = t(c, "callinfo.place", "M", int(math.Round(app.DistanceM(b.Lat, b.Lng, pos.Lat, pos.Lng))),
			"Dir", t(c, compassID+app.CompassPoint(app.BearingDeg(from, pos))), "Booth", b.Name)
	} else if app.ErrorCode(err) != app.ENOTFOUND {
		return err
	}
	if call.AccuracyM != nil {
		v.Accuracy = t(c, "call.accuracy", "M", int(math.Round(*call.AccuracyM)))
	}
	trail, err := s.store.CallTrail(ctx, call.ID, 0)
	if err != nil {
		return err
	}
	loc := s.stationLocation(c, call.StationID)
	for _, p := range trail {
		text := fmt.Sprintf("%.5f, %.5f", p.Lat, p.Lng)
		if p.AccuracyM != nil {
			text += " " + t(c, "call.accuracy", "M", int(math.Round(*p.AccuracyM)))
		}
		v.Trail = append(v.Trail, view.TrailRow{At: p.At.In(loc).Format("15:04:05"), Text: text})
	}
	return nil
}

// handoffTexts says which services the call was handed to, in order.
func handoffTexts(c echo.Context, call *app.AssistanceCall) []string {
	var out []string
	for _, e := range call.Timeline {
		if e.Kind == "handoff" {
			out = append(out, handoffText(c, e))
		}
	}
	return out
}

// handoffText is one hand-off as the timeline shows it, e.g. "已转 120 急救".
func handoffText(c echo.Context, e app.CallEntry) string {
	text := t(c, handedToID+e.To)
	if e.Note != "" {
		text += " " + t(c, "callinfo.reference", "Ref", e.Note)
	}
	return text
}

type handoffRequest struct {
	To        string `json:"to"`
	Reference string `json:"reference"`
}

// handleCallHandoff: POST /assistance-calls/:id/handoffs (station staff).
func (s *Server) handleCallHandoff(c echo.Context) error {
	var r handoffRequest
	if err := bind(c, &r); err != nil {
		return err
	}
	call, err := s.handOff(c, r.To, r.Reference)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, callJSON{call})
}

// handleCallPageHandoff: POST /calls/:id/handoffs, the call page's form.
func (s *Server) handleCallPageHandoff(c echo.Context) error {
	_, err := s.handOff(c, c.FormValue("to"), c.FormValue("reference"))
	return s.afterCall(c, err)
}

func (s *Server) handOff(c echo.Context, to, reference string) (*app.AssistanceCall, error) {
	id, err := idParam(c)
	if err != nil {
		return nil, err
	}
	scope, err := callScope(c)
	if err != nil {
		return nil, err
	}
	return s.store.HandOffCall(c.Request().Context(), id, scope, caller(c).UserID, strings.TrimSpace(to), reference, s.now())
}

// needsOptions are the needs of the safety profile form, checked as p has them.
func needsOptions(c echo.Context, p *app.SafetyProfile) []view.Option {
	var out []view.Option
	for _, n := range app.SafetyNeeds {
		out = append(out, view.Option{Value: n, Label: t(c, needLabelID+n), Selected: slices.Contains(p.Needs, n)})
	}
	return out
}

// addCallInfo puts what a call page shows beyond the call's facts into v,
// its photos included.
func (s *Server) addCallInfo(c echo.Context, call *app.AssistanceCall, v *view.CallPage) error {
	infos, err := s.callInfos(c, []*app.AssistanceCall{call}, "call page")
	if err != nil {
		return err
	}
	v.Info = infos[call.ID]
	scope, err := callScope(c)
	if err != nil {
		return err
	}
	photos, err := s.store.ListCallPhotos(c.Request().Context(), call.ID, scope)
	if err != nil {
		return err
	}
	for i := range photos {
		p := &photos[i]
		v.Photos = append(v.Photos, view.CallPhotoRow{URL: callPhotoURL(p), ThumbURL: callPhotoURL(p) + "/thumb",
			Alt: t(c, "callphoto.alt", "N", i+1)})
	}
	v.CanAddPhoto = app.CheckCallPhoto(call, caller(c).UserID, scope.CallerID != 0) == nil
	v.PhotoKey = newKey()
	return nil
}

// callRefs points at each call of a list.
func callRefs(calls []app.AssistanceCall) []*app.AssistanceCall {
	out := make([]*app.AssistanceCall, len(calls))
	for i := range calls {
		out[i] = &calls[i]
	}
	return out
}

// handoffFigureRows are the review's hand-off figures, one per service.
func handoffFigureRows(c echo.Context, f *app.Figures) []view.Figure {
	var rows []view.Figure
	for _, to := range app.HandoffTargets {
		rows = append(rows, view.Figure{Label: t(c, "callinfo.figure_handoffs", "Service", t(c, serviceID+to)), Value: strconv.Itoa(f.Handoffs[to])})
	}
	return rows
}
