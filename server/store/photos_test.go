package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"policebooth/server/app"
	"policebooth/server/store"
	"policebooth/server/store/storetest"
)

// newbornFiled is a newborn registration the resident filed.
func newbornFiled(t testing.TB, st *store.Store, resident *app.User) *app.ServiceRequest {
	t.Helper()
	return create(t, st, app.NewRequest{ResidentID: resident.ID, Services: []string{app.NewbornCode}, Newborn: &app.Newborn{
		BabyName: "陈小宝", Sex: "male", BirthDate: "2026-11-01", BirthPlace: "海淀妇幼保健院", BirthCertificateNo: "Q110654321",
		Guardians: []app.Guardian{{Name: "陈大明", Relation: "father"}, {Name: "陈秀英", Relation: "mother"}},
	}})
}

var photoSeq int

// storedPhoto is a photo record with fresh blob keys.
func storedPhoto(requestID int64) *app.Photo {
	photoSeq++
	k := fmt.Sprintf("photos/test/%d-%d", requestID, photoSeq)
	return &app.Photo{RequestID: requestID, FullKey: k + ".jpg", DisplayKey: k + "-display.jpg", ThumbKey: k + "-thumb.jpg", Width: 3000, Height: 4000, Size: 4 << 20}
}

func consent(t testing.TB, st *store.Store, officer *app.User, r *app.ServiceRequest) *app.PhotoConsent {
	t.Helper()
	c := &app.PhotoConsent{RequestID: r.ID, GuardianName: "陈大明", KeepInAccount: true}
	if err := st.RecordPhotoConsent(context.Background(), app.Actor{ID: officer.ID}, *officer.StationID, c); err != nil {
		t.Fatal(err)
	}
	return c
}

func takePhoto(t testing.TB, st *store.Store, officer *app.User, r *app.ServiceRequest) *app.Photo {
	t.Helper()
	p := storedPhoto(r.ID)
	if err := st.AddPhoto(context.Background(), app.Actor{ID: officer.ID}, *officer.StationID, p); err != nil {
		t.Fatal(err)
	}
	return p
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if app.ErrorCode(err) != code {
		t.Errorf("%s: %v, want %s", what, err, code)
	}
}

