package web

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
)

// Public notices as OASIS Common Alerting Protocol 1.2 alerts, and an Atom
// feed (RFC 4287) of the current ones, for other alerting systems.
const (
	capNamespace  = "urn:oasis:names:tc:emergency:cap:1.2"
	atomNamespace = "http://www.w3.org/2005/Atom"
	capMediaType  = "application/cap+xml"
	atomMediaType = "application/atom+xml"
	capSuffix     = ".cap.xml"
	// capRadiusKm is the radius of the circle drawn around each booth of a
	// notice's area: about the streets a booth looks after.
	capRadiusKm = 1.0
)

// capAlert is a CAP 1.2 alert; fields in the order the schema's sequence
// requires.
type capAlert struct {
	XMLName    xml.Name  `xml:"urn:oasis:names:tc:emergency:cap:1.2 alert"`
	Identifier string    `xml:"identifier"`
	Sender     string    `xml:"sender"`
	Sent       string    `xml:"sent"`
	Status     string    `xml:"status"`
	MsgType    string    `xml:"msgType"`
	Scope      string    `xml:"scope"`
	Note       string    `xml:"note,omitempty"`
	References string    `xml:"references,omitempty"`
	Info       []capInfo `xml:"info"`
}

type capInfo struct {
	Language    string    `xml:"language"`
	Category    []string  `xml:"category"`
	Event       string    `xml:"event"`
	Urgency     string    `xml:"urgency"`
	Severity    string    `xml:"severity"`
	Certainty   string    `xml:"certainty"`
	Effective   string    `xml:"effective,omitempty"`
	Expires     string    `xml:"expires,omitempty"`
	SenderName  string    `xml:"senderName,omitempty"`
	Headline    string    `xml:"headline,omitempty"`
	Description string    `xml:"description,omitempty"`
	Web         string    `xml:"web,omitempty"`
	Area        []capArea `xml:"area"`
}

type capArea struct {
	AreaDesc string   `xml:"areaDesc"`
	Circle   []string `xml:"circle,omitempty"`
}

// capTime writes a CAP dateTime: seconds, no fraction, a numeric offset,
// and "-00:00" for UTC (CAP forbids "Z").
func capTime(t time.Time, loc *time.Location) string {
	s := t.In(loc).Format("2006-01-02T15:04:05-07:00")
	if strings.HasSuffix(s, "+00:00") {
		s = strings.TrimSuffix(s, "+00:00") + "-00:00"
	}
	return s
}

// capCategory is the CAP category of a notice kind.
func capCategory(k app.NoticeKind) string {
	switch k {
	case app.NoticeAntiFraud:
		return "Security"
	case app.NoticeSafety:
		return "Safety"
	case app.NoticeMissingPerson:
		return "Rescue"
	}
	return "Other"
}

// capCertainty: fraud, missing persons and service changes are happening;
// a safety warning is about what is likely.
func capCertainty(k app.NoticeKind) string {
	if k == app.NoticeSafety {
		return "Likely"
	}
	return "Observed"
}

// capSeverity is the CAP severity of a notice's: the same word, capitalised.
func capSeverity(s app.NoticeSeverity) string {
	switch s {
	case app.SeverityExtreme:
		return "Extreme"
	case app.SeveritySevere:
		return "Severe"
	case app.SeverityModerate:
		return "Moderate"
	case app.SeverityMinor:
		return "Minor"
	}
	return "Unknown"
}

// capSender is the sender of a station's alerts: no spaces, commas, < or &.
func (s *Server) capSender(stationID int64) string {
	host := s.cfg.BaseURL.Hostname()
	if host == "" {
		host = "localhost"
	}
	return fmt.Sprintf("station-%d@%s", stationID, host)
}

// capIdentifier names one message of a notice: one per version.
func capIdentifier(n *app.Notice, version int) string {
	return fmt.Sprintf("policebooth-notice-%d-%d", n.ID, version)
}

// capURL is where a notice's alert is served.
func (s *Server) capURL(id int64) string {
	return strings.TrimSuffix(s.cfg.BaseURL.String(), "/") + "/api/v1/notices/" + itoa64(id) + capSuffix
}

