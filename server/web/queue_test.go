package web_test

import (
	"strings"
	"testing"
	"time"
)

type queueRequestOut struct {
	ID            string
	Status        string
	Ticket        string
	ArrivedAt     *time.Time `json:"arrived_at"`
	Window        int
	QueuePosition *int   `json:"queue_position"`
	ETAMinutes    *int   `json:"eta_minutes"`
	SlotID        string `json:"slot_id"`
	Rating        *struct {
		Score    int
		Response string
	}
}

// The counter end to end over the API: hours, a booking, arriving by the
// booth's QR code, a walk-in, the place in line, calling to a window with
// the display told, completion, ratings and the head's answer, figures.
func TestCounterQueueOverTheAPI(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	resident := ts.login(t, "13900000001").AccessToken
	officer := ts.login(t, "13800000001").AccessToken
	head := ts.login(t, "13800000000").AccessToken
	var booths struct{ Items []struct{ ID, Name string } }
	ts.api(t, "GET", "/api/v1/booths", "", nil, &booths)
	booth := booths.Items[0].ID

	// Every day, 00:00–23:55 in 5-minute slots of one visit: a slot is
	// always coming, whenever the test runs.
	var weekly []map[string]any
	for d := 1; d <= 7; d++ {
		weekly = append(weekly, map[string]any{"weekday": d, "opens": "00:00", "closes": "23:55", "slot_minutes": 5, "capacity": 1})
	}
	if resp := ts.api(t, "PUT", "/api/v1/booths/"+booth+"/opening-hours", head, map[string]any{"weekly": weekly, "closed_dates": []string{}}, nil); resp.StatusCode != 200 {
		t.Fatalf("set hours: %d", resp.StatusCode)
	}
	if resp := ts.api(t, "PUT", "/api/v1/booths/"+booth+"/opening-hours", head, map[string]any{"weekly": []map[string]any{{"weekday": 9, "opens": "09:00", "closes": "10:00", "slot_minutes": 5, "capacity": 1}}}, nil); resp.StatusCode != 400 {
		t.Errorf("weekday 9: %d, want 400", resp.StatusCode)
	}
	var slots struct {
		Items []struct {
			ID        string
			StartsAt  time.Time `json:"starts_at"`
			Remaining int
		}
	}
	ts.api(t, "GET", "/api/v1/slots?booth_id="+booth, resident, nil, &slots)
	if len(slots.Items) == 0 || slots.Items[0].Remaining != 1 {
		t.Fatalf("slots %+v: want coming ones with a place each", slots.Items)
	}
	first := slots.Items[0]
	var day struct{ Items []struct{ ID string } }
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	ts.api(t, "GET", "/api/v1/slots?booth_id="+booth+"&date="+first.StartsAt.In(shanghai).Format(time.DateOnly), resident, nil, &day)
	if len(day.Items) == 0 || day.Items[0].ID != first.ID {
		t.Fatalf("slots of %s: %+v, want the first coming one first", first.StartsAt, day.Items)
	}

	var mine queueRequestOut
	ts.api(t, "POST", "/api/v1/service-requests", resident, map[string]any{"services": []string{"other"}, "fields": map[string]any{"other": map[string]string{"subject": "开证明"}}}, &mine)
	if resp := ts.api(t, "PUT", "/api/v1/service-requests/"+mine.ID+"/booking", resident, map[string]string{"slot_id": first.ID}, &mine); resp.StatusCode != 200 || mine.SlotID != first.ID {
		t.Fatalf("book: %d %+v", resp.StatusCode, mine)
	}
	var neighbours queueRequestOut
	neighbour := ts.login(t, "13900000002").AccessToken
	ts.api(t, "POST", "/api/v1/service-requests", neighbour, map[string]any{"services": []string{"other"}, "fields": map[string]any{"other": map[string]string{"subject": "同一时间"}}}, &neighbours)
	if resp := ts.api(t, "PUT", "/api/v1/service-requests/"+neighbours.ID+"/booking", neighbour, map[string]string{"slot_id": first.ID}, nil); resp.StatusCode != 409 {
		t.Errorf("booking a full slot: %d, want 409", resp.StatusCode)
	}

	// Arriving: far away refused, by the printed QR code's code accepted.
	far := map[string]any{"lat": 31.23, "lng": 121.47}
	if resp := ts.api(t, "POST", "/api/v1/service-requests/"+mine.ID+"/arrival", resident, far, nil); resp.StatusCode != 403 {
		t.Fatalf("arriving from Shanghai: %d, want 403", resp.StatusCode)
	}
	var qr struct{ Code, URL string }
	ts.api(t, "GET", "/api/v1/booths/"+booth+"/arrival-code", head, nil, &qr)
	if qr.Code == "" || !strings.Contains(qr.URL, "/arrive/"+booth+"?code=") {
		t.Fatalf("arrival code %+v", qr)
	}
	if resp := ts.api(t, "POST", "/api/v1/service-requests/"+mine.ID+"/arrival", resident, map[string]string{"code": qr.Code}, &mine); resp.StatusCode != 200 || mine.Ticket != "A-001" || mine.ArrivedAt == nil || mine.Status != "submitted" {
		t.Fatalf("arriving by QR code: %d %+v, want A-001, arrived, still submitted", resp.StatusCode, mine)
	}
	var walkIn queueRequestOut
	if resp := ts.api(t, "POST", "/api/v1/service-requests", officer, map[string]any{"booth_id": booth, "walk_in": map[string]string{"name": "王大爷", "phone": "13900000077"},
		"services": []string{"other"}, "fields": map[string]any{"other": map[string]string{"subject": "问路"}}}, &walkIn); resp.StatusCode != 201 || walkIn.Ticket != "A-002" {
		t.Fatalf("walk-in: %d %+v, want A-002", resp.StatusCode, walkIn)
	}
	ts.api(t, "GET", "/api/v1/service-requests/"+walkIn.ID, officer, nil, &walkIn)
	if walkIn.QueuePosition == nil || *walkIn.QueuePosition != 2 || walkIn.ETAMinutes == nil || *walkIn.ETAMinutes != 15 {
		t.Fatalf("the walk-in's place %v, eta %v: want 2nd, about 15 minutes (one 'other' visit ahead)", walkIn.QueuePosition, walkIn.ETAMinutes)
	}

	// The display, opened with a key, shows the line as served and hears
	// the call.
	var key struct{ ID, Key, URL string }
	if resp := ts.api(t, "POST", "/api/v1/booths/"+booth+"/display-keys", head, nil, &key); resp.StatusCode != 201 || !strings.HasSuffix(key.URL, "/display/"+booth+"?key="+key.Key) {
		t.Fatalf("display key: %d %+v", resp.StatusCode, key)
	}
	resp, page := ts.do(t, "GET", "/display/"+booth+"?key="+key.Key, "", nil)
	if resp.StatusCode != 200 || !strings.Contains(page, "A-001") || !strings.Contains(page, "A-002") || strings.Contains(page, "王大爷") {
		t.Fatalf("display page %d: want tickets A-001 and A-002 and no names", resp.StatusCode)
	}
	if resp, _ := ts.do(t, "GET", "/display/"+booth+"?key=guess", "", nil); resp.StatusCode != 404 {
		t.Errorf("a display with a wrong key: %d, want 404", resp.StatusCode)
	}
	screen := ts.streamAt(t, "/display/"+booth+"/events?key="+key.Key, "", "")

	if resp := ts.api(t, "POST", "/api/v1/booths/"+booth+"/queue/next", officer, nil, nil); resp.StatusCode != 403 {
		t.Errorf("calling off duty: %d, want 403", resp.StatusCode)
	}
	if resp := ts.api(t, "POST", "/api/v1/shifts/clock-in", officer, map[string]any{"booth_id": booth, "window": 3}, nil); resp.StatusCode != 201 {
		t.Fatalf("clock in: %d", resp.StatusCode)
	}
	var called queueRequestOut
	if resp := ts.api(t, "POST", "/api/v1/booths/"+booth+"/queue/next", officer, nil, &called); resp.StatusCode != 200 || called.ID != mine.ID || called.Status != "called" || called.Window != 3 {
		t.Fatalf("queue/next: %d %+v, want A-001 called to window 3", resp.StatusCode, called)
	}
	for {
		ev := screen.next(t)
		if ev.Name == "queue" && ev.Data["call"] == true {
			if ev.Data["ticket"] != "A-001" || ev.Data["window"] != float64(3) {
				t.Fatalf("the display heard %v, want A-001 to window 3", ev.Data)
			}
			break
		}
	}
	ts.api(t, "GET", "/api/v1/service-requests/"+walkIn.ID, officer, nil, &walkIn)
	if walkIn.QueuePosition == nil || *walkIn.QueuePosition != 1 {
		t.Errorf("after the call the walk-in is %v in line, want 1", walkIn.QueuePosition)
	}

	for _, to := range []string{"in_progress", "completed"} {
		if resp := ts.api(t, "POST", "/api/v1/service-requests/"+mine.ID+"/transitions", officer, map[string]string{"to": to}, nil); resp.StatusCode != 200 {
			t.Fatalf("move to %s: %d", to, resp.StatusCode)
		}
	}
	if resp := ts.api(t, "POST", "/api/v1/service-requests/"+mine.ID+"/rating", resident, map[string]any{"score": 1}, nil); resp.StatusCode != 400 {
		t.Errorf("a 1 without a comment: %d, want 400", resp.StatusCode)
	}
	var rating struct{ ID string }
	if resp := ts.api(t, "POST", "/api/v1/service-requests/"+mine.ID+"/rating", resident, map[string]any{"score": 2, "comment": "窗口太冷"}, &rating); resp.StatusCode != 201 {
		t.Fatalf("rate: %d", resp.StatusCode)
	}
	if resp := ts.api(t, "POST", "/api/v1/service-requests/"+mine.ID+"/rating", resident, map[string]any{"score": 5}, nil); resp.StatusCode != 409 {
		t.Errorf("a second rating: %d, want 409", resp.StatusCode)
	}
	var bad struct{ Items []map[string]any }
	ts.api(t, "GET", "/api/v1/ratings?unanswered=1", head, nil, &bad)
	if len(bad.Items) != 1 || bad.Items[0]["resident_id"] != nil {
		t.Fatalf("bad ratings to answer %+v: want one, without who gave it", bad.Items)
	}
	if resp := ts.api(t, "POST", "/api/v1/ratings/"+rating.ID+"/response", head, map[string]string{"text": "已加装暖风，感谢指正。"}, nil); resp.StatusCode != 201 {
		t.Fatalf("answer: %d", resp.StatusCode)
	}
	ts.api(t, "GET", "/api/v1/service-requests/"+mine.ID, resident, nil, &mine)
	if mine.Rating == nil || mine.Rating.Score != 2 || mine.Rating.Response != "已加装暖风，感谢指正。" {
		t.Fatalf("the resident's request shows rating %+v, want the head's answer", mine.Rating)
	}
	var figures struct {
		Visits struct {
			NoShows           int      `json:"no_shows"`
			MedianWaitMinutes *float64 `json:"median_wait_minutes"`
			WithinTargetShare *float64 `json:"within_target_share"`
		}
		Ratings struct {
			Count        int
			Satisfaction *float64
			ByScore      map[string]int `json:"by_score"`
		}
	}
	ts.api(t, "GET", "/api/v1/shifts/figures", head, nil, &figures)
	if figures.Visits.MedianWaitMinutes == nil || figures.Visits.WithinTargetShare == nil || *figures.Visits.WithinTargetShare != 1 ||
		figures.Ratings.Count != 1 || figures.Ratings.ByScore["2"] != 1 || figures.Ratings.Satisfaction == nil || *figures.Ratings.Satisfaction != 0 {
		t.Errorf("figures %+v", figures)
	}

	_, csv := ts.do(t, "GET", "/api/v1/shifts.csv", "", map[string]string{"Authorization": "Bearer " + head})
	for _, want := range []string{"窗口统计,满意率（满意和非常满意）,0%", "窗口统计,不满意,1", "窗口统计,预约未到,0"} {
		if !strings.Contains(csv, want) {
			t.Errorf("the CSV lacks %q:\n%s", want, csv)
		}
	}

	// A revoked key closes the screen.
	if resp := ts.api(t, "DELETE", "/api/v1/booths/"+booth+"/display-keys/"+key.ID, head, nil, nil); resp.StatusCode != 204 {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	if resp, _ := ts.do(t, "GET", "/display/"+booth+"/state?key="+key.Key, "", nil); resp.StatusCode != 404 {
		t.Errorf("a revoked key's state: %d, want 404", resp.StatusCode)
	}
	select {
	case <-screen.closed:
	case <-time.After(15 * time.Second):
		t.Error("the screen's stream stayed open after its key was revoked")
	}
}
