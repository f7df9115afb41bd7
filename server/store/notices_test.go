package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"policebooth/server/app"
	"policebooth/server/store"
	"policebooth/server/store/storetest"
)

// noticeWorld is the demo station with its people, and booth B's resident.
type noticeWorld struct {
	st                   *store.Store
	head, officer        *app.User
	residentA, residentB *app.User
	boothA, boothB       app.Booth
	otherHead            *app.User
	otherStation         *app.Station
}

func newNoticeWorld(t *testing.T) *noticeWorld {
	t.Helper()
	ctx := context.Background()
	st := open(t)
	if err := st.LoadDemo(ctx, storetest.Logger(t)); err != nil {
		t.Fatal(err)
	}
	w := &noticeWorld{st: st}
	find := func(phone string) *app.User {
		u, err := st.FindUserByPhone(ctx, phone)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	w.head, w.officer, w.residentA = find("13800000000"), find("13800000001"), find("13900000001")
	booths, err := st.ListBooths(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range booths {
		switch b.Name {
		case "A":
			w.boothA = b
		case "B":
			w.boothB = b
		}
	}
	w.residentB = find("13900000002")
	if _, err := st.UpdateUser(ctx, w.residentB.ID, app.UserUpdate{HomeBoothID: &w.boothB.ID}); err != nil {
		t.Fatal(err)
	}
	w.otherStation = &app.Station{Name: "朝阳派出所"}
	if err := st.CreateStation(ctx, app.Actor{}, w.otherStation); err != nil {
		t.Fatal(err)
	}
	w.otherHead = &app.User{Role: app.RoleHead, Phone: "13600000000", Name: "孙强", StationID: &w.otherStation.ID, PasswordHash: "x"}
	if err := st.CreateUser(ctx, w.otherHead); err != nil {
		t.Fatal(err)
	}
	return w
}

func draft(title string, kind app.NoticeKind, sev app.NoticeSeverity) app.NoticeDraft {
	body := "正文：" + title
	return app.NoticeDraft{Title: &title, Body: &body, Kind: &kind, Severity: &sev}
}

func (w *noticeWorld) publish(t *testing.T, by *app.User, d app.NoticeDraft, now time.Time) *app.Notice {
	t.Helper()
	n, err := w.st.CreateNotice(context.Background(), app.Actor{ID: by.ID}, d, now)
	if err != nil {
		t.Fatalf("CreateNotice: %v", err)
	}
	return n
}

func titles(ns []app.ResidentNotice) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.Title)
	}
	return out
}

func TestResidentsSeeTheCurrentNoticesOfTheirAreaMostSevereAndNewestFirst(t *testing.T) {
	w := newNoticeWorld(t)
	ctx := context.Background()
	w.publish(t, w.officer, draft("停水通知", app.NoticeServiceChange, app.SeverityMinor), t0)
	w.publish(t, w.head, draft("冒充公检法诈骗", app.NoticeAntiFraud, app.SeveritySevere), t0.Add(time.Minute))
	w.publish(t, w.officer, draft("夜间巡逻", app.NoticeSafety, app.SeverityMinor), t0.Add(2*time.Minute))
	onlyB := draft("B亭附近施工", app.NoticeSafety, app.SeverityExtreme)
	onlyB.BoothIDs = &[]int64{w.boothB.ID}
	w.publish(t, w.officer, onlyB, t0.Add(3*time.Minute))
	later := draft("明天开始", app.NoticeSafety, app.SeverityExtreme)
	starts := t0.Add(24 * time.Hour)
	later.StartsAt = &starts
	w.publish(t, w.officer, later, t0)
	short := draft("一小时", app.NoticeSafety, app.SeverityExtreme)
	expires := t0.Add(time.Hour)
	short.ExpiresAt = &expires
	w.publish(t, w.officer, short, t0)
	w.publish(t, w.otherHead, draft("别的派出所", app.NoticeSafety, app.SeverityExtreme), t0)

	now := t0.Add(2 * time.Hour)
	got, err := w.st.ListResidentNotices(ctx, w.residentA.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"冒充公检法诈骗", "夜间巡逻", "停水通知"}; !slices.Equal(titles(got), want) {
		t.Fatalf("booth A's resident sees %v, want %v", titles(got), want)
	}
	for _, n := range got {
		if !n.Unread() || n.Receipt == nil || !n.Receipt.ReceivedAt.Equal(now) {
			t.Fatalf("%s: receipt %+v, want received now and unread", n.Title, n.Receipt)
		}
	}
	gotB, _ := w.st.ListResidentNotices(ctx, w.residentB.ID, now)
	if want := []string{"B亭附近施工", "冒充公检法诈骗", "夜间巡逻", "停水通知"}; !slices.Equal(titles(gotB), want) {
		t.Fatalf("booth B's resident sees %v, want %v", titles(gotB), want)
	}
	if _, err := w.st.FindNotice(ctx, gotB[0].ID, app.NoticeScope{ResidentID: w.residentA.ID}, now); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("booth A's resident finds booth B's notice: %v", err)
	}
	if _, err := w.st.FindNotice(ctx, gotB[0].ID, app.NoticeScope{StationID: *w.otherHead.StationID}, now); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("another station finds the notice: %v", err)
	}
}