// capAlertOf builds the alert of a notice's latest message: an Alert, an
// Update, or a Cancel for a withdrawn one, which references every earlier
// message of the notice.
func (s *Server) capAlertOf(ctx context.Context, n *app.Notice) (*capAlert, time.Time, error) {
	station, err := s.station(ctx, n.StationID)
	if err != nil {
		return nil, time.Time{}, err
	}
	loc, err := time.LoadLocation(station.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	sender := s.capSender(n.StationID)
	if len(n.Revisions) == 0 {
		return nil, time.Time{}, fmt.Errorf("web: notice %d has no revisions", n.ID)
	}
	last := n.Revisions[len(n.Revisions)-1]
	a := &capAlert{
		Identifier: capIdentifier(n, last.Version),
		Sender:     sender,
		Sent:       capTime(last.At, loc),
		Status:     "Actual",
		MsgType:    last.MsgType,
		Scope:      "Public",
	}
	var refs []string
	for _, r := range n.Revisions[:len(n.Revisions)-1] {
		refs = append(refs, sender+","+capIdentifier(n, r.Version)+","+capTime(r.At, loc))
	}
	a.References = strings.Join(refs, " ")
	if last.MsgType == app.MsgCancel {
		a.Note = last.Note
		if a.Note == "" {
			a.Note = s.i18n.Localizer(n.Language).T("notices.cap_withdrawn")
		}
	}

	l := s.i18n.Localizer(n.Language)
	urgency := "Expected"
	if n.Urgent {
		urgency = "Immediate"
	}
	senderName := station.Name
	if n.Language == app.LanguageEnglish && station.NameEn != "" {
		senderName = station.NameEn
	}
	info := capInfo{
		Language: n.Language, Category: []string{capCategory(n.Kind)},
		Event:   l.T("notice_kind_" + string(n.Kind)),
		Urgency: urgency, Severity: capSeverity(n.Severity), Certainty: capCertainty(n.Kind),
		Effective: capTime(n.StartsAt, loc), Expires: capTime(n.ExpiresAt, loc),
		SenderName: senderName, Headline: n.Title, Description: n.Body,
		Web: strings.TrimSuffix(s.cfg.BaseURL.String(), "/") + "/notices/" + itoa64(n.ID),
	}
	area, err := s.capArea(ctx, n, senderName)
	if err != nil {
		return nil, time.Time{}, err
	}
	info.Area = []capArea{area}
	a.Info = []capInfo{info}
	return a, last.At, nil
}

// capArea describes a notice's area: the names of its booths (all of the
// station's for a notice to the whole station) and a circle around each.
func (s *Server) capArea(ctx context.Context, n *app.Notice, stationName string) (capArea, error) {
	booths, err := s.booths(ctx)
	if err != nil {
		return capArea{}, err
	}
	area := capArea{}
	var names []string
	for _, b := range booths {
		if b.StationID != n.StationID {
			continue
		}
		if len(n.BoothIDs) > 0 && !containsID(n.BoothIDs, b.ID) {
			continue
		}
		name := b.Name
		if n.Language == app.LanguageEnglish && b.NameEn != "" {
			name = b.NameEn
		}
		names = append(names, name)
		area.Circle = append(area.Circle, strconv.FormatFloat(b.Lat, 'f', -1, 64)+","+
			strconv.FormatFloat(b.Lng, 'f', -1, 64)+" "+strconv.FormatFloat(capRadiusKm, 'f', 1, 64))
	}
	l := s.i18n.Localizer(n.Language)
	if len(n.BoothIDs) == 0 {
		area.AreaDesc = l.T("notices.cap_area_station", "Station", stationName)
	} else {
		area.AreaDesc = l.T("notices.cap_area_booths", "Station", stationName, "Booths", strings.Join(names, l.T("notices.list_separator")))
	}
	return area, nil
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// writeXML answers with an XML document of the given media type.
func writeXML(c echo.Context, mediaType string, v any) error {
	b, err := xml.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "public, max-age=60")
	return c.Blob(http.StatusOK, mediaType+"; charset=utf-8", append([]byte(xml.Header), append(b, '\n')...))
}

// handleNoticeCAP: GET /notices/{id}.cap.xml, one public notice as a CAP
// alert, for anyone. A notice not yet started is not shown.
func (s *Server) handleNoticeCAP(c echo.Context, raw string) error {
	id, err := parseID(raw)
	if err != nil {
		return app.ErrNotFound
	}
	ctx := c.Request().Context()
	n, err := s.store.FindPublicNotice(ctx, id)
	if err != nil {
		return err
	}
	if s.now().Before(n.StartsAt) {
		return app.ErrNotFound
	}
	a, _, err := s.capAlertOf(ctx, n)
	if err != nil {
		return err
	}
	return writeXML(c, capMediaType, a)
}

// atomFeed is an Atom feed (RFC 4287) of alerts.
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Author  atomPerson  `xml:"author"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomEntry struct {
	ID      string     `xml:"id"`
	Title   string     `xml:"title"`
	Updated string     `xml:"updated"`
	Link    atomLink   `xml:"link"`
	Summary atomText   `xml:"summary"`
	Content atomSource `xml:"content"`
}

type atomText struct {
	Lang string `xml:"http://www.w3.org/XML/1998/namespace lang,attr,omitempty"`
	Text string `xml:",chardata"`
}

// atomSource is out-of-line content: the alert itself.
type atomSource struct {
	Type string `xml:"type,attr"`
	Src  string `xml:"src,attr"`
}

// handleNoticesCAPFeed: GET /notices.cap.xml, an Atom feed of the current
// public notices (and those withdrawn in the last day, as Cancel alerts),
// each entry linking to its alert.
func (s *Server) handleNoticesCAPFeed(c echo.Context) error {
	ctx := c.Request().Context()
	now := s.now()
	notices, err := s.store.PublicNotices(ctx, now)
	if err != nil {
		return err
	}
	self := strings.TrimSuffix(s.cfg.BaseURL.String(), "/") + "/api/v1/notices" + capSuffix
	feed := atomFeed{
		ID: self, Title: t(c, "notices.feed_title"), Author: atomPerson{Name: t(c, "app.name")},
		Links:   []atomLink{{Rel: "self", Type: atomMediaType, Href: self}},
		Entries: []atomEntry{},
	}
	var newest time.Time
	for i := range notices {
		n := &notices[i]
		a, sent, err := s.capAlertOf(ctx, n)
		if err != nil {
			return err
		}
		if sent.After(newest) {
			newest = sent
		}
		url := s.capURL(n.ID)
		feed.Entries = append(feed.Entries, atomEntry{
			ID: url, Title: n.Title, Updated: sent.UTC().Format(time.RFC3339),
			Link:    atomLink{Rel: "alternate", Type: capMediaType, Href: url},
			Summary: atomText{Lang: n.Language, Text: a.MsgType + ": " + a.Info[0].Event + ", " + a.Info[0].Severity},
			Content: atomSource{Type: capMediaType, Src: url},
		})
	}
	if newest.IsZero() {
		newest = now.Truncate(time.Hour) // an empty feed: a stable, recent time
	}
	feed.Updated = newest.UTC().Format(time.RFC3339)
	return writeXML(c, atomMediaType, feed)
}
