package web_test

import (
	"strings"
	"testing"
)

// Making a share link on the photos page is post/redirect/get: the link is
// shown once, with copy and share buttons, and refreshing the page neither
// posts again nor shows it again.
func TestShareLinkFormRedirectsAndShowsTheLinkOnce(t *testing.T) {
	ts := newTestServer(t, map[string]string{"POLICEBOOTH_DATA_DIR": t.TempDir()})
	ts.demo(t)
	resident := ts.login(t, "13900000001").AccessToken
	officer := ts.login(t, "13800000001").AccessToken
	fixtures := photoFixtures(t, ts, resident, officer)
	photo := ""
	for i := 0; i+1 < len(fixtures); i += 2 {
		if fixtures[i] == "{photo}" {
			photo = fixtures[i+1]
		}
	}
	countLinks := func() int { // each live link has its revoke form on the page
		_, page := ts.do(t, "GET", "/photos", "", map[string]string{"Authorization": "Bearer " + resident})
		return strings.Count(page, "/share-links/")
	}
	before := countLinks()
	resp, _ := ts.doNoRedirect(t, "POST", "/photos/"+photo+"/share", "days=7",
		map[string]string{"Authorization": "Bearer " + resident, "Content-Type": "application/x-www-form-urlencoded"})
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/photos?done=share" {
		t.Fatalf("share form: %d to %q, want 303 to the photos page", resp.StatusCode, resp.Header.Get("Location"))
	}
	var flash string
	for _, ck := range resp.Cookies() {
		if ck.Name == "pb_share_link" {
			flash = ck.Name + "=" + ck.Value
		}
	}
	if flash == "" || !strings.Contains(flash, "/shared/") {
		t.Fatalf("no link carried to the page: %q", flash)
	}
	link := flash[strings.Index(flash, "=")+1:]
	resp, page := ts.do(t, "GET", "/photos?done=share", "", map[string]string{"Authorization": "Bearer " + resident, "Cookie": flash})
	if resp.StatusCode != 200 || !strings.Contains(page, `value="`+link+`"`) || !strings.Contains(page, "data-copy=") || !strings.Contains(page, "data-share=") {
		t.Fatalf("the page after the share: %d, want the link %s with copy and share buttons", resp.StatusCode, link)
	}
	if resp.Header.Get("X-Booth-Offline") != "no" {
		t.Error("the page with the link may be kept offline")
	}
	cleared := false
	for _, ck := range resp.Cookies() {
		cleared = cleared || (ck.Name == "pb_share_link" && ck.MaxAge < 0)
	}
	if !cleared {
		t.Error("the link's cookie is not cleared once shown")
	}
	// Refreshing (without the cleared cookie) shows no link and makes none.
	_, page = ts.do(t, "GET", "/photos?done=share", "", map[string]string{"Authorization": "Bearer " + resident})
	if strings.Contains(page, link) {
		t.Error("the link is shown again on refresh")
	}
	if got := countLinks(); got != before+1 {
		t.Errorf("share links on the page: %d, want %d", got, before+1)
	}
}