func TestNoPhotoWithoutConsent(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	r := newbornFiled(t, st, c.resident)
	officer := app.Actor{ID: c.officer.ID}

	wantCode(t, "photo before consent", st.AddPhoto(ctx, officer, c.station.ID, storedPhoto(r.ID)), app.EINVALID)
	wantCode(t, "consent of someone not on the registration", st.RecordPhotoConsent(ctx, officer, c.station.ID,
		&app.PhotoConsent{RequestID: r.ID, GuardianName: "路人", KeepInAccount: true}), app.EINVALID)
	wantCode(t, "consent without keeping in the account", st.RecordPhotoConsent(ctx, officer, c.station.ID,
		&app.PhotoConsent{RequestID: r.ID, GuardianName: "陈大明"}), app.EINVALID)
	wantCode(t, "consent by another station", st.RecordPhotoConsent(ctx, app.Actor{ID: c.otherOfficer.ID}, c.otherStation.ID,
		&app.PhotoConsent{RequestID: r.ID, GuardianName: "陈大明", KeepInAccount: true}), app.ENOTFOUND)
	other := create(t, st, bundle(c.resident.ID))
	wantCode(t, "consent on a request without a newborn", st.RecordPhotoConsent(ctx, officer, c.station.ID,
		&app.PhotoConsent{RequestID: other.ID, GuardianName: "陈大明", KeepInAccount: true}), app.EINVALID)

	given := consent(t, st, c.officer, r)
	if given.GuardianRelation != "father" || given.WelcomeBoard || given.RecordedBy != c.officer.ID || given.CreatedAt.IsZero() {
		t.Errorf("consent %+v: want the father's, recorded by the officer, welcome board off", given)
	}
	p := takePhoto(t, st, c.officer, r)
	if p.ConsentID != given.ID || p.TakenBy != c.officer.ID || p.Keep {
		t.Errorf("photo %+v: want it under the consent, taken by the officer, not kept", p)
	}
	if days := p.DeleteAfter.Sub(p.CreatedAt).Hours() / 24; days != 90 {
		t.Errorf("photo deleted after %v days, want the station's 90", days)
	}
	got, err := st.FindRequest(ctx, r.ID, scopeOf(c.resident))
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range got.Timeline {
		kinds = append(kinds, e.Kind)
	}
	if !slices.Contains(kinds, "photo_consent") || !slices.Contains(kinds, "photo") {
		t.Errorf("timeline kinds %v: want the consent and the photo", kinds)
	}
	entries, err := st.ListAudit(ctx, app.AuditFilter{StationID: c.station.ID, Action: "photo"})
	if err != nil || len(entries) != 2 {
		t.Errorf("audit %v, %v: want the consent and the photo", entries, err)
	}

	// The family withdraws: no more photos under it; the neighbour cannot.
	if _, err := st.WithdrawPhotoConsent(ctx, c.neighbour.ID, given.ID); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("neighbour withdraws: %v, want not found", err)
	}
	w, err := st.WithdrawPhotoConsent(ctx, c.resident.ID, given.ID)
	if err != nil || w.InForce() || *w.WithdrawnBy != c.resident.ID {
		t.Fatalf("withdraw: %+v, %v", w, err)
	}
	if _, err := st.WithdrawPhotoConsent(ctx, c.resident.ID, given.ID); app.ErrorCode(err) != app.ECONFLICT {
		t.Errorf("withdraw twice: %v, want conflict", err)
	}
	wantCode(t, "photo after withdrawal", st.AddPhoto(ctx, officer, c.station.ID, storedPhoto(r.ID)), app.EINVALID)
}

func TestPhotosAreTheFamilysAndTheStations(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	r := newbornFiled(t, st, c.resident)
	consent(t, st, c.officer, r)
	p := takePhoto(t, st, c.officer, r)

	for who, scope := range map[string]app.PhotoScope{"resident": {ResidentID: c.resident.ID}, "station": {StationID: c.station.ID}} {
		if _, err := st.FindPhoto(ctx, p.ID, scope); err != nil {
			t.Errorf("%s: %v", who, err)
		}
	}
	for who, scope := range map[string]app.PhotoScope{"neighbour": {ResidentID: c.neighbour.ID}, "other station": {StationID: c.otherStation.ID}, "nobody": {}} {
		if _, err := st.FindPhoto(ctx, p.ID, scope); app.ErrorCode(err) != app.ENOTFOUND {
			t.Errorf("%s: %v, want not found", who, err)
		}
	}
	if list, _ := st.ListPhotos(ctx, app.PhotoScope{ResidentID: c.neighbour.ID}, 0, 0, 0); len(list) != 0 {
		t.Errorf("neighbour lists %d photos", len(list))
	}

	// Only the filer invites.
	if err := st.InviteFamily(ctx, c.neighbour.ID, r.ID, c.neighbour.Phone); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("neighbour invites themselves: %v", err)
	}
}

