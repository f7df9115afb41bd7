package browsertest

import (
	"context"
	"strings"
	"testing"
	"time"

	"policebooth/server/media"
	"policebooth/server/store/storetest"
)

// startDemoWithHistory starts a server as serve --demo does: the demo and
// its month of history, pictures in the server's blob store.
func startDemoWithHistory(t *testing.T) *Server {
	t.Helper()
	blobURL := "file://" + t.TempDir()
	srv := StartServer(t, map[string]string{"POLICEBOOTH_BLOB_URL": blobURL})
	ctx := context.Background()
	bucket, err := media.OpenBucket(ctx, blobURL)
	if err != nil {
		t.Fatal(err)
	}
	defer bucket.Close()
	now := time.Now()
	if err := srv.Store.LoadDemoAt(ctx, storetest.Logger(t), now); err != nil {
		t.Fatal(err)
	}
	err = srv.Store.LoadDemoHistory(ctx, storetest.Logger(t), now, func(ctx context.Context, key string, data []byte) error {
		return bucket.WriteAll(ctx, key, data, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// barsDrawn counts the bars with a height in each chart of the page.
const barsDrawn = `[...document.querySelectorAll("figure.chart")].map(f =>
  [...f.querySelectorAll("rect.chart-bar")].filter(r => parseFloat(r.getAttribute("height")) > 0).length)`

func TestHeadDashboardIsLive(t *testing.T) {
	srv := startDemoWithHistory(t)
	b := NewBrowser(t)
	head := b.Page(t, Tablet, "zh-CN")
	head.signIn(srv.URL, "13800000000")

	// The review's four charts have bars on first start.
	head.Open(srv.URL + "/shifts")
	bars := Eval[[]int](head, barsDrawn)
	if len(bars) != 4 {
		t.Fatalf("the review shows %d charts, want 4", len(bars))
	}
	for i, n := range bars {
		if n == 0 {
			t.Errorf("review chart %d has no bars", i+1)
		}
	}

	// The home is the dashboard: both booths uncovered at start, first.
	head.Open(srv.URL + "/")
	text := head.text()
	for _, want := range []string{"A 岗亭无人值守", "B 岗亭无人值守", "今天", "窗口队列", "提醒", "最近 7 天"} {
		if !strings.Contains(text, want) {
			t.Errorf("the dashboard does not say %q:\n%s", want, text)
		}
	}
	if n := Eval[int](head, `document.querySelectorAll(".dash-booth.booth-uncovered").length`); n != 2 {
		t.Errorf("%d booths shown uncovered, want 2", n)
	}
	for i, n := range Eval[[]int](head, barsDrawn) {
		if n == 0 {
			t.Errorf("trend chart %d has no bars", i+1)
		}
	}
	head.Screenshot("dashboard-start")
	head.Axe()
	Eval[bool](head, `(window.renderedOnce = true, true)`)
	Eval[bool](head, `(document.getElementById("dash-sound").click(), true)`)

	// An officer clocks in at booth B: the dashboard shows it without a reload.
	var booths struct{ Items []struct{ ID, Name string } }
	apiCall(t, srv.URL, "GET", "/api/v1/booths", "13800000001", nil, &booths)
	apiCall(t, srv.URL, "POST", "/api/v1/shifts/clock-in", "13800000001", map[string]any{"booth_id": booths.Items[1].ID}, nil)
	head.WaitFor(`[...document.querySelectorAll(".dash-booth")][1].classList.contains("booth-covered") &&
		[...document.querySelectorAll(".dash-booth")][1].innerText.includes("李明")`)

	// A resident's call comes first, with a sound, and leaves the top once acknowledged.
	var call struct{ ID string }
	apiCall(t, srv.URL, "POST", "/api/v1/assistance-calls", "13900000001", map[string]any{"category": "medical"}, &call)
	head.WaitFor(`document.querySelector(".dash-attention li") !== null &&
		document.querySelector(".dash-attention li").classList.contains("attention-call") &&
		document.querySelector(".dash-attention li").innerText.includes("#` + call.ID + `")`)
	if s := Eval[string](head, `document.getElementById("dash-sound").getAttribute("data-sounded") || ""`); s != "1" {
		t.Errorf("the new call sounded %q times, want once", s)
	}
	head.Screenshot("dashboard-call")
	apiCall(t, srv.URL, "POST", "/api/v1/assistance-calls/"+call.ID+"/transitions", "13800000001", map[string]string{"to": "acknowledged"}, nil)
	head.WaitFor(`document.querySelector(".attention-call") === null &&
		document.querySelector(".dash-calls") !== null && document.querySelector(".dash-calls").innerText.includes("#` + call.ID + `")`)
	if !Eval[bool](head, `window.renderedOnce === true`) {
		t.Error("the dashboard was reloaded")
	}

	en := NewBrowser(t).Page(t, Tablet, "en")
	en.signIn(srv.URL, "13800000000")
	en.Submit(".lang-switch button")
	en.Open(srv.URL + "/")
	if text := en.text(); !strings.Contains(text, "Booth A is not covered") || !strings.Contains(text, "The last 7 days") {
		t.Errorf("the English dashboard:\n%s", text)
	}
	en.Axe()
}

func TestOfficerTabletHomeIsOneScreen(t *testing.T) {
	srv := startDemoWithHistory(t)
	b := NewBrowser(t)
	var booths struct{ Items []struct{ ID, Name string } }
	apiCall(t, srv.URL, "GET", "/api/v1/booths", "13800000001", nil, &booths)
	// Someone waits at the counter and a call is open.
	apiCall(t, srv.URL, "POST", "/api/v1/service-requests", "13900000002",
		map[string]any{"services": []string{"other"}, "fields": map[string]any{"other": map[string]string{"subject": "开证明"}}}, nil)

	tablet := b.Page(t, Tablet, "zh-CN")
	tablet.signIn(srv.URL, "13800000001")
	tablet.Open(srv.URL + "/")
	tablet.Submit(".tablet-shift form button[type=submit]")
	tablet.Open(srv.URL + "/")
	text := tablet.text()
	for _, want := range []string{"求助呼叫", "窗口：接下来的群众", "其他事项", "快速记录", "3 号楼独居老人王大爷"} {
		if !strings.Contains(text, want) {
			t.Errorf("the tablet home does not show %q:\n%s", want, text)
		}
	}
	// Landscape 1024×768: board, queue and shift side by side, all on the screen.
	layout := Eval[map[string]float64](tablet, `(() => {
  const r = s => document.querySelector(s).getBoundingClientRect();
  return {boardRight: r(".tablet-board").right, queueLeft: r(".tablet-queue").left, shiftTop: r(".tablet-shift").top, quickBottom: r(".quick-log").bottom, h: innerHeight};
})()`)
	if layout["boardRight"] > layout["queueLeft"] || layout["quickBottom"] > layout["h"] {
		t.Errorf("landscape layout %v: want the board beside the queue, the quick log on the first screen", layout)
	}
	tablet.Screenshot("tablet-home")
	tablet.Axe()

	// A quick log entry from the home lands in the shift's log and comes back home.
	Eval[bool](tablet, `(window.renderedOnce = true, true)`)
	var call struct{ ID string }
	apiCall(t, srv.URL, "POST", "/api/v1/assistance-calls", "13900000001", map[string]any{"category": "crime"}, &call)
	tablet.WaitFor(`document.querySelector("#live-board .call-row.unacknowledged") !== null`)
	if !Eval[bool](tablet, `window.renderedOnce === true && document.getElementById("alert-banner").getAttribute("data-unacknowledged") === "1"`) {
		t.Error("the call did not reach the tablet home live")
	}
	tablet.Submit(".quick-log li:first-child button")
	if !strings.HasSuffix(Eval[string](tablet, `location.pathname`), "/") {
		t.Errorf("after a quick log entry the tablet is at %s", Eval[string](tablet, `location.href`))
	}
	var current struct {
		Entries []struct{ Kind, Text string } `json:"entries"`
	}
	apiCall(t, srv.URL, "GET", "/api/v1/shifts/current", "13800000001", nil, &current)
	found := false
	for _, e := range current.Entries {
		found = found || e.Kind == "patrol" && e.Text == "例行巡逻，一切正常"
	}
	if !found {
		t.Errorf("the quick log entry is not in the shift's log: %+v", current.Entries)
	}

	// Portrait: stacked.
	portrait := NewBrowser(t).Page(t, Size{Name: "tablet-portrait", Width: 768, Height: 1024}, "en")
	portrait.signIn(srv.URL, "13800000002")
	portrait.Submit(".lang-switch button")
	portrait.Open(srv.URL + "/")
	stacked := Eval[bool](portrait, `document.querySelector(".tablet-queue").getBoundingClientRect().top >= document.querySelector(".tablet-board").getBoundingClientRect().bottom`)
	if !stacked {
		t.Error("in portrait the queue is not below the board")
	}
	portrait.Screenshot("tablet-home")
	portrait.Axe()
}
