// Package browsertest drives a real headless Chromium (Debian's package, never
// a download) against the whole server, for tests of what a person does on a
// page: open it at phone or tablet size in a language, take a screenshot into
// test-artifacts/, and check it with axe-core for WCAG 2.1 A and AA.
package browsertest

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"policebooth/server/config"
	"policebooth/server/jobs"
	"policebooth/server/store"
	"policebooth/server/store/storetest"
	"policebooth/server/web"
)

//go:embed axe/axe.min.js
var axeSource string

// Size is a viewport.
type Size struct {
	Name          string
	Width, Height int64
	Mobile        bool
}

// The sizes the booth is used at.
var (
	Phone  = Size{Name: "phone", Width: 390, Height: 844, Mobile: true}
	Tablet = Size{Name: "tablet", Width: 1024, Height: 768}
)

// Server is the whole booth server on a free loopback port with a fresh
// database.
type Server struct {
	URL   string
	Store *store.Store
}

// StartServer starts the server for the test; env sets configuration.
func StartServer(t testing.TB, env map[string]string) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	dataDir := t.TempDir()
	cfg, err := config.LoadFrom(func(k string) string {
		switch {
		case env[k] != "":
			return env[k]
		case k == "POLICEBOOTH_DATA_DIR":
			return dataDir
		case k == "POLICEBOOTH_BASE_URL":
			return url
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	st := storetest.Open(t)
	srv, err := web.New(cfg, st.Services(), storetest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped, err := jobs.Start(ctx, cfg, st, srv, jobs.NewDelivery(ctx, cfg, st, nil, storetest.Logger(t)), st.Now, storetest.Logger(t))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
		<-stopped
	})
	return &Server{URL: url, Store: st}
}

// Browser is one headless Chromium for a test; each Page is a tab in it.
type Browser struct {
	ctx context.Context
}

// NewBrowser starts Chromium, closed when the test ends. Without Chromium the
// test is skipped, unless POLICEBOOTH_REQUIRE_BROWSER is set (scripts/test
// sets it, so CI cannot pass without browser tests).
func NewBrowser(t testing.TB) *Browser {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("POLICEBOOTH_REQUIRE_BROWSER") != "" {
			t.Fatal("browsertest: chromium not found (apt-get install -y chromium fonts-noto-cjk)")
		}
		t.Skip("chromium not installed")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("hide-scrollbars", true),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		cancel()
		cancelAlloc()
		t.Fatalf("browsertest: start chromium: %v", err)
	}
	t.Cleanup(func() { cancel(); cancelAlloc() })
	return &Browser{ctx: ctx}
}

// Page is one tab at one size, speaking one language.
type Page struct {
	Ctx  context.Context
	Size Size
	Lang string
	t    testing.TB
}

// Page opens a new tab at size whose requests prefer lang ("zh-CN" or "en").
func (b *Browser) Page(t testing.TB, size Size, lang string) *Page {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	t.Cleanup(cancel)
	var viewport []chromedp.EmulateViewportOption
	if size.Mobile {
		viewport = append(viewport, chromedp.EmulateMobile)
	}
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(size.Width, size.Height, viewport...),
		chromedp.Func(func(ctx context.Context, tab *chromedp.Target) error {
			if _, err := cdp.Call(ctx, tab, network.Enable, network.EnableParams{}); err != nil {
				return err
			}
			_, err := cdp.Call(ctx, tab, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
				Headers: network.Headers{"Accept-Language": lang},
			})
			return err
		}),
	)
	if err != nil {
		t.Fatalf("browsertest: open tab: %v", err)
	}
	return &Page{Ctx: ctx, Size: size, Lang: lang, t: t}
}

// Do runs actions in the tab, failing the test on error.
func (p *Page) Do(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.Ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.t.Fatalf("browsertest: %v", err)
	}
}

// Eval evaluates JavaScript in the page (awaiting a promise) into T.
func Eval[T any](p *Page, js string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.Ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("browsertest: eval %.80q: %v", js, err)
	}
	return v
}

// Open navigates to url and waits for the page's main landmark.
func (p *Page) Open(url string) {
	p.t.Helper()
	p.Do(chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("main")))
}

// WaitFor waits until the JavaScript expression is true on the page.
func (p *Page) WaitFor(js string) {
	p.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !Eval[bool](p, js) {
		if time.Now().After(deadline) {
			p.t.Fatalf("browsertest: waited 15 s for %s", js)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Submit clicks a button (or link) that loads a page and waits for that
// page to load.
func (p *Page) Submit(selector string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.Ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(selector))); err != nil {
		p.t.Fatalf("browsertest: submit %s: %v", selector, err)
	}
}

// Screenshot saves a full-page PNG as test-artifacts/<test>-<name>-<size>-<lang>.png
// and returns its path, so a person can look at what the test saw.
func (p *Page) Screenshot(name string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.Ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Fatalf("browsertest: screenshot: %v", err)
	}
	dir := ArtifactsDir()
	if err := os.MkdirAll(dir, 0o750); err != nil {
		p.t.Fatal(err)
	}
	file := filepath.Join(dir, fmt.Sprintf("%s-%s-%s-%s.png", safeName(p.t.Name()), name, p.Size.Name, p.Lang))
	if err := os.WriteFile(file, png, 0o600); err != nil {
		p.t.Fatal(err)
	}
	return file
}

// ArtifactsDir is test-artifacts/ at the top of the repository, or
// $POLICEBOOTH_ARTIFACTS.
func ArtifactsDir() string {
	if d := os.Getenv("POLICEBOOTH_ARTIFACTS"); d != "" {
		return d
	}
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "test-artifacts")
}

func safeName(s string) string {
	return strings.NewReplacer("/", "_", " ", "_", ":", "_").Replace(s)
}

// Violation is one axe-core finding.
type Violation struct {
	ID          string   `json:"id"`
	Impact      string   `json:"impact"`
	Description string   `json:"description"`
	Nodes       []string `json:"nodes"`
}

// Axe runs axe-core on the current page for WCAG 2.1 A and AA and fails the
// test on any violation, listing each with the elements it found.
func (p *Page) Axe() {
	p.t.Helper()
	for _, v := range p.AxeViolations() {
		p.t.Errorf("axe %s (%s) on %s: %s\n\t%s", v.ID, v.Impact, Eval[string](p, "location.pathname"), v.Description, strings.Join(v.Nodes, "\n\t"))
	}
}

// AxeViolations runs axe-core on the current page for WCAG 2.1 A and AA.
func (p *Page) AxeViolations() []Violation {
	p.t.Helper()
	if !Eval[bool](p, `typeof window.axe === "object"`) {
		Eval[bool](p, axeSource+";true")
	}
	raw := Eval[string](p, `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, resultTypes: ["violations"]})
		.then(r => JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact, description: v.description, nodes: v.nodes.map(n => n.target.join(" ") + ": " + n.failureSummary)}))))`)
	var violations []Violation
	if err := json.Unmarshal([]byte(raw), &violations); err != nil {
		p.t.Fatalf("browsertest: axe result: %v", err)
	}
	return violations
}
