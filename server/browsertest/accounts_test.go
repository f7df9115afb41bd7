package browsertest

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"policebooth/server/notify/notifytest"
	"policebooth/server/store"
	"policebooth/server/store/storetest"
)

func startDemo(t *testing.T, env map[string]string) *Server {
	t.Helper()
	srv := StartServer(t, env)
	if err := srv.Store.LoadDemo(context.Background(), storetest.Logger(t)); err != nil {
		t.Fatal(err)
	}
	return srv
}

// fill types into form fields by id, submits the form with the button and
// waits for the page that answers.
func (p *Page) fill(fields map[string]string, submit string) {
	p.t.Helper()
	var steps []chromedp.Action[chromedp.Void]
	for id, v := range fields {
		Eval[bool](p, `(document.getElementById("`+id+`").value = "", true)`)
		steps = append(steps, chromedp.SendKeys(chromedp.CSS(`[id="`+id+`"]`), v))
	}
	p.Do(steps...)
	p.Submit(submit)
}

func (p *Page) text() string { return Eval[string](p, `document.querySelector("main").innerText`) }

func TestResidentSignsUpOnAPhoneAndVerifies(t *testing.T) {
	sms := notifytest.NewGateway(t)
	srv := startDemo(t, map[string]string{"POLICEBOOTH_NOTIFY_WEBHOOK": sms.URL})
	p := NewBrowser(t).Page(t, Phone, "zh-CN")

	p.Open(srv.URL + "/register")
	p.Axe()
	// A mistake first: the page says what is wrong, in Chinese, by the field.
	p.fill(map[string]string{"f-phone": "1234", "f-name": "刘淑珍", "f-password": "12345678"}, "main form button[type=submit]")
	text := p.text()
	for _, want := range []string{"请输入正确的 11 位手机号。", "密码至少 8 位，不能全是数字。"} {
		if !strings.Contains(text, want) {
			t.Errorf("the sign-up page does not say %q:\n%s", want, text)
		}
	}
	if Eval[string](p, `document.getElementById("f-phone").getAttribute("aria-invalid")`) != "true" {
		t.Error("the wrong phone field is not marked invalid")
	}
	p.Screenshot("register-errors")
	p.Axe()

	p.Do(chromedp.Click(chromedp.ID("f-privacy")))
	p.fill(map[string]string{"f-phone": "13712345678", "f-password": "peony-garden-8"}, "main form button[type=submit]")
	if !strings.Contains(p.text(), "验证码已发送到 13712345678") {
		t.Fatalf("after sign-up: %s", p.text())
	}
	p.Screenshot("verify")
	p.Axe()
	p.fill(map[string]string{"f-code": sms.Code(t, "13712345678")}, "main form button[type=submit]")
	home := p.text()
	if !strings.Contains(home, "刘淑珍，您好") || !strings.Contains(home, "一键求助") {
		t.Fatalf("the resident home after verifying: %s", home)
	}
	p.Screenshot("resident-home")
	p.Axe()

	// Sign out, then a wrong password is refused with a clear message.
	p.Submit(".sign-out button")
	p.Open(srv.URL + "/login")
	p.fill(map[string]string{"f-phone": "13712345678", "f-password": "wrong-password"}, "main form button[type=submit]")
	if !strings.Contains(p.text(), "手机号或密码不正确。") {
		t.Errorf("a wrong password: %s", p.text())
	}
	p.Screenshot("login-failed")
	p.Axe()
	p.fill(map[string]string{"f-phone": "13712345678", "f-password": "peony-garden-8"}, "main form button[type=submit]")
	if !strings.Contains(p.text(), "刘淑珍，您好") {
		t.Errorf("sign-in: %s", p.text())
	}
}

func TestShowPasswordToggle(t *testing.T) {
	srv := startDemo(t, nil)
	p := NewBrowser(t).Page(t, Phone, "zh-CN")
	p.Open(srv.URL + "/login")
	p.Do(chromedp.Click(chromedp.CSS(".show-password")))
	if Eval[string](p, `document.getElementById("f-password").type`) != "text" ||
		Eval[string](p, `document.querySelector(".show-password").getAttribute("aria-pressed")`) != "true" {
		t.Error("show password did not reveal the field")
	}
}

// TestEveryAccountPageIsAccessible signs in as each role and checks every
// page that role reaches, in both languages, at its device's size.
func TestEveryAccountPageIsAccessible(t *testing.T) {
	srv := startDemo(t, nil)
	anonymous := []string{"/login", "/register", "/forgot", "/reset?phone=13900000001", "/verify?phone=13900000001"}
	roles := []struct {
		phone string
		size  Size
		pages []string
	}{
		{"13900000001", Phone, []string{"/", "/password"}},
		{"13800000001", Tablet, []string{"/", "/password"}},
		{"13800000000", Tablet, []string{"/", "/staff", "/audit"}},
		{"13700000000", Tablet, []string{"/", "/admin"}},
	}
	for _, lang := range []string{"zh-CN", "en"} {
		b := NewBrowser(t)
		p := b.Page(t, Phone, lang)
		for _, path := range anonymous {
			p.Open(srv.URL + path)
			p.Axe()
		}
		for _, r := range roles {
			b := NewBrowser(t) // a clean cookie jar per person
			p := b.Page(t, r.size, lang)
			p.Open(srv.URL + "/login")
			p.fill(map[string]string{"f-phone": r.phone, "f-password": store.DemoPassword}, "main form button[type=submit]")
			if lang == "en" {
				p.Submit(".lang-switch button")
			}
			for _, path := range r.pages {
				p.Open(srv.URL + path)
				if got := Eval[string](p, `document.documentElement.lang`); got != lang {
					t.Errorf("%s as %s: lang %s, want %s", path, r.phone, got, lang)
				}
				p.Screenshot(r.phone + strings.ReplaceAll(path, "/", "_"))
				p.Axe()
			}
		}
	}
}
