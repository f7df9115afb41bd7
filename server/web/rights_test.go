package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"policebooth/server/app"
	"policebooth/server/config"
	"policebooth/server/store"
	"policebooth/server/store/storetest"
	"policebooth/server/web"
)

// newRightsServer is the whole router with its Server at hand (for the
// retention run) and its data folder (where the blobs are).
func newRightsServer(t *testing.T) (*testServer, *web.Server, string) {
	t.Helper()
	dir := t.TempDir()
	st := storetest.Open(t)
	cfg, err := config.LoadFrom(func(k string) string {
		if k == "POLICEBOOTH_DATA_DIR" {
			return dir
		}
		return ""
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
	ts := &testServer{Server: hs, store: st, routes: srv.Routes()}
	ts.demo(t)
	return ts, srv, dir
}

// visit is what one resident leaves at the booth through the API: a
// request completed by an officer, an open one with a document, a
// resolved call with a location and a message.
type visit struct {
	completed, open, call, attachment string
	document                          []byte
	message                           string
}

func (ts *testServer) residentVisit(t *testing.T, token, officer, tag string) visit {
	t.Helper()
	v := visit{message: "我在小区东门 " + tag}
	var r struct{ ID string }
	newReq := func() string {
		if resp := ts.api(t, "POST", "/api/v1/service-requests", token, map[string]any{"services": []string{"other"}, "fields": map[string]any{"other": map[string]string{"subject": "证明 " + tag}}, "note": tag}, &r); resp.StatusCode != 201 {
			t.Fatalf("create request: %d", resp.StatusCode)
		}
		return r.ID
	}
	v.completed = newReq()
	for _, to := range []string{"accepted", "in_progress", "completed"} {
		if resp := ts.api(t, "POST", "/api/v1/service-requests/"+v.completed+"/transitions", officer, map[string]string{"to": to}, nil); resp.StatusCode != 200 {
			t.Fatalf("move to %s: %d", to, resp.StatusCode)
		}
	}
	v.open = newReq()
	v.document = uniquePNG(t, tag) // bytes of its own, so the archive shows whose it is
	v.attachment = ts.upload(t, "/api/v1/service-requests/"+v.open+"/attachments", token, tag+".png", v.document)
	var c struct{ ID string }
	if resp := ts.api(t, "POST", "/api/v1/assistance-calls", token, map[string]any{"category": "medical", "lat": 39.96, "lng": 116.3, "accuracy_m": 15}, &c); resp.StatusCode != 201 {
		t.Fatalf("create call: %d", resp.StatusCode)
	}
	v.call = c.ID
	if resp := ts.api(t, "POST", "/api/v1/assistance-calls/"+c.ID+"/messages", token, map[string]string{"text": v.message}, nil); resp.StatusCode != 201 {
		t.Fatalf("message: %d", resp.StatusCode)
	}
	for _, to := range []string{"acknowledged", "resolved"} {
		if resp := ts.api(t, "POST", "/api/v1/assistance-calls/"+c.ID+"/transitions", officer, map[string]string{"to": to}, nil); resp.StatusCode != 200 {
			t.Fatalf("move call to %s: %d", to, resp.StatusCode)
		}
	}
	return v
}

// download fetches an export and returns the archive's files by name.
func (ts *testServer) download(t *testing.T, path, token string) map[string][]byte {
	t.Helper()
	resp, body := ts.do(t, "GET", path, "", map[string]string{"Authorization": "Bearer " + token})
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/zip" ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment;") {
		t.Fatalf("GET %s: %d %s %q", path, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
	}
	z, err := zip.NewReader(bytes.NewReader([]byte(body)), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	return files
}

type exportData struct {
	Account         struct{ ID, Phone, Name string }
	Sessions        []struct{ ID string }
	ServiceRequests []struct {
		ID, Status, Note  string
		KeptAfterDeletion bool `json:"kept_after_deletion"`
		Timeline          []struct{ Kind string }
		Attachments       []struct{ ID, File string }
	} `json:"service_requests"`
	AssistanceCalls []struct {
		ID, Status        string
		Lat               *float64
		KeptAfterDeletion bool `json:"kept_after_deletion"`
		Messages          []struct{ Text string }
	} `json:"assistance_calls"`
	Kept []struct {
		Kind, ID string
		Reason   struct{ Zh, En string }
	} `json:"kept_after_deletion"`
}

func TestExportArchiveHoldsEveryRecordOfTheResidentAndNoOneElses(t *testing.T) {
	ts, _, _ := newRightsServer(t)
	officer := ts.login(t, "13800000001").AccessToken
	me, neighbour := ts.login(t, "13900000001"), ts.login(t, "13900000002")
	mine := ts.residentVisit(t, me.AccessToken, officer, "mine-0001")
	theirs := ts.residentVisit(t, neighbour.AccessToken, officer, "theirs-0002")

	files := ts.download(t, "/api/v1/me/export", me.AccessToken)
	if len(files["README.txt"]) == 0 {
		t.Error("the archive has no README.txt")
	}
	var data exportData
	if err := json.Unmarshal(files["data.json"], &data); err != nil {
		t.Fatalf("data.json: %v\n%s", err, files["data.json"])
	}
	if data.Account.Phone != "13900000001" || data.Account.Name != me.User.Name || data.Account.ID != me.User.ID || len(data.Sessions) == 0 {
		t.Errorf("account %+v, sessions %d", data.Account, len(data.Sessions))
	}
	var reqIDs []string
	for _, r := range data.ServiceRequests {
		reqIDs = append(reqIDs, r.ID)
		if len(r.Timeline) == 0 {
			t.Errorf("request %s has no timeline", r.ID)
		}
		if r.KeptAfterDeletion != (r.ID == mine.completed) {
			t.Errorf("request %s (%s): kept_after_deletion %v", r.ID, r.Status, r.KeptAfterDeletion)
		}
	}
	if !slices.Equal(reqIDs, []string{mine.completed, mine.open}) {
		t.Errorf("requests %v, want %v", reqIDs, []string{mine.completed, mine.open})
	}
	att := data.ServiceRequests[1].Attachments
	if len(att) != 1 || att[0].ID != mine.attachment || !bytes.Equal(files[att[0].File], mine.document) {
		t.Errorf("attachments %+v: want the document's own bytes in the archive", att)
	}
	if len(data.AssistanceCalls) != 1 || data.AssistanceCalls[0].ID != mine.call || data.AssistanceCalls[0].Lat == nil ||
		len(data.AssistanceCalls[0].Messages) != 1 || data.AssistanceCalls[0].Messages[0].Text != mine.message || !data.AssistanceCalls[0].KeptAfterDeletion {
		t.Errorf("calls %+v", data.AssistanceCalls)
	}
	var kept []string
	for _, k := range data.Kept {
		kept = append(kept, k.Kind+"/"+k.ID)
		if k.Reason.Zh == "" || k.Reason.En == "" {
			t.Errorf("kept %s/%s without a reason in both languages", k.Kind, k.ID)
		}
	}
	if want := []string{"service_request/" + mine.completed, "assistance_call/" + mine.call}; !slices.Equal(kept, want) {
		t.Errorf("kept_after_deletion %v, want %v", kept, want)
	}
	// Nothing of the neighbour's anywhere in the archive.
	for name, b := range files {
		for _, other := range []string{"13900000002", "theirs-0002", theirs.message} {
			if bytes.Contains(b, []byte(other)) {
				t.Errorf("%s holds the neighbour's %q", name, other)
			}
		}
		if bytes.Equal(b, theirs.document) {
			t.Errorf("%s is the neighbour's document", name)
		}
	}
	if len(files) != 3 {
		t.Errorf("archive files %d, want README, data.json and one document", len(files))
	}

	// The page's download is the same archive; staff have none.
	if page := ts.download(t, "/account/export", me.AccessToken); !bytes.Contains(page["data.json"], []byte(mine.completed)) {
		t.Errorf("the page's export lacks the request")
	}
	if resp, _ := ts.do(t, "GET", "/api/v1/me/export", "", map[string]string{"Authorization": "Bearer " + officer}); resp.StatusCode != 403 {
		t.Errorf("an officer's export: %d, want 403", resp.StatusCode)
	}
}

func TestDeletingTheAccountNeedsThePasswordAndEndsEverySession(t *testing.T) {
	ts, _, dir := newRightsServer(t)
	officer := ts.login(t, "13800000001").AccessToken
	me := ts.login(t, "13900000001")
	other := ts.login(t, "13900000001") // a second device
	mine := ts.residentVisit(t, me.AccessToken, officer, "mine-0001")
	blobs := func() int {
		n := 0
		filepath.WalkDir(filepath.Join(dir, "blobs"), func(_ string, d os.DirEntry, _ error) error {
			if d != nil && !d.IsDir() && !strings.HasSuffix(d.Name(), ".attrs") {
				n++
			}
			return nil
		})
		return n
	}
	if blobs() != 1 {
		t.Fatalf("%d blobs before, want the one document", blobs())
	}

	for _, tc := range []struct {
		body string
		want int
	}{
		{`{}`, 400},
		{`{"password":"wrong-password"}`, 400},
	} {
		if resp := ts.api(t, "DELETE", "/api/v1/me", me.AccessToken, json.RawMessage(tc.body), nil); resp.StatusCode != tc.want {
			t.Errorf("DELETE /me %s: %d, want %d", tc.body, resp.StatusCode, tc.want)
		}
	}
	var out struct {
		Status string
		Kept   []struct{ Kind, ID string }
	}
	if resp := ts.api(t, "DELETE", "/api/v1/me", me.AccessToken, map[string]string{"password": store.DemoPassword}, &out); resp.StatusCode != 200 || out.Status != "deleted" || len(out.Kept) != 2 {
		t.Fatalf("DELETE /me: %d %+v", resp.StatusCode, out)
	}
	for _, token := range []string{me.AccessToken, other.AccessToken} {
		if resp := ts.api(t, "GET", "/api/v1/me", token, nil, nil); resp.StatusCode != 401 {
			t.Errorf("access token after deletion: %d, want 401", resp.StatusCode)
		}
	}
	if resp := ts.api(t, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": other.RefreshToken}, nil); resp.StatusCode != 401 {
		t.Errorf("refresh after deletion: %d, want 401", resp.StatusCode)
	}
	if resp := ts.api(t, "POST", "/api/v1/auth/login", "", map[string]string{"phone": "13900000001", "password": store.DemoPassword}, nil); resp.StatusCode != 401 {
		t.Errorf("sign-in after deletion: %d, want 401", resp.StatusCode)
	}
	if blobs() != 0 {
		t.Errorf("%d blobs after deletion, want the open request's document gone", blobs())
	}
	// The station still has the completed request, without its owner.
	var r struct {
		Status     string
		ResidentID string `json:"resident_id"`
	}
	if resp := ts.api(t, "GET", "/api/v1/service-requests/"+mine.completed, officer, nil, &r); resp.StatusCode != 200 || r.ResidentID != "" || r.Status != "completed" {
		t.Errorf("kept request: %d %+v", resp.StatusCode, r)
	}
	for _, page := range []string{"/requests/" + mine.completed, "/calls/" + mine.call, "/queue", "/board"} {
		if resp, _ := ts.do(t, "GET", page, "", map[string]string{"Authorization": "Bearer " + officer}); resp.StatusCode != 200 {
			t.Errorf("officer's %s after the deletion: %d", page, resp.StatusCode)
		}
	}
	if resp := ts.api(t, "GET", "/api/v1/service-requests/"+mine.open, officer, nil, nil); resp.StatusCode != 404 {
		t.Errorf("open request after deletion: %d, want 404", resp.StatusCode)
	}
	// The number signs up again.
	if resp := ts.api(t, "POST", "/api/v1/auth/register", "", map[string]string{"phone": "13900000001", "password": "a-new-start-1", "name": "新居民", "privacy_version": app.PrivacyVersion}, nil); resp.StatusCode != 202 {
		t.Errorf("sign-up with the freed number: %d, want 202", resp.StatusCode)
	}
	if u, err := ts.store.FindUserByPhone(context.Background(), "13900000001"); err != nil || u.Name != "新居民" {
		t.Errorf("the new account of the freed number: %+v, %v", u, err)
	}
}

func TestDeletionWaitsForAnOpenCall(t *testing.T) {
	ts, _, _ := newRightsServer(t)
	me := ts.login(t, "13900000001")
	if resp := ts.api(t, "POST", "/api/v1/assistance-calls", me.AccessToken, map[string]any{"category": "other"}, nil); resp.StatusCode != 201 {
		t.Fatal(resp.StatusCode)
	}
	resp, body := ts.do(t, "DELETE", "/api/v1/me", `{"password":"`+store.DemoPassword+`"}`, map[string]string{"Authorization": "Bearer " + me.AccessToken})
	if resp.StatusCode != 409 || apiErrorCode(t, body) != "conflict" {
		t.Fatalf("delete with an open call: %d %s", resp.StatusCode, body)
	}
	if resp := ts.api(t, "GET", "/api/v1/me", me.AccessToken, nil, nil); resp.StatusCode != 200 {
		t.Errorf("the account is gone after a refused deletion: %d", resp.StatusCode)
	}
}

func TestRetentionRunDeletesExpiredDocumentsAndLocations(t *testing.T) {
	ts, srv, dir := newRightsServer(t)
	officer := ts.login(t, "13800000001").AccessToken
	head := ts.login(t, "13800000000").AccessToken
	me := ts.login(t, "13900000001")
	mine := ts.residentVisit(t, me.AccessToken, officer, "mine-0001")
	// The open request's document must outlive the run; finish it first.
	for _, to := range []string{"accepted", "rejected"} {
		body := map[string]string{"to": to, "note": "材料不全"}
		if resp := ts.api(t, "POST", "/api/v1/service-requests/"+mine.open+"/transitions", officer, body, nil); resp.StatusCode != 200 {
			t.Fatalf("move to %s: %d", to, resp.StatusCode)
		}
	}
	var station struct {
		StationID string `json:"station_id"`
	}
	ts.api(t, "GET", "/api/v1/me", head, nil, &station)
	var ret struct {
		Location   int `json:"location_retention_days"`
		Attachment int `json:"attachment_retention_days"`
	}
	if resp := ts.api(t, "PATCH", "/api/v1/stations/"+station.StationID+"/retention", head, map[string]int{"location_retention_days": 400}, nil); resp.StatusCode != 400 {
		t.Errorf("401 days of locations: %d, want 400", resp.StatusCode)
	}
	if resp := ts.api(t, "PATCH", "/api/v1/stations/"+station.StationID+"/retention", head, map[string]int{"location_retention_days": 7, "attachment_retention_days": 30}, &ret); resp.StatusCode != 200 || ret.Location != 7 || ret.Attachment != 30 {
		t.Fatalf("set retention: %d %+v", resp.StatusCode, ret)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "blobs", "attachments", "*", "*", "*.png"))
	if len(files) != 1 {
		t.Fatalf("blob files %v, want one", files)
	}
	ctx := context.Background()
	srv.ApplyRetention(ctx, time.Now().Add(6*24*time.Hour))
	if _, err := os.Stat(files[0]); err != nil {
		t.Fatalf("the document went before its period: %v", err)
	}
	var call struct{ Lat *float64 }
	ts.api(t, "GET", "/api/v1/assistance-calls/"+mine.call, officer, nil, &call)
	if call.Lat == nil {
		t.Fatal("the location went before its period")
	}
	srv.ApplyRetention(ctx, time.Now().Add(31*24*time.Hour))
	if _, err := os.Stat(files[0]); !os.IsNotExist(err) {
		t.Errorf("the document's file after its period: %v, want it deleted", err)
	}
	if resp := ts.api(t, "GET", "/api/v1/attachments/"+mine.attachment, me.AccessToken, nil, nil); resp.StatusCode != 404 {
		t.Errorf("the document after its period: %d, want 404", resp.StatusCode)
	}
	call.Lat = nil
	ts.api(t, "GET", "/api/v1/assistance-calls/"+mine.call, officer, nil, &call)
	if call.Lat != nil {
		t.Errorf("the call's location after its period: %v, want cleared", *call.Lat)
	}
}

func TestRetentionPageSetsThePeriods(t *testing.T) {
	ts, _, _ := newRightsServer(t)
	head := ts.login(t, "13800000000").AccessToken
	auth := map[string]string{"Authorization": "Bearer " + head, "Content-Type": "application/x-www-form-urlencoded"}
	resp, body := ts.do(t, "POST", "/retention", "location_retention_days=0&photo_retention_days=90&attachment_retention_days=365", auth)
	if resp.StatusCode != 400 || !strings.Contains(body, "1 到 365") {
		t.Fatalf("out of range: %d", resp.StatusCode)
	}
	resp, body = ts.do(t, "POST", "/retention", "location_retention_days=14&photo_retention_days=60&attachment_retention_days=730", auth)
	if resp.StatusCode != 200 || !strings.Contains(body, `value="14"`) || !strings.Contains(body, `value="730"`) {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	var entries struct {
		Items []struct{ Action, Detail string }
	}
	ts.api(t, "GET", "/api/v1/audit?action=station.retention", head, nil, &entries)
	if len(entries.Items) != 1 || !strings.Contains(entries.Items[0].Detail, "location 30→14") {
		t.Errorf("audit %+v", entries.Items)
	}
}