// An invitation is an offer: it is kept whatever the number (so the filer
// learns nothing of who holds it), seen only by the holder of the number
// once verified, and opens the photos only when accepted.
func TestFamilyInvitationsAreOffers(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	r := newbornFiled(t, st, c.resident)
	consent(t, st, c.officer, r)
	p := takePhoto(t, st, c.officer, r)

	if err := st.InviteFamily(ctx, c.resident.ID, r.ID, c.resident.Phone); app.ErrorCode(err) != app.EINVALID {
		t.Errorf("inviting one's own number: %v, want invalid", err)
	}
	for _, phone := range []string{"13911112222", c.neighbour.Phone, c.neighbour.Phone} {
		if err := st.InviteFamily(ctx, c.resident.ID, r.ID, phone); err != nil {
			t.Fatalf("invite %s: %v", phone, err)
		}
	}
	// Not verified yet: no offer to see, none to answer, no photo.
	offers, err := st.ListFamilyInvitations(ctx, c.neighbour.ID)
	if err != nil || len(offers) != 0 {
		t.Errorf("offers to an unverified number: %v, %v", offers, err)
	}
	if err := st.MarkPhoneVerified(ctx, c.neighbour.ID); err != nil {
		t.Fatal(err)
	}
	offers, err = st.ListFamilyInvitations(ctx, c.neighbour.ID)
	if err != nil || len(offers) != 1 || offers[0].From != c.resident.Name || offers[0].Status != app.InvitationOffered {
		t.Fatalf("offers once verified: %+v, %v, want one from %s", offers, err, c.resident.Name)
	}
	if list, _ := st.ListPhotos(ctx, app.PhotoScope{ResidentID: c.neighbour.ID}, 0, 0, 0); len(list) != 0 {
		t.Errorf("before accepting the invitee lists %d photos", len(list))
	}
	if _, err := st.FamilyRequest(ctx, c.neighbour.ID, r.ID); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("before accepting the invitee reads the registration: %v", err)
	}
	if fam, _ := st.ListFamily(ctx, r.ID); len(fam) != 0 {
		t.Errorf("before accepting the filer sees %v", fam)
	}
	other := createUser(t, st, app.User{Role: app.RoleResident, Phone: "13900000093", Name: "王芳", PhoneVerified: true, HomeBoothID: &c.boothA.ID})
	if _, err := st.AnswerFamilyInvitation(ctx, other.ID, offers[0].ID, true); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("another resident accepts it: %v, want not found", err)
	}

	inv, err := st.AnswerFamilyInvitation(ctx, c.neighbour.ID, offers[0].ID, true)
	if err != nil || inv.Status != app.InvitationAccepted || inv.AnsweredAt == nil {
		t.Fatalf("accept: %+v, %v", inv, err)
	}
	if _, err := st.AnswerFamilyInvitation(ctx, c.neighbour.ID, offers[0].ID, false); app.ErrorCode(err) != app.ECONFLICT {
		t.Errorf("declining after accepting: %v, want conflict", err)
	}
	if list, _ := st.ListPhotos(ctx, app.PhotoScope{ResidentID: c.neighbour.ID}, 0, 0, 0); len(list) != 1 || list[0].ID != p.ID {
		t.Errorf("after accepting the invitee lists %v, want the photo", list)
	}
	if fam, _ := st.ListFamily(ctx, r.ID); len(fam) != 1 || fam[0].ID != c.neighbour.ID {
		t.Errorf("family %v", fam)
	}
	if offers, _ := st.ListFamilyInvitations(ctx, c.neighbour.ID); len(offers) != 0 {
		t.Errorf("an answered offer is still open: %v", offers)
	}

	// Both ends of the offer find it in their data export.
	for who, id := range map[string]int64{"filer": c.resident.ID, "invitee": c.neighbour.ID} {
		export, err := st.ExportResident(ctx, id, st.Now())
		if err != nil {
			t.Fatal(err)
		}
		var got string
		for _, sec := range export.Sections {
			if sec.Name == "family_invitations" {
				b, _ := json.Marshal(sec.Records)
				got = string(b)
			}
		}
		if !strings.Contains(got, `"status":"accepted"`) || !strings.Contains(got, c.neighbour.Phone) {
			t.Errorf("the %s's export of family invitations: %s", who, got)
		}
	}

	// Three open or accepted offers at most, whoever holds the numbers.
	if err := st.InviteFamily(ctx, c.resident.ID, r.ID, "13911113333"); err != nil {
		t.Fatal(err)
	}
	if err := st.InviteFamily(ctx, c.resident.ID, r.ID, "13911114444"); app.ErrorCode(err) != app.ECONFLICT {
		t.Errorf("a fourth offer: %v, want conflict", err)
	}
}

