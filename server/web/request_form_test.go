package web_test

import (
	"regexp"
	"strings"
	"testing"
)

// summaryLinks are the targets and texts of a page's error summary links.
func summaryLinks(page string) (hrefs, texts []string) {
	i := strings.Index(page, `class="form-error error-summary"`)
	if i < 0 {
		return nil, nil
	}
	box := page[i:]
	box = box[:strings.Index(box, "</div>")]
	for _, m := range regexp.MustCompile(`<a href="([^"]*)">([^<]*)</a>`).FindAllStringSubmatch(box, -1) {
		hrefs, texts = append(hrefs, m[1]), append(texts, m[2])
	}
	return hrefs, texts
}

// 下一步 keeps the person at the form (the details form is its target),
// and a form sent with errors answers with a summary whose entries link to
// the fields in error.
func TestVisitFormKeepsThePersonAtTheFormWithLinkedErrors(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	resident := ts.login(t, "13900000001").AccessToken
	bearer := map[string]string{"Authorization": "Bearer " + resident}

	_, page := ts.do(t, "GET", "/requests/new", "", bearer)
	if !strings.Contains(page, `<form method="get" action="/requests/new#details"`) {
		t.Error("下一步 does not aim at the details form")
	}
	if strings.Contains(page, "error-summary") {
		t.Error("an error summary on the first visit")
	}

	// 下一步 with nothing picked says so, linking to the first choice.
	resp, page := ts.do(t, "GET", "/requests/new?next=1", "", bearer)
	hrefs, _ := summaryLinks(page)
	if resp.StatusCode != 400 || len(hrefs) != 1 || !strings.HasPrefix(hrefs[0], "#svc-") || !strings.Contains(page, `id="`+hrefs[0][1:]+`"`) {
		t.Fatalf("下一步 with nothing picked: %d, summary links %v", resp.StatusCode, hrefs)
	}

	// Picked: the details form is there, with the id 下一步 aims at.
	_, page = ts.do(t, "GET", "/requests/new?next=1&service=newborn_registration", "", bearer)
	if !strings.Contains(page, `id="details"`) {
		t.Fatal("no details form with id details after 下一步")
	}

	// Sent with the newborn's name and place missing: each error links to its field.
	form := map[string]string{"Authorization": "Bearer " + resident, "Content-Type": "application/x-www-form-urlencoded"}
	resp, page = ts.do(t, "POST", "/requests/new", "service=newborn_registration&nb_birth_date=2026-11-01&nb_certificate=Q1&nb_guardian_name=陈大明&idempotency_key=form-1", form)
	if resp.StatusCode != 400 {
		t.Fatalf("form with errors: %d", resp.StatusCode)
	}
	hrefs, texts := summaryLinks(page)
	if strings.Join(hrefs, " ") != "#f-nb_baby_name #f-nb_birth_place" {
		t.Fatalf("summary links %v, want the baby's name and the birth place in the form's order", hrefs)
	}
	for _, h := range hrefs {
		if !strings.Contains(page, `id="`+h[1:]+`"`) {
			t.Errorf("summary link %s points at no field", h)
		}
	}
	if !strings.Contains(texts[0], "宝宝姓名") {
		t.Errorf("summary entry %q does not name the field", texts[0])
	}
}

// 转交给 picks nobody by default (the head comes first in the list), and
// sending it without a choice says so in the page's language.
func TestAssignPicksNobodyByDefault(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.demo(t)
	resident := ts.login(t, "13900000001").AccessToken
	officer := ts.login(t, "13800000001").AccessToken
	var r struct{ ID string }
	ts.api(t, "POST", "/api/v1/service-requests", resident, map[string]any{"services": []string{"other"}, "fields": map[string]any{"other": map[string]string{"subject": "咨询"}}}, &r)
	selected := func() string {
		_, page := ts.do(t, "GET", "/requests/"+r.ID, "", map[string]string{"Authorization": "Bearer " + officer})
		i := strings.Index(page, `name="assignee_id"`)
		if i < 0 {
			t.Fatal("no 转交给 on the request page")
		}
		box := page[i : i+strings.Index(page[i:], "</select>")]
		m := regexp.MustCompile(`<option value="([^"]*)" selected>`).FindStringSubmatch(box)
		if m == nil {
			return "none selected"
		}
		return m[1]
	}
	if got := selected(); got != "" {
		t.Errorf("转交给 preselects %q, want the empty choice", got)
	}
	form := map[string]string{"Authorization": "Bearer " + officer, "Content-Type": "application/x-www-form-urlencoded"}
	resp, page := ts.do(t, "POST", "/requests/"+r.ID+"/assign", "assignee_id=", form)
	if resp.StatusCode != 400 || !strings.Contains(page, "请选择接手的民警") {
		t.Errorf("转交 without a choice: %d, want 400 saying to choose", resp.StatusCode)
	}
	var me struct{ ID string }
	ts.api(t, "GET", "/api/v1/me", ts.login(t, "13800000002").AccessToken, nil, &me)
	if resp, _ := ts.doNoRedirect(t, "POST", "/requests/"+r.ID+"/assign", "assignee_id="+me.ID, form); resp.StatusCode != 303 {
		t.Fatalf("转交: %d", resp.StatusCode)
	}
	if got := selected(); got != me.ID {
		t.Errorf("after 转交 the choice is %q, want the assignee %s", got, me.ID)
	}
}