func TestReadAcknowledgeAndReach(t *testing.T) {
	w := newNoticeWorld(t)
	ctx := context.Background()
	fraud := w.publish(t, w.head, draft("冒充客服退款诈骗", app.NoticeAntiFraud, app.SeveritySevere), t0)
	safety := w.publish(t, w.head, draft("台风", app.NoticeSafety, app.SeverityModerate), t0)
	now := t0.Add(time.Minute)
	if _, err := w.st.ListResidentNotices(ctx, w.residentA.ID, now); err != nil {
		t.Fatal(err)
	}
	if _, err := w.st.AcknowledgeNotice(ctx, safety.ID, w.residentA.ID, now); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("acknowledging a safety notice: %v, want invalid", err)
	}
	r, err := w.st.MarkNoticeRead(ctx, fraud.ID, w.residentB.ID, now)
	if err != nil || r.ReadAt == nil || r.AcknowledgedAt != nil {
		t.Fatalf("MarkNoticeRead: %+v %v", r, err)
	}
	r, err = w.st.AcknowledgeNotice(ctx, fraud.ID, w.residentA.ID, now.Add(time.Second))
	if err != nil || r.ReadAt == nil || r.AcknowledgedAt == nil {
		t.Fatalf("AcknowledgeNotice: %+v %v", r, err)
	}
	again, err := w.st.AcknowledgeNotice(ctx, fraud.ID, w.residentA.ID, now.Add(time.Hour))
	if err != nil || !again.AcknowledgedAt.Equal(*r.AcknowledgedAt) {
		t.Fatalf("a second acknowledgement moved the first: %+v %v", again, err)
	}
	reach, err := w.st.NoticeReach(ctx, fraud)
	if err != nil {
		t.Fatal(err)
	}
	if want := (app.NoticeReach{Residents: 2, Received: 2, Opened: 2, Acknowledged: 1}); reach != want {
		t.Fatalf("reach %+v, want %+v", reach, want)
	}
	receipts, err := w.st.ResidentNoticeReceipts(ctx, w.residentA.ID)
	if err != nil || len(receipts) != 2 {
		t.Fatalf("resident A's receipts %+v %v, want the two notices listed", receipts, err)
	}
}

func TestUpdateAndWithdrawAreRecorded(t *testing.T) {
	w := newNoticeWorld(t)
	ctx := context.Background()
	n := w.publish(t, w.officer, draft("寻人：王奶奶", app.NoticeMissingPerson, app.SeveritySevere), t0)
	title := "寻人：王奶奶（更新）"
	up, err := w.st.UpdateNotice(ctx, app.Actor{ID: w.head.ID}, n.ID, app.NoticeDraft{Title: &title}, t0.Add(time.Minute))
	if err != nil || up.Version != 2 || up.Title != title {
		t.Fatalf("UpdateNotice: %+v %v", up, err)
	}
	if _, err := w.st.UpdateNotice(ctx, app.Actor{ID: w.otherHead.ID}, n.ID, app.NoticeDraft{Title: &title}, t0); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("another station's head updates: %v", err)
	}
	wd, err := w.st.WithdrawNotice(ctx, app.Actor{ID: w.officer.ID}, n.ID, "已找到", t0.Add(2*time.Minute))
	if err != nil || wd.Version != 3 || !wd.Withdrawn() {
		t.Fatalf("WithdrawNotice: %+v %v", wd, err)
	}
	if _, err := w.st.WithdrawNotice(ctx, app.Actor{ID: w.officer.ID}, n.ID, "", t0.Add(3*time.Minute)); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("withdrawing twice: %v", err)
	}
	got, _ := w.st.ListResidentNotices(ctx, w.residentA.ID, t0.Add(3*time.Minute))
	if len(got) != 0 {
		t.Fatalf("after the withdrawal residents see %v", titles(got))
	}
	full, err := w.st.FindPublicNotice(ctx, n.ID)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, r := range full.Revisions {
		types = append(types, r.MsgType)
	}
	if !slices.Equal(types, []string{"Alert", "Update", "Cancel"}) || full.Revisions[2].Note != "已找到" {
		t.Fatalf("revisions %+v", full.Revisions)
	}
	var events []app.Event
	if err := w.st.DB().Where("record_id = ? AND name LIKE 'notice.%'", n.ID).Order("id").Find(&events).Error; err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range events {
		names = append(names, e.Name)
		if e.OwnerID != nil {
			t.Fatalf("notice event with an owner: %+v", e)
		}
	}
	if !slices.Equal(names, []string{"notice.published", "notice.updated", "notice.withdrawn"}) {
		t.Fatalf("events %v", names)
	}
	entries, err := w.st.ListAudit(ctx, app.AuditFilter{StationID: n.StationID, Action: "notice."})
	if err != nil || len(entries) != 3 {
		t.Fatalf("audit %+v %v, want three notice entries", entries, err)
	}
}

