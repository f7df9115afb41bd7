package web_test

import (
	"strconv"
	"testing"
)

// TestStaffCallListPagesByKeyset: the staff call list answers a page of
// ?limit= calls, newest first, with a next_cursor that gives the page
// after it, and refuses a limit out of range.
func TestStaffCallListPagesByKeyset(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demoWithHistory(t)
	officer := ts.login(t, "13800000001").AccessToken
	type page struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
		NextCursor string `json:"next_cursor"`
	}
	var first, second page
	if resp := ts.api(t, "GET", "/api/v1/assistance-calls?limit=2", officer, nil, &first); resp.StatusCode != 200 {
		t.Fatalf("first page: %d", resp.StatusCode)
	}
	if len(first.Items) != 2 || first.NextCursor != first.Items[1].ID {
		t.Fatalf("first page: %+v, want 2 calls and the last one's id as the cursor", first)
	}
	if resp := ts.api(t, "GET", "/api/v1/assistance-calls?limit=2&cursor="+first.NextCursor, officer, nil, &second); resp.StatusCode != 200 {
		t.Fatalf("second page: %d", resp.StatusCode)
	}
	if len(second.Items) != 2 {
		t.Fatalf("second page: %+v", second)
	}
	last, _ := strconv.ParseInt(first.NextCursor, 10, 64)
	for _, c := range second.Items {
		if id, _ := strconv.ParseInt(c.ID, 10, 64); id >= last {
			t.Errorf("call %s on the second page is not older than the first page's last (%d)", c.ID, last)
		}
	}
	for _, q := range []string{"limit=0", "limit=101", "cursor=x"} {
		if resp := ts.api(t, "GET", "/api/v1/assistance-calls?"+q, officer, nil, nil); resp.StatusCode != 400 {
			t.Errorf("?%s: %d, want 400", q, resp.StatusCode)
		}
	}
}