func TestKeepDeleteAndShare(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	r := newbornFiled(t, st, c.resident)
	consent(t, st, c.officer, r)
	p := takePhoto(t, st, c.officer, r)

	if _, err := st.KeepPhoto(ctx, c.neighbour.ID, p.ID, true); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("neighbour keeps: %v", err)
	}
	if kept, err := st.KeepPhoto(ctx, c.resident.ID, p.ID, true); err != nil || !kept.Keep {
		t.Errorf("keep: %+v, %v", kept, err)
	}

	now := clockOf(t).Now()
	token := "share-token-0123456789abcdef"
	if _, err := st.CreateShareLink(ctx, c.resident.ID, p.ID, 31, token); app.ErrorCode(err) != app.EINVALID {
		t.Errorf("31 days: %v", err)
	}
	if _, err := st.CreateShareLink(ctx, c.neighbour.ID, p.ID, 0, token); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("neighbour shares: %v", err)
	}
	l, err := st.CreateShareLink(ctx, c.resident.ID, p.ID, 0, token)
	if err != nil {
		t.Fatal(err)
	}
	if d := l.ExpiresAt.Sub(l.CreatedAt); d != 7*24*time.Hour {
		t.Errorf("link lasts %v, want 7 days", d)
	}
	if l.TokenHash == token {
		t.Error("the token is stored as is")
	}
	if got, _, err := st.SharedPhoto(ctx, token, now); err != nil || got.ID != p.ID {
		t.Errorf("shared photo: %v, %v", got, err)
	}
	if _, _, err := st.SharedPhoto(ctx, token, now.AddDate(0, 0, 8)); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("after expiry: %v", err)
	}
	if _, _, err := st.SharedPhoto(ctx, token+"x", now); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("another token: %v", err)
	}
	if err := st.RevokeShareLink(ctx, c.neighbour.ID, l.ID); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("neighbour revokes: %v", err)
	}
	if err := st.RevokeShareLink(ctx, c.resident.ID, l.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.SharedPhoto(ctx, token, now); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("after revoking: %v", err)
	}

	if _, err := st.DeletePhoto(ctx, c.neighbour.ID, p.ID); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("neighbour deletes: %v", err)
	}
	keys, err := st.DeletePhoto(ctx, c.resident.ID, p.ID)
	if err != nil || !slices.Equal(keys, p.BlobKeys()) {
		t.Fatalf("delete: %v, %v; want %v", keys, err, p.BlobKeys())
	}
	if _, err := st.FindPhoto(ctx, p.ID, app.PhotoScope{StationID: c.station.ID}); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("deleted photo still found by the station: %v", err)
	}
	pending, _ := st.PendingBlobPurges(ctx, 0)
	slices.Sort(pending)
	want := slices.Sorted(slices.Values(p.BlobKeys()))
	if !slices.Equal(pending, want) {
		t.Errorf("blobs to purge %v, want %v", pending, want)
	}
	if err := st.BlobsPurged(ctx, pending); err != nil {
		t.Fatal(err)
	}
	if pending, _ := st.PendingBlobPurges(ctx, 0); len(pending) != 0 {
		t.Errorf("blobs still queued after purging: %v", pending)
	}
}