func TestNoticeValidation(t *testing.T) {
	w := newNoticeWorld(t)
	ctx := context.Background()
	bad := func(name string, d app.NoticeDraft, by *app.User, code string) {
		t.Helper()
		if _, err := w.st.CreateNotice(ctx, app.Actor{ID: by.ID}, d, t0); app.ErrorCode(err) != code {
			t.Errorf("%s: %v, want %s", name, err, code)
		}
	}
	ok := draft("标题", app.NoticeSafety, app.SeverityMinor)
	bad("by a resident", ok, w.residentA, app.EFORBIDDEN)
	noTitle := ok
	noTitle.Title = ptr("  ")
	bad("empty title", noTitle, w.officer, app.EINVALID)
	badKind := ok
	badKind.Kind = ptr(app.NoticeKind("rumour"))
	bad("unknown kind", badKind, w.officer, app.EINVALID)
	badSev := ok
	badSev.Severity = ptr(app.NoticeSeverity("catastrophic"))
	bad("unknown severity", badSev, w.officer, app.EINVALID)
	badLang := ok
	badLang.Language = ptr("fr")
	bad("unknown language", badLang, w.officer, app.EINVALID)
	past := ok
	past.ExpiresAt = ptr(t0.Add(-time.Hour))
	bad("expired already", past, w.officer, app.EINVALID)
	otherBooth := ok
	otherBooth.BoothIDs = &[]int64{w.boothA.ID}
	bad("another station's booth", otherBooth, w.otherHead, app.EINVALID)
}

func TestNoticesWrittenAheadAreAnnouncedOnceWhenTheyStart(t *testing.T) {
	w := newNoticeWorld(t)
	ctx := context.Background()
	d := draft("明早八点停电", app.NoticeServiceChange, app.SeverityModerate)
	starts := t0.Add(time.Hour)
	d.StartsAt = &starts
	n := w.publish(t, w.officer, d, t0)
	noticeEvents := func() []string {
		var names []string
		if err := w.st.DB().Model(&app.Event{}).Where("record_id = ? AND name LIKE 'notice.%'", n.ID).Order("id").Pluck("name", &names).Error; err != nil {
			t.Fatal(err)
		}
		return names
	}
	if got := noticeEvents(); !slices.Equal(got, []string{"notice.scheduled"}) {
		t.Fatalf("events of a notice written ahead: %v", got)
	}
	if due, err := w.st.AnnounceDue(ctx, t0.Add(time.Minute)); err != nil || len(due) != 0 {
		t.Fatalf("announced before its start: %+v %v", due, err)
	}
	due, err := w.st.AnnounceDue(ctx, starts.Add(time.Second))
	if err != nil || len(due) != 1 || due[0].ID != n.ID || due[0].AnnouncedAt == nil || len(due[0].Revisions) != 1 {
		t.Fatalf("AnnounceDue at the start: %+v %v", due, err)
	}
	if again, err := w.st.AnnounceDue(ctx, starts.Add(time.Minute)); err != nil || len(again) != 0 {
		t.Fatalf("announced twice: %+v %v", again, err)
	}
	if got := noticeEvents(); !slices.Equal(got, []string{"notice.scheduled", "notice.published"}) {
		t.Fatalf("events: %v", got)
	}
	// A withdrawn notice written ahead is never announced.
	d2 := draft("取消的通告", app.NoticeSafety, app.SeverityMinor)
	d2.StartsAt = &starts
	n2 := w.publish(t, w.officer, d2, t0)
	if _, err := w.st.WithdrawNotice(ctx, app.Actor{ID: w.officer.ID}, n2.ID, "", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if due, _ := w.st.AnnounceDue(ctx, starts.Add(time.Hour)); len(due) != 0 {
		t.Fatalf("a withdrawn notice was announced: %+v", due)
	}
}
