package web_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"policebooth/server/config"
	"policebooth/server/jobs"
	"policebooth/server/push/pushtest"
	"policebooth/server/store/storetest"
	"policebooth/server/web"
)

// newPushTestServer is newTestServer whose Web Push goes to a fake push
// service.
func newPushTestServer(t *testing.T) (*testServer, *pushtest.Service) {
	t.Helper()
	const base = "https://booth.example"
	ps := pushtest.NewService(t, base)
	st := storetest.Open(t)
	dir := t.TempDir()
	cfg, err := config.LoadFrom(func(k string) string {
		return map[string]string{"POLICEBOOTH_DATA_DIR": dir, "POLICEBOOTH_BASE_URL": base}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(cfg, st.Services(), storetest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	ctx, cancel := context.WithCancel(context.Background())
	srv.Start(ctx)
	out := jobs.NewDelivery(ctx, cfg, st, ps.Client(5*time.Second), storetest.Logger(t))
	stopped, err := jobs.Start(ctx, cfg, st, srv, out, st.Now, storetest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); <-stopped })
	ts := &testServer{Server: hs, store: st, routes: srv.Routes()}
	ts.demo(t)
	return ts, ps
}

// subscribePush registers a browser of the fake push service for the
// caller, as the PWA does.
func subscribePush(t *testing.T, ts *testServer, ps *pushtest.Service, token, device string) {
	t.Helper()
	if resp := ts.api(t, "POST", "/api/v1/push-subscriptions", token, ps.NewDevice(t, device, 0), nil); resp.StatusCode != 201 {
		t.Fatalf("subscribe %s: %d", device, resp.StatusCode)
	}
}

func TestUrgentNoticeReachesOpenResidentPagesLiveAndTheirPhonesByPush(t *testing.T) {
	ts, ps := newPushTestServer(t)
	head := ts.login(t, "13800000000").AccessToken
	officer := ts.login(t, "13800000001").AccessToken
	resident := ts.login(t, "13900000001").AccessToken
	subscribePush(t, ts, ps, resident, "resident-phone")
	subscribePush(t, ts, ps, officer, "officer-tablet")
	live := ts.stream(t, resident, "")

	// A notice that is not urgent appears live but is not pushed.
	var calm noticeOut
	ts.api(t, "POST", "/api/v1/notices", head, map[string]any{"title": "周五停水", "body": "上午九点到十二点停水。", "kind": "service", "severity": "minor"}, &calm)
	if ev := live.next(t); ev.Name != "notice.published" || ev.Data["id"] != calm.ID || ev.Data["urgent"] != false {
		t.Fatalf("resident's stream got %+v, want notice.published of %s", ev, calm.ID)
	}

	var urgent noticeOut
	start := time.Now()
	if resp := ts.api(t, "POST", "/api/v1/notices", head, map[string]any{"title": "紧急：冒充公检法诈骗高发", "body": "凡是要求转账到“安全账户”的都是诈骗。",
		"kind": "anti_fraud", "severity": "extreme", "urgent": true}, &urgent); resp.StatusCode != 201 {
		t.Fatalf("publish: %d", resp.StatusCode)
	}
	ev := live.next(t)
	if ev.Name != "notice.published" || ev.Data["id"] != urgent.ID || ev.Data["urgent"] != true || ev.Data["status"] != "published" {
		t.Fatalf("resident's stream got %+v, want notice.published of %s", ev, urgent.ID)
	}
	if len(ev.Data) != 4 {
		t.Fatalf("event data %v: want ids and flags only", ev.Data)
	}
	t.Logf("urgent notice live on the resident's stream %s after the POST began", time.Since(start))

	ps.WaitFor(t, 1, 5*time.Second)
	time.Sleep(200 * time.Millisecond) // anything else pushed would have come by now
	got := ps.Taken()
	if len(got) != 1 || got[0].Device != "resident-phone" || got[0].Err != nil {
		t.Fatalf("push service took %+v, want one message for the resident's phone", got)
	}
	var payload map[string]string
	if err := json.Unmarshal(got[0].Plaintext, &payload); err != nil {
		t.Fatalf("decrypted payload %q: %v", got[0].Plaintext, err)
	}
	if payload["type"] != "notice.published" || payload["id"] != urgent.ID || payload["url"] != "/notices/"+urgent.ID || payload["title"] != "紧急：冒充公检法诈骗高发" {
		t.Fatalf("decrypted payload %v", payload)
	}
	if got[0].Urgency != "high" {
		t.Fatalf("urgency %q", got[0].Urgency)
	}

	// Correcting the urgent notice does not ring the phones again; making
	// the calm one urgent does.
	ts.api(t, "PATCH", "/api/v1/notices/"+urgent.ID, head, map[string]any{"title": "紧急：冒充公检法诈骗高发（更正）"}, nil)
	if ev := live.next(t); ev.Name != "notice.updated" || ev.Data["id"] != urgent.ID {
		t.Fatalf("resident's stream got %+v, want notice.updated", ev)
	}
	ts.api(t, "PATCH", "/api/v1/notices/"+calm.ID, head, map[string]any{"urgent": true}, nil)
	live.next(t)
	pushed := ps.WaitFor(t, 2, 5*time.Second)
	if len(pushed) != 2 || !strings.Contains(string(pushed[0].Plaintext)+string(pushed[1].Plaintext), `"id":"`+calm.ID+`"`) {
		t.Fatalf("pushes after the updates: %+v, want one more, for the notice made urgent", pushed)
	}

	// One written ahead goes out live and by push when its start comes.
	var ahead noticeOut
	starts := time.Now().Add(time.Second).Format(time.RFC3339Nano)
	ts.api(t, "POST", "/api/v1/notices", head, map[string]any{"title": "紧急：今晚十点起封路", "body": "……", "kind": "safety",
		"severity": "severe", "urgent": true, "starts_at": starts}, &ahead)
	if ahead.Status != "scheduled" {
		t.Fatalf("a notice starting in a second: status %s", ahead.Status)
	}
	if ev := live.next(t); ev.Name != "notice.scheduled" || ev.Data["id"] != ahead.ID {
		t.Fatalf("resident's stream got %+v, want notice.scheduled", ev)
	}
	if ev := live.next(t); ev.Name != "notice.published" || ev.Data["id"] != ahead.ID {
		t.Fatalf("resident's stream got %+v, want notice.published of the notice written ahead", ev)
	}
	pushed = ps.WaitFor(t, 3, 5*time.Second)
	if !slices.ContainsFunc(pushed, func(d pushtest.Delivery) bool {
		return d.Err == nil && strings.Contains(string(d.Plaintext), `"id":"`+ahead.ID+`"`)
	}) {
		t.Fatalf("no push of the notice written ahead: %+v", pushed)
	}

	// Withdrawing reaches the page too.
	ts.api(t, "POST", "/api/v1/notices/"+urgent.ID+"/withdraw", head, nil, nil)
	if ev := live.next(t); ev.Name != "notice.withdrawn" || ev.Data["id"] != urgent.ID {
		t.Fatalf("resident's stream got %+v, want notice.withdrawn", ev)
	}
}

func TestResidentListReadAcknowledgeAndHeadsReach(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	head := ts.login(t, "13800000000").AccessToken
	officer := ts.login(t, "13800000001").AccessToken
	resident := ts.login(t, "13900000001").AccessToken
	resident2 := ts.login(t, "13900000002").AccessToken

	var fraud, minor noticeOut
	ts.api(t, "POST", "/api/v1/notices", officer, map[string]any{"title": "小区停车调整", "body": "……", "kind": "service", "severity": "minor"}, &minor)
	ts.api(t, "POST", "/api/v1/notices", officer, map[string]any{"title": "Fake parcel texts", "body": "Do not click links.", "kind": "anti_fraud", "severity": "severe", "language": "en"}, &fraud)

	var list struct {
		Items      []noticeOut
		NextCursor string `json:"next_cursor"`
	}
	ts.api(t, "GET", "/api/v1/notices", resident, nil, &list)
	if len(list.Items) != 2 || list.Items[0].ID != fraud.ID || list.Items[0].Unread == nil || !*list.Items[0].Unread || !list.Items[0].NeedsAcknowledgement {
		t.Fatalf("resident's list %+v, want the severe anti-fraud notice first, unread", list.Items)
	}
	if resp := ts.api(t, "POST", "/api/v1/notices/"+minor.ID+"/acknowledge", resident, nil, nil); resp.StatusCode != 400 {
		t.Fatalf("acknowledging a service notice: %d, want 400", resp.StatusCode)
	}
	if resp := ts.api(t, "POST", "/api/v1/notices/"+fraud.ID+"/read", resident2, nil, nil); resp.StatusCode != 200 {
		t.Fatalf("read: %d", resp.StatusCode)
	}
	var receipt struct {
		ReadAt         *time.Time `json:"read_at"`
		AcknowledgedAt *time.Time `json:"acknowledged_at"`
	}
	if resp := ts.api(t, "POST", "/api/v1/notices/"+fraud.ID+"/acknowledge", resident, nil, &receipt); resp.StatusCode != 200 || receipt.ReadAt == nil || receipt.AcknowledgedAt == nil {
		t.Fatalf("acknowledge: %d %+v", resp.StatusCode, receipt)
	}
	ts.api(t, "GET", "/api/v1/notices", resident, nil, &list)
	if *list.Items[0].Unread {
		t.Fatal("the acknowledged notice is still unread")
	}

	var reach struct{ Residents, Received, Opened, Acknowledged int }
	if resp := ts.api(t, "GET", "/api/v1/notices/"+fraud.ID+"/reach", head, nil, &reach); resp.StatusCode != 200 {
		t.Fatalf("reach: %d", resp.StatusCode)
	}
	if reach.Residents != 2 || reach.Received != 2 || reach.Opened != 2 || reach.Acknowledged != 1 {
		t.Fatalf("reach %+v, want 2 residents, 2 received, 2 opened, 1 acknowledged", reach)
	}
	ts.api(t, "GET", "/api/v1/notices", head, nil, &list)
	if len(list.Items) != 2 || list.Items[0].Reach == nil || list.Items[0].Reach.Acknowledged != 1 {
		t.Fatalf("head's list %+v, want reach on each", list.Items)
	}
	list.Items = nil
	ts.api(t, "GET", "/api/v1/notices", officer, nil, &list)
	if list.Items[0].Reach != nil {
		t.Fatal("an officer's list carries reach")
	}

	// Withdrawn and expired notices leave the resident's list.
	ts.api(t, "POST", "/api/v1/notices/"+minor.ID+"/withdraw", officer, map[string]string{"reason": "取消"}, nil)
	ts.api(t, "GET", "/api/v1/notices", resident, nil, &list)
	if len(list.Items) != 1 || list.Items[0].ID != fraud.ID {
		t.Fatalf("after the withdrawal the resident sees %+v", list.Items)
	}
	if resp := ts.api(t, "GET", "/api/v1/notices/"+minor.ID, resident, nil, nil); resp.StatusCode != 404 {
		t.Fatalf("the withdrawn notice for a resident: %d, want 404", resp.StatusCode)
	}
	if resp := ts.api(t, "PATCH", "/api/v1/notices/"+minor.ID, officer, map[string]string{"title": "x"}, nil); resp.StatusCode != 409 {
		t.Fatalf("changing a withdrawn notice: %d, want 409", resp.StatusCode)
	}

	// Validation answers 400 with the field named.
	resp, body := ts.do(t, "POST", "/api/v1/notices", `{"title":"x","body":"y","kind":"gossip","severity":"minor"}`, map[string]string{"Authorization": "Bearer " + officer})
	if resp.StatusCode != 400 || apiErrorCode(t, body) != "invalid" {
		t.Fatalf("unknown kind: %d %s", resp.StatusCode, body)
	}
}

func TestStaffChangeANoticeThroughTheEditForm(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	officer := ts.login(t, "13800000001").AccessToken
	var n noticeOut
	ts.api(t, "POST", "/api/v1/notices", officer, map[string]any{"title": "周末义诊", "body": "周六上午在社区广场。", "kind": "service", "severity": "minor"}, &n)
	form := map[string]string{"Authorization": "Bearer " + officer, "Content-Type": "application/x-www-form-urlencoded"}
	resp, body := ts.do(t, "GET", "/notices/"+n.ID+"/edit", "", form)
	if resp.StatusCode != 200 || !strings.Contains(body, `value="周末义诊"`) {
		t.Fatalf("edit form: %d", resp.StatusCode)
	}
	resp, body = ts.do(t, "POST", "/notices/"+n.ID+"/edit",
		"title=周末义诊改期&body=改到周日上午。&kind=service&severity=moderate&language=zh-CN&public=1&expires_at=2000-01-01T00:00", form)
	if resp.StatusCode != 400 || !strings.Contains(body, "结束时间须晚于开始时间和现在") {
		t.Fatalf("an end in the past: %d", resp.StatusCode)
	}
	resp, _ = ts.doNoRedirect(t, "POST", "/notices/"+n.ID+"/edit", "title=周末义诊改期&body=改到周日上午。&kind=service&severity=moderate&language=zh-CN&public=1", form)
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/notices/"+n.ID {
		t.Fatalf("saving the edit: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	ts.api(t, "GET", "/api/v1/notices/"+n.ID, officer, nil, &n)
	if n.Title != "周末义诊改期" || n.Severity != "moderate" || n.Version != 2 {
		t.Fatalf("after the edit: %+v", n)
	}
	_, page := ts.do(t, "GET", "/notices/"+n.ID, "", form)
	for _, want := range []string{"发布记录", "更新", "李明"} {
		if !strings.Contains(page, want) {
			t.Errorf("the notice's page lacks %q in its history", want)
		}
	}
}

func TestNoticeEventsReachOnlyTheResidentsOfTheirStation(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	admin := ts.login(t, "13700000000").AccessToken
	head := ts.login(t, "13800000000").AccessToken
	resident := ts.login(t, "13900000001").AccessToken
	var station2, booth2 struct{ ID string }
	ts.api(t, "POST", "/api/v1/stations", admin, map[string]string{"name": "朝阳派出所"}, &station2)
	ts.api(t, "POST", "/api/v1/stations/"+station2.ID+"/booths", admin, map[string]any{"name": "C", "lat": 39.92, "lng": 116.44}, &booth2)
	elsewhere := ts.verifiedResident(t, "13912340000", "赵大妈", booth2.ID)
	mine, theirs := ts.stream(t, resident, ""), ts.stream(t, elsewhere.AccessToken, "")

	var n noticeOut
	ts.api(t, "POST", "/api/v1/notices", head, map[string]any{"title": "海淀辖区停水", "body": "……", "kind": "service", "severity": "minor"}, &n)
	if ev := mine.next(t); ev.Name != "notice.published" || ev.Data["id"] != n.ID {
		t.Fatalf("the station's resident got %+v", ev)
	}
	var call struct{ ID string }
	ts.api(t, "POST", "/api/v1/assistance-calls", elsewhere.AccessToken, map[string]string{"category": "other"}, &call)
	if ev := theirs.next(t); ev.Name == "notice.published" || ev.Data["id"] != call.ID {
		t.Fatalf("the other station's resident got %+v before their own call's event", ev)
	}
	// Replaying the log from the start gives the same answer.
	replayMine, replayTheirs := ts.stream(t, resident, "0"), ts.stream(t, elsewhere.AccessToken, "0")
	if ev := replayMine.next(t); ev.Name != "notice.published" {
		t.Fatalf("replay for the station's resident: %+v", ev)
	}
	for ev := replayTheirs.next(t); ev.Data["id"] != call.ID; ev = replayTheirs.next(t) {
		if ev.Name == "notice.published" {
			t.Fatalf("replay for the other station's resident carries %+v", ev)
		}
	}
}

func TestStaffNoticeListPages(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	officer := ts.login(t, "13800000001").AccessToken
	var ids []string
	for i := range 21 {
		var n noticeOut
		ts.api(t, "POST", "/api/v1/notices", officer, map[string]any{"title": "通告 " + strings.Repeat("·", i), "body": "……", "kind": "safety", "severity": "minor"}, &n)
		ids = append(ids, n.ID)
	}
	var page struct {
		Items      []noticeOut
		NextCursor string `json:"next_cursor"`
	}
	ts.api(t, "GET", "/api/v1/notices", officer, nil, &page)
	if len(page.Items) != 20 || page.Items[0].ID != ids[20] || page.NextCursor == "" {
		t.Fatalf("first page: %d items from %s, cursor %q", len(page.Items), page.Items[0].ID, page.NextCursor)
	}
	cursor := page.NextCursor
	page.Items = nil
	ts.api(t, "GET", "/api/v1/notices?cursor="+cursor, officer, nil, &page)
	if len(page.Items) != 1 || page.Items[0].ID != ids[0] || page.NextCursor != "" {
		t.Fatalf("second page: %+v, cursor %q", page.Items, page.NextCursor)
	}
	if resp := ts.api(t, "GET", "/api/v1/notices?cursor=x", officer, nil, nil); resp.StatusCode != 400 {
		t.Fatalf("a bad cursor: %d", resp.StatusCode)
	}
	_, html := ts.do(t, "GET", "/notices", "", map[string]string{"Authorization": "Bearer " + officer})
	if !strings.Contains(html, `href="/notices?cursor=`+cursor+`"`) {
		t.Fatal("the staff page has no link to the next page")
	}
}
