package browsertest

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"policebooth/server/app"
	"policebooth/server/auth"
	"policebooth/server/store"
)

// TestVolunteerTabletShowsTheBoothsNewCallLive: a volunteer of booth A
// marks herself available on the booth's tablet, sees a new call at booth
// A appear without reloading, answers "on my way", and reads the page in
// both languages; axe finds nothing.
func TestVolunteerTabletShowsTheBoothsNewCallLive(t *testing.T) {
	srv := startDemo(t, nil)
	ctx := context.Background()
	booths, err := srv.Store.ListBooths(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var boothA *app.Booth
	for i := range booths {
		if booths[i].Name == "A" {
			boothA = &booths[i]
		}
	}
	hash, err := auth.HashPassword(store.DemoPassword)
	if err != nil {
		t.Fatal(err)
	}
	vol := &app.User{Role: app.RoleVolunteer, Phone: "13600000051", Name: "赵志愿", BoothID: &boothA.ID, PasswordHash: hash, PhoneVerified: true}
	if err := srv.Store.CreateUser(ctx, vol); err != nil {
		t.Fatal(err)
	}

	p := NewBrowser(t).Page(t, Tablet, "zh-CN")
	p.signIn(srv.URL, vol.Phone)
	p.Open(srv.URL + "/")
	if text := p.text(); !strings.Contains(text, "我现在可以出动") {
		t.Fatalf("the volunteer's home:\n%s", text)
	}
	p.Axe()
	p.Submit(`form[action="/availability"] button[type=submit]`)
	if text := p.text(); !strings.Contains(text, "我现在不能出动") || !strings.Contains(text, "本岗亭待处理的求助") {
		t.Fatalf("after marking available:\n%s", text)
	}

	resident, err := srv.Store.FindUserByPhone(ctx, "13900000001")
	if err != nil {
		t.Fatal(err)
	}
	call, err := srv.Store.CreateCall(ctx, app.NewCall{CallerID: resident.ID, BoothID: boothA.ID, Category: "lost_person", Message: "孙子在公园走丢了"}, srv.Store.Now())
	if err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(call.ID, 10)
	p.WaitFor(`document.querySelector('[data-responder-call="` + id + `"]') !== null`)
	if text := p.text(); !strings.Contains(text, "孙子在公园走丢了") || strings.Contains(text, resident.Name) {
		t.Fatalf("the live call on the volunteer's page:\n%s", text)
	}
	p.Axe()
	p.Submit(`[data-responder-call="` + id + `"] input[value="on_my_way"] + button`)
	if text := p.text(); !strings.Contains(text, "您已回复：在路上") {
		t.Fatalf("after answering:\n%s", text)
	}
	p.Submit(".lang-switch button")
	p.Open(srv.URL + "/")
	if text := p.text(); !strings.Contains(text, "You answered: on your way") || !strings.Contains(text, "I cannot help now") {
		t.Fatalf("the English page:\n%s", text)
	}
	p.Axe()
}
