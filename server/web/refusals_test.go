package web

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"policebooth/server/i18n"
)

// TestEveryRefusalSpeaksBothLanguages finds every message code given to an
// app error in the app and store packages and checks that both languages
// have its text, so no refusal reaches a person as a bare code.
func TestEveryRefusalSpeaksBothLanguages(t *testing.T) {
	bundle, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]map[string]bool{}
	for _, lang := range i18n.Supported {
		have[lang] = map[string]bool{}
		for _, id := range bundle.IDs(lang) {
			have[lang][id] = true
		}
	}
	code := regexp.MustCompile(`WithMessage\("([a-z_]+)"`)
	found := 0
	for _, dir := range []string{"../app", "../store", "."} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range code.FindAllSubmatch(src, -1) {
				found++
				for _, lang := range i18n.Supported {
					if !have[lang]["refusal."+string(m[1])] {
						t.Errorf("%s: message code %q has no refusal.%s in %s", f, m[1], m[1], lang)
					}
				}
			}
		}
	}
	if found < 20 {
		t.Fatalf("found %d message codes; the scan is broken", found)
	}
}
