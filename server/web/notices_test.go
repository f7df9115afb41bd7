package web_test

import (
	"encoding/xml"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// xmlNode is an XML element with its namespace, attributes and children,
// in document order.
type xmlNode struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Text     string     `xml:",chardata"`
	Children []xmlNode  `xml:",any"`
}

func (n xmlNode) all(name string) []xmlNode {
	var out []xmlNode
	for _, c := range n.Children {
		if c.XMLName.Local == name {
			out = append(out, c)
		}
	}
	return out
}

func (n xmlNode) one(t *testing.T, name string) xmlNode {
	t.Helper()
	got := n.all(name)
	if len(got) != 1 {
		t.Fatalf("<%s> has %d <%s>, want one", n.XMLName.Local, len(got), name)
	}
	return got[0]
}

func (n xmlNode) text(t *testing.T, name string) string {
	t.Helper()
	c := n.one(t, name)
	return c.Text
}

func (n xmlNode) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// inSchemaOrder checks that n's children come in the order of the schema's
// sequence, each known, and in the namespace ns.
func inSchemaOrder(t *testing.T, n xmlNode, ns string, sequence ...string) {
	t.Helper()
	last := -1
	for _, c := range n.Children {
		if c.XMLName.Space != ns {
			t.Errorf("<%s> in namespace %q, want %q", c.XMLName.Local, c.XMLName.Space, ns)
		}
		i := slices.Index(sequence, c.XMLName.Local)
		if i < 0 {
			t.Errorf("<%s> has an unknown child <%s>", n.XMLName.Local, c.XMLName.Local)
			continue
		}
		if i < last {
			t.Errorf("<%s>: <%s> out of the schema's order %v", n.XMLName.Local, c.XMLName.Local, sequence)
		}
		last = i
	}
}

const capNS = "urn:oasis:names:tc:emergency:cap:1.2"

