package web_test

import (
	"regexp"
	"strings"
	"testing"
)

// Every bar of the review's charts carries its value as text above it: a
// tablet has no hover to show the tooltip.
func TestChartBarsShowTheirValues(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	head := ts.login(t, "13800000000").AccessToken
	officer := ts.login(t, "13800000001").AccessToken
	var booths struct{ Items []struct{ ID string } }
	ts.api(t, "GET", "/api/v1/booths", "", nil, &booths)
	ts.api(t, "POST", "/api/v1/shifts/clock-in", officer, map[string]string{"booth_id": booths.Items[0].ID}, nil)
	for _, phone := range []string{"13900000001", "13900000002"} {
		var call struct{ ID string }
		ts.api(t, "POST", "/api/v1/assistance-calls", ts.login(t, phone).AccessToken, map[string]string{"category": "other"}, &call)
		ts.api(t, "POST", "/api/v1/assistance-calls/"+call.ID+"/transitions", officer, map[string]string{"to": "acknowledged"}, nil)
	}
	_, page := ts.do(t, "GET", "/shifts", "", map[string]string{"Authorization": "Bearer " + head})
	bar := regexp.MustCompile(`<g><title>[^<]*</title><rect class="chart-bar"[^>]* height="(\d+)"></rect>\s*(<text class="chart-value"[^>]*>(\d+)</text>)?`)
	bars := bar.FindAllStringSubmatch(page, -1)
	if len(bars) == 0 {
		t.Fatal("the review page has no chart bars")
	}
	shown := 0
	for _, b := range bars {
		switch {
		case b[1] != "0" && b[3] == "":
			t.Errorf("a bar of height %s shows no value", b[1])
		case b[1] == "0" && b[3] != "":
			t.Errorf("an empty bar shows %s", b[3])
		case b[3] != "":
			shown++
		}
	}
	if shown == 0 || !strings.Contains(page, `class="chart-value"`) {
		t.Errorf("no bar value shown among %d bars", len(bars))
	}
}
