package i18n

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestEveryMessageExistsInEveryLanguage(t *testing.T) {
	b, err := New()
	if err != nil {
		t.Fatal(err)
	}
	zh, en := b.IDs(Chinese), b.IDs(English)
	for _, id := range zh {
		if !slices.Contains(en, id) {
			t.Errorf("%s is in zh-CN but not in en", id)
		}
	}
	for _, id := range en {
		if !slices.Contains(zh, id) {
			t.Errorf("%s is in en but not in zh-CN", id)
		}
	}
}

// usedID finds message ids in Go code: T(ctx, "id", t(c, "id" or .T("id".
var usedID = regexp.MustCompile(`\b[Tt]\((?:ctx, |c, )?"([a-z_]+\.[a-z0-9_.]+)"`)

// templID finds message ids in templates: every "word.word" literal that
// is not an attribute's value (data-live="request.updated" names events).
var templID = regexp.MustCompile(`[^=]"([a-z_]+\.[a-z0-9_]+)"`)

func TestEveryUsedMessageExists(t *testing.T) {
	b, err := New()
	if err != nil {
		t.Fatal(err)
	}
	ids := b.IDs(Chinese)
	root := filepath.Join("..", "..")
	found := 0
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(path, ".templ") && !(strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_templ.go")) {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		re := usedID
		if strings.HasSuffix(path, ".templ") {
			re = templID
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			found++
			if !slices.Contains(ids, m[1]) {
				t.Errorf("%s uses message %s, which no message file has", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 10 {
		t.Fatalf("found only %d message uses: the scan is broken", found)
	}
}

func TestMatch(t *testing.T) {
	b, err := New()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ saved, header, want string }{
		{"", "", Chinese},
		{"", "en-US,en;q=0.9", English},
		{"", "zh-CN,zh;q=0.9,en;q=0.8", Chinese},
		{"", "zh-TW", Chinese},
		{"", "fr-FR", Chinese},
		{"", "de,en;q=0.5", English},
		{"", "garbage;;q=x", Chinese},
		{"en", "zh-CN", English},
		{"zh-CN", "en", Chinese},
		{"klingon", "en", English},
	}
	for _, c := range cases {
		if got := b.Match(c.saved, c.header); got != c.want {
			t.Errorf("Match(%q, %q) = %s, want %s", c.saved, c.header, got, c.want)
		}
	}
}

func TestTranslateWithData(t *testing.T) {
	b, _ := New()
	ctx := WithLocalizer(context.Background(), b.Localizer(English))
	if got := T(ctx, "layout.booth_title", "Station", "Haidian Station", "Booth", "A"); got != "Haidian Station · Booth A" {
		t.Errorf("got %q", got)
	}
	if got := T(context.Background(), "app.name"); got != "app.name" {
		t.Errorf("without a localizer: %q", got)
	}
	if Lang(ctx) != English || Lang(context.Background()) != Chinese {
		t.Error("Lang")
	}
}

// A translation's placeholders are filled as text/template filled them:
// numbers and strings in place, a missing value shown as such; anything
// but a plain placeholder refuses to load.
func TestPlaceholdersAreFilled(t *testing.T) {
	b, _ := New()
	l := b.Localizer(English)
	for i := range 3 {
		if got, want := l.T("req.minutes", "Waited", i, "Target", 15), fmt.Sprintf("%d min / target 15 min", i); got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
	if got := l.T("layout.booth_title", "Booth", "A", "Station", "Haidian Station"); got != "Haidian Station · Booth A" {
		t.Errorf("got %q", got)
	}
	if got := l.T("layout.booth_title", "Station", int64(7)); got != "7 · Booth <no value>" {
		t.Errorf("a missing value: got %q", got)
	}
	m, err := parseMessage("{{.A}} and {{ .B }}{{.A}}")
	if err != nil {
		t.Fatal(err)
	}
	if got := m.fill([]any{"A", 1, "B", "two"}); got != "1 and two1" {
		t.Errorf("got %q", got)
	}
	for _, bad := range []string{"{{if .A}}x{{end}}", "{{.A | printf}}", "{{.A}"} {
		if _, err := parseMessage(bad); err == nil {
			t.Errorf("%q loaded", bad)
		}
	}
}