// capDateTime is CAP's dateTime: no fraction, a numeric offset ("Z" is
// forbidden; UTC is -00:00).
var capDateTime = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$`)

// capAlert fetches and checks an alert against CAP 1.2: namespace, element
// order, required elements, values from the enumerations, and formats.
func (ts *testServer) capAlert(t *testing.T, path string) xmlNode {
	t.Helper()
	resp, body := ts.do(t, "GET", path, "", nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/cap+xml") {
		t.Fatalf("GET %s: %d %s %.200s", path, resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	var a xmlNode
	if err := xml.Unmarshal([]byte(body), &a); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if a.XMLName.Space != capNS || a.XMLName.Local != "alert" {
		t.Fatalf("root {%s}%s, want {%s}alert", a.XMLName.Space, a.XMLName.Local, capNS)
	}
	inSchemaOrder(t, a, capNS, "identifier", "sender", "sent", "status", "msgType", "source", "scope", "restriction",
		"addresses", "code", "note", "references", "incidents", "info")
	noSpaces := regexp.MustCompile(`^[^\s,<&]+$`)
	for _, f := range []string{"identifier", "sender"} {
		if v := a.text(t, f); !noSpaces.MatchString(v) {
			t.Errorf("%s %q has spaces, commas or restricted characters", f, v)
		}
	}
	if v := a.text(t, "sent"); !capDateTime.MatchString(v) {
		t.Errorf("sent %q is no CAP dateTime", v)
	}
	enumOf := func(n xmlNode, field string, values ...string) string {
		t.Helper()
		v := n.text(t, field)
		if !slices.Contains(values, v) {
			t.Errorf("%s %q is not one of %v", field, v, values)
		}
		return v
	}
	enumOf(a, "status", "Actual", "Exercise", "System", "Test", "Draft")
	enumOf(a, "msgType", "Alert", "Update", "Cancel", "Ack", "Error")
	enumOf(a, "scope", "Public", "Restricted", "Private")
	for _, info := range a.all("info") {
		inSchemaOrder(t, info, capNS, "language", "category", "event", "responseType", "urgency", "severity", "certainty",
			"audience", "eventCode", "effective", "onset", "expires", "senderName", "headline", "description", "instruction",
			"web", "contact", "parameter", "resource", "area")
		if len(info.all("category")) == 0 {
			t.Error("info without a category")
		}
		for _, c := range info.all("category") {
			if !slices.Contains([]string{"Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra", "CBRNE", "Other"}, c.Text) {
				t.Errorf("category %q is not CAP's", c.Text)
			}
		}
		info.one(t, "event")
		enumOf(info, "urgency", "Immediate", "Expected", "Future", "Past", "Unknown")
		enumOf(info, "severity", "Extreme", "Severe", "Moderate", "Minor", "Unknown")
		enumOf(info, "certainty", "Observed", "Likely", "Possible", "Unlikely", "Unknown")
		for _, f := range []string{"effective", "onset", "expires"} {
			for _, d := range info.all(f) {
				if !capDateTime.MatchString(d.Text) {
					t.Errorf("%s %q is no CAP dateTime", f, d.Text)
				}
			}
		}
		for _, area := range info.all("area") {
			inSchemaOrder(t, area, capNS, "areaDesc", "polygon", "circle", "geocode", "altitude", "ceiling")
			if area.text(t, "areaDesc") == "" {
				t.Error("empty areaDesc")
			}
			circle := regexp.MustCompile(`^-?\d+(\.\d+)?,-?\d+(\.\d+)? \d+(\.\d+)?$`)
			for _, c := range area.all("circle") {
				if !circle.MatchString(c.Text) {
					t.Errorf("circle %q is not \"lat,lng radius_km\"", c.Text)
				}
			}
		}
	}
	return a
}

// capRef is how a later message references an alert.
func capRef(t *testing.T, a xmlNode) string {
	return a.text(t, "sender") + "," + a.text(t, "identifier") + "," + a.text(t, "sent")
}

type noticeOut struct {
	ID, Title, Status, Kind, Severity, Language string
	CAPURL                                      string   `json:"cap_url"`
	BoothIDs                                    []string `json:"booth_ids"`
	Version                                     int
	Unread                                      *bool
	NeedsAcknowledgement                        bool `json:"needs_acknowledgement"`
	Reach                                       *struct{ Residents, Received, Opened, Acknowledged int }
}

func TestNoticeCAPAlertsAndFeedFollowTheStandard(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	head := ts.login(t, "13800000000").AccessToken
	var booths struct{ Items []struct{ ID, Name string } }
	ts.api(t, "GET", "/api/v1/booths", "", nil, &booths)
	boothA := booths.Items[0].ID

	var n noticeOut
	resp := ts.api(t, "POST", "/api/v1/notices", head, map[string]any{
		"title": "紧急寻人：王秀兰，78岁", "body": "今早在公园走失，穿蓝色外套。", "kind": "missing_person", "severity": "severe",
		"urgent": true, "booth_ids": []string{boothA},
	}, &n)
	if resp.StatusCode != 201 || n.Version != 1 || n.Status != "current" || n.Language != "zh-CN" {
		t.Fatalf("create: %d %+v", resp.StatusCode, n)
	}
	alertPath := "/api/v1/notices/" + n.ID + ".cap.xml"
	if !strings.HasSuffix(n.CAPURL, alertPath) {
		t.Fatalf("cap_url %q, want it to end in %s", n.CAPURL, alertPath)
	}
	first := ts.capAlert(t, alertPath)
	if got := first.text(t, "msgType"); got != "Alert" || len(first.all("references")) != 0 {
		t.Fatalf("first message: msgType %s with %d references, want an Alert without", got, len(first.all("references")))
	}
	if first.text(t, "status") != "Actual" || first.text(t, "scope") != "Public" {
		t.Fatalf("status %s scope %s", first.text(t, "status"), first.text(t, "scope"))
	}
	info := first.one(t, "info")
	for field, want := range map[string]string{
		"language": "zh-CN", "category": "Rescue", "event": "寻人启事", "urgency": "Immediate", "severity": "Severe",
		"certainty": "Observed", "headline": "紧急寻人：王秀兰，78岁", "description": "今早在公园走失，穿蓝色外套。",
	} {
		if got := info.text(t, field); got != want {
			t.Errorf("info/%s = %q, want %q", field, got, want)
		}
	}
	if !strings.HasSuffix(info.text(t, "expires"), "+08:00") {
		t.Errorf("expires %q: want the station's offset", info.text(t, "expires"))
	}
	area := info.one(t, "area")
	if circles := area.all("circle"); len(circles) != 1 || !strings.HasSuffix(circles[0].Text, " 1.0") {
		t.Errorf("area circles %+v, want one around booth A", circles)
	}
	if !strings.Contains(area.text(t, "areaDesc"), "A") {
		t.Errorf("areaDesc %q does not name booth A", area.text(t, "areaDesc"))
	}

	// An update references the original; a withdrawal references both.
	if resp := ts.api(t, "PATCH", "/api/v1/notices/"+n.ID, head, map[string]any{"severity": "extreme"}, &n); resp.StatusCode != 200 || n.Version != 2 {
		t.Fatalf("update: %d %+v", resp.StatusCode, n)
	}
	update := ts.capAlert(t, alertPath)
	if update.text(t, "msgType") != "Update" || update.text(t, "references") != capRef(t, first) {
		t.Fatalf("update: msgType %s references %q, want Update referencing %q", update.text(t, "msgType"), update.text(t, "references"), capRef(t, first))
	}
	if update.text(t, "identifier") == first.text(t, "identifier") {
		t.Fatal("the update reuses the original's identifier")
	}
	if got := update.one(t, "info").text(t, "severity"); got != "Extreme" {
		t.Fatalf("updated severity %s", got)
	}
	if resp := ts.api(t, "POST", "/api/v1/notices/"+n.ID+"/withdraw", head, map[string]string{"reason": "人已找到"}, &n); resp.StatusCode != 200 || n.Status != "withdrawn" {
		t.Fatalf("withdraw: %d %+v", resp.StatusCode, n)
	}
	cancel := ts.capAlert(t, alertPath)
	if want := capRef(t, first) + " " + capRef(t, update); cancel.text(t, "msgType") != "Cancel" || cancel.text(t, "references") != want {
		t.Fatalf("withdrawal: msgType %s references %q, want Cancel referencing %q", cancel.text(t, "msgType"), cancel.text(t, "references"), want)
	}
	if cancel.text(t, "note") != "人已找到" {
		t.Fatalf("withdrawal note %q", cancel.text(t, "note"))
	}

	// A notice that is not public has no alert; an unknown id neither.
	var private noticeOut
	ts.api(t, "POST", "/api/v1/notices", head, map[string]any{"title": "内部", "body": "仅居民可见", "kind": "service", "severity": "minor", "public": false}, &private)
	for _, p := range []string{"/api/v1/notices/" + private.ID + ".cap.xml", "/api/v1/notices/999999.cap.xml", "/api/v1/notices/x.cap.xml"} {
		if resp, _ := ts.do(t, "GET", p, "", nil); resp.StatusCode != 404 {
			t.Errorf("GET %s: %d, want 404", p, resp.StatusCode)
		}
	}
	var english noticeOut
	ts.api(t, "POST", "/api/v1/notices", head, map[string]any{"title": "Phone scam warning", "body": "Nobody from the police asks for money by phone.",
		"kind": "anti_fraud", "severity": "moderate", "language": "en"}, &english)
	en := ts.capAlert(t, "/api/v1/notices/"+english.ID+".cap.xml").one(t, "info")
	if en.text(t, "language") != "en" || en.text(t, "category") != "Security" || en.text(t, "urgency") != "Expected" || en.text(t, "event") != "Anti-fraud warning" {
		t.Errorf("english alert info: %s %s %s %s", en.text(t, "language"), en.text(t, "category"), en.text(t, "urgency"), en.text(t, "event"))
	}
	if circles := en.one(t, "area").all("circle"); len(circles) != 2 {
		t.Errorf("a notice to the whole station has %d circles, want one per booth", len(circles))
	}

	// The feed: Atom, each entry linking to its alert.
	resp, body := ts.do(t, "GET", "/api/v1/notices.cap.xml", "", nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/atom+xml") {
		t.Fatalf("feed: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var feed xmlNode
	if err := xml.Unmarshal([]byte(body), &feed); err != nil {
		t.Fatal(err)
	}
	const atom = "http://www.w3.org/2005/Atom"
	if feed.XMLName.Space != atom || feed.XMLName.Local != "feed" {
		t.Fatalf("feed root {%s}%s", feed.XMLName.Space, feed.XMLName.Local)
	}
	rfc3339 := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$`)
	if feed.text(t, "id") == "" || feed.text(t, "title") == "" || !rfc3339.MatchString(feed.text(t, "updated")) {
		t.Fatalf("feed id %q title %q updated %q", feed.text(t, "id"), feed.text(t, "title"), feed.text(t, "updated"))
	}
	if len(feed.all("author")) == 0 {
		t.Fatal("feed without an author (RFC 4287 4.1.1)")
	}
	entries := feed.all("entry")
	if len(entries) != 2 {
		t.Fatalf("feed has %d entries, want the withdrawn alert (as Cancel, for a day) and the English one; not the private one", len(entries))
	}
	for _, e := range entries {
		if e.text(t, "id") == "" || e.text(t, "title") == "" || !rfc3339.MatchString(e.text(t, "updated")) {
			t.Errorf("entry id %q title %q updated %q", e.text(t, "id"), e.text(t, "title"), e.text(t, "updated"))
		}
		var alternate string
		for _, l := range e.all("link") {
			if l.attr("rel") == "" || l.attr("rel") == "alternate" {
				alternate = l.attr("href")
			}
		}
		path, ok := strings.CutPrefix(alternate, "http://localhost:8080")
		if !ok {
			t.Fatalf("entry link %q is not under the base URL", alternate)
		}
		ts.capAlert(t, path)
	}
}

func TestNoticeIDRouteServesJSONOrCAPBySuffix(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	head := ts.login(t, "13800000000").AccessToken
	var n noticeOut
	ts.api(t, "POST", "/api/v1/notices", head, map[string]any{"title": "停水", "body": "周五停水", "kind": "service", "severity": "minor"}, &n)
	resp, body := ts.do(t, "GET", "/api/v1/notices/"+n.ID, "", nil)
	if resp.StatusCode != 401 {
		t.Fatalf("the notice without signing in: %d %s", resp.StatusCode, body)
	}
	req, _ := http.NewRequest("GET", ts.URL+"/api/v1/notices/"+n.ID+".cap.xml", nil)
	r, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != 200 || !strings.HasPrefix(string(b), "<?xml") {
		t.Fatalf("the alert without signing in: %d %.80s", r.StatusCode, b)
	}
}
