package browsertest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"policebooth/server/store/storetest"
)

func TestShellPagesAreAccessibleInBothLanguages(t *testing.T) {
	srv := StartServer(t, nil)
	if err := srv.Store.LoadDemo(context.Background(), storetest.Logger(t)); err != nil {
		t.Fatal(err)
	}
	b := NewBrowser(t)
	for _, lang := range []string{"zh-CN", "en"} {
		for _, size := range []Size{Phone, Tablet} {
			for _, path := range []string{"/", "/offline", "/no-such-page"} {
				p := b.Page(t, size, lang)
				p.Open(srv.URL + path)
				if got := Eval[string](p, `document.documentElement.lang`); got != lang {
					t.Errorf("%s at %s in %s: html lang %q", path, size.Name, lang, got)
				}
				name := strings.Trim(strings.ReplaceAll(path, "/", "_"), "_")
				if name == "" {
					name = "landing"
				}
				p.Screenshot(name)
				p.Axe()
			}
		}
	}
}

func TestLandingSaysWhatTheBoothOffers(t *testing.T) {
	srv := StartServer(t, nil)
	if err := srv.Store.LoadDemo(context.Background(), storetest.Logger(t)); err != nil {
		t.Fatal(err)
	}
	b := NewBrowser(t)
	p := b.Page(t, Phone, "zh-CN")
	p.Open(srv.URL)
	text := Eval[string](p, `document.body.innerText`)
	for _, want := range []string{"海淀派出所", "一键求助", "登录", "注册账号", "110", "010-62550111"} {
		if !strings.Contains(text, want) {
			t.Errorf("the landing page lacks %q:\n%s", want, text)
		}
	}
	// The language switch changes the page to English and remembers it.
	p.Submit(".lang-switch button")
	p.Open(srv.URL + "/offline")
	if got := Eval[string](p, `document.querySelector("h1").innerText`); got != "You are offline" {
		t.Errorf("after switching to English the offline page says %q", got)
	}
}

func TestServiceWorkerRegistersAndTheAppIsInstallable(t *testing.T) {
	srv := StartServer(t, nil)
	b := NewBrowser(t)
	p := b.Page(t, Phone, "zh-CN")
	p.Open(srv.URL)
	scope := Eval[string](p, `navigator.serviceWorker.ready.then(r => r.scope)`)
	if scope != srv.URL+"/" {
		t.Fatalf("service worker scope %q, want %s/", scope, srv.URL)
	}
	// The shell and the offline page are precached.
	cached := Eval[bool](p, `caches.keys().then(ks => Promise.all(ks.map(k => caches.open(k).then(c => c.match("/offline"))))).then(rs => rs.some(Boolean))`)
	if !cached {
		t.Error("the offline page is not in the service worker's cache")
	}
	ctx, cancel := context.WithTimeout(p.Ctx, 30*time.Second)
	defer cancel()
	manifest, err := chromedp.Run(ctx, chromedp.Action[*page.GetAppManifestResult](func(ctx context.Context, tab *chromedp.Target) (*page.GetAppManifestResult, error) {
		r, err := cdp.Call(ctx, tab, page.GetAppManifest, page.GetAppManifestParams{})
		return &r, err
	}))
	if err != nil {
		t.Fatal(err)
	}
	if len(manifest.Errors) > 0 || !strings.HasSuffix(manifest.URL, "/manifest.webmanifest") {
		t.Errorf("manifest %s errors: %+v", manifest.URL, manifest.Errors)
	}
	installability, err := chromedp.Run(ctx, chromedp.Action[page.GetInstallabilityErrorsResult](func(ctx context.Context, tab *chromedp.Target) (page.GetInstallabilityErrorsResult, error) {
		return cdp.Call(ctx, tab, page.GetInstallabilityErrors, cdp.Empty{})
	}))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range installability.InstallabilityErrors {
		t.Errorf("installability error %s %v", e.ErrorID, e.ErrorArguments)
	}
}