func TestRetentionNoticesAndPurgeOnceAcrossInstances(t *testing.T) {
	dsn, path := storetest.DSN(t)
	ctx := context.Background()
	a := openAt(t, dsn, path)
	b := openAt(t, dsn, path)
	station, booth := stationWithBooth(t, a, "海淀派出所", 39.9593, 116.2981)
	if err := a.DB().Model(&app.Station{}).Where("id = ?", station.ID).Update("photo_retention_days", 30).Error; err != nil {
		t.Fatal(err)
	}
	officer := createUser(t, a, app.User{Role: app.RoleOfficer, Phone: "13800000001", Name: "李明", BadgeNo: "110001", StationID: &station.ID})
	var families []*app.User
	var kept []int64
	var expiring []*app.Photo
	for i := range 4 {
		u := createUser(t, a, app.User{Role: app.RoleResident, Phone: fmt.Sprintf("1390000010%d", i), Name: "家长", HomeBoothID: &booth.ID})
		families = append(families, u)
		r := newbornFiled(t, a, u)
		consent(t, a, officer, r)
		expiring = append(expiring, takePhoto(t, a, officer, r), takePhoto(t, a, officer, r))
		k := takePhoto(t, a, officer, r)
		if _, err := a.KeepPhoto(ctx, u.ID, k.ID, true); err != nil {
			t.Fatal(err)
		}
		kept = append(kept, k.ID)
	}
	now := clockOf(t).Now()

	// 22 days on: nothing within a week of deletion yet.
	if n, err := a.ClaimRetentionNotices(ctx, now.AddDate(0, 0, 22)); err != nil || len(n) != 0 {
		t.Fatalf("notices at day 22: %v, %v", n, err)
	}
	// 24 days on: both instances look at once; each family is told once,
	// of its two photos that are not kept.
	var (
		mu      sync.Mutex
		notices []app.RetentionNotice
		wg      sync.WaitGroup
	)
	for _, st := range []*store.Store{a, b} {
		wg.Go(func() {
			n, err := st.ClaimRetentionNotices(ctx, now.AddDate(0, 0, 24))
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			notices = append(notices, n...)
			mu.Unlock()
		})
	}
	wg.Wait()
	told := map[int64]int{}
	for _, n := range notices {
		told[n.ResidentID] += n.Photos
		if n.Phone == "" || n.DeleteOn.Before(now.AddDate(0, 0, 29)) {
			t.Errorf("notice %+v: want the phone and the deletion date", n)
		}
	}
	for _, f := range families {
		if told[f.ID] != 2 {
			t.Errorf("family %d told of %d photos, want 2 (notices %+v)", f.ID, told[f.ID], notices)
		}
	}
	if n, _ := a.ClaimRetentionNotices(ctx, now.AddDate(0, 0, 25)); len(n) != 0 {
		t.Errorf("told again: %+v", n)
	}

	// Before the period ends nothing goes; after it, both instances purge
	// together and every expiring photo is deleted exactly once.
	if keys, err := a.PurgeExpiredPhotos(ctx, now.AddDate(0, 0, 29), 100); err != nil || len(keys) != 0 {
		t.Fatalf("purge at day 29: %v, %v", keys, err)
	}
	var purged []string
	for _, st := range []*store.Store{a, b} {
		wg.Go(func() {
			keys, err := st.PurgeExpiredPhotos(ctx, now.AddDate(0, 0, 31), 3)
			for err == nil && len(keys) > 0 {
				mu.Lock()
				purged = append(purged, keys...)
				mu.Unlock()
				keys, err = st.PurgeExpiredPhotos(ctx, now.AddDate(0, 0, 31), 3)
			}
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	var want []string
	for _, p := range expiring {
		want = append(want, p.BlobKeys()...)
	}
	slices.Sort(want)
	slices.Sort(purged)
	if !slices.Equal(purged, want) {
		t.Errorf("purged %d keys, want %d, each once", len(purged), len(want))
	}
	for _, id := range kept {
		if _, err := a.FindPhoto(ctx, id, app.PhotoScope{StationID: station.ID}); err != nil {
			t.Errorf("kept photo %d: %v", id, err)
		}
	}
	for _, p := range expiring {
		if _, err := a.FindPhoto(ctx, p.ID, app.PhotoScope{StationID: station.ID}); app.ErrorCode(err) != app.ENOTFOUND {
			t.Errorf("expired photo %d: %v", p.ID, err)
		}
	}
}

func TestResidentPhotosForDataRights(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	r := newbornFiled(t, st, c.resident)
	consent(t, st, c.officer, r)
	p1, p2 := takePhoto(t, st, c.officer, r), takePhoto(t, st, c.officer, r)
	theirs := newbornFiled(t, st, c.neighbour)
	consent(t, st, c.officer, theirs)
	other := takePhoto(t, st, c.officer, theirs)

	// The export lists both photos and carries their full-size copies.
	export, err := st.ExportResident(ctx, c.resident.ID, clockOf(t).Now())
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, f := range export.Files {
		if strings.HasPrefix(f.Path, "files/photos/") {
			files = append(files, f.BlobKey)
		}
	}
	if len(files) != 2 || files[0] != p1.FullKey || files[1] != p2.FullKey {
		t.Fatalf("exported photo files %v", files)
	}
	// Erasing the account deletes them and queues every copy for removal.
	if _, err := st.EraseResident(ctx, c.resident.ID); err != nil {
		t.Fatal(err)
	}
	var photos int64
	st.DB().Model(&app.Photo{}).Where("id IN ?", []int64{p1.ID, p2.ID}).Count(&photos)
	queued, err := st.PendingBlobPurges(ctx, 100)
	if err != nil || photos != 0 || len(queued) != 6 {
		t.Fatalf("after erasure: %d photos left, %d copies queued (%v)", photos, len(queued), err)
	}
	if _, err := st.FindPhoto(ctx, other.ID, app.PhotoScope{ResidentID: c.neighbour.ID}); err != nil {
		t.Errorf("the neighbour's photo went too: %v", err)
	}
}

// A photo kept past its date and then un-kept is not deleted at the next
// run: un-keeping starts a fresh notice period of at least a week, and the
// family's warning names that date in the station's time zone.
func TestUnkeepingAPhotoStartsAFreshNoticePeriod(t *testing.T) {
	c := newCounter(t)
	st, ctx := c.st, context.Background()
	r := newbornFiled(t, st, c.resident)
	consent(t, st, c.officer, r)
	p := takePhoto(t, st, c.officer, r)
	if _, err := st.KeepPhoto(ctx, c.resident.ID, p.ID, true); err != nil {
		t.Fatal(err)
	}
	// Long past its date, at 04:00 in Shanghai (still the day before in UTC).
	now := time.Date(2028, 3, 1, 20, 0, 0, 0, time.UTC)
	if !now.After(p.DeleteAfter) {
		t.Fatalf("the photo's date %v should be before %v", p.DeleteAfter, now)
	}
	clockOf(t).Set(now)
	unkept, err := st.KeepPhoto(ctx, c.resident.ID, p.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if week := now.AddDate(0, 0, 7); unkept.DeleteAfter.Before(week) {
		t.Fatalf("un-kept photo deleted after %v, want a week's notice at least (%v)", unkept.DeleteAfter, week)
	}
	if keys, err := st.PurgeExpiredPhotos(ctx, now.Add(time.Minute), 10); err != nil || len(keys) != 0 {
		t.Fatalf("purge right after un-keeping: %v, %v; want nothing deleted", keys, err)
	}
	notices, err := st.ClaimRetentionNotices(ctx, now.Add(time.Minute))
	if err != nil || len(notices) != 1 {
		t.Fatalf("notices: %+v, %v; want one", notices, err)
	}
	if notices[0].DeleteDate != "2028-03-09" {
		t.Fatalf("warning names %s, want 2028-03-09 (a week on, in Asia/Shanghai)", notices[0].DeleteDate)
	}
	if keys, err := st.PurgeExpiredPhotos(ctx, now.AddDate(0, 0, 8), 10); err != nil || len(keys) == 0 {
		t.Fatalf("purge after the notice period: %v, %v; want the photo deleted", keys, err)
	}
}
