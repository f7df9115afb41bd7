// Command vulntool is the helper of scripts/vulncheck. It has two jobs:
//
//	vulntool build SRC OUT [TIME]
//	                         turn the OSV files of the golang.org/x/vulndb module (its data/osv
//	                         folder) into the v1 database layout govulncheck reads with
//	                         -db file://OUT: index/db.json, index/modules.json, index/vulns.json
//	                         and ID/<id>.json
//	vulntool report          read govulncheck -format json on stdin, print every finding, and
//	                         exit 1 when code calls a vulnerable function of a module the
//	                         project can upgrade to a fixed version
//
// The module's OSV files leave "modified" empty (the vulndb tooling takes it
// from git history, which a module zip does not have); the publication
// time stands in for it, or when that is empty too (the newest entries) TIME,
// the module version's own time.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

func main() {
	var err error
	switch {
	case (len(os.Args) == 4 || len(os.Args) == 5) && os.Args[1] == "build":
		var fallback time.Time
		if len(os.Args) == 5 {
			if fallback, err = time.Parse(time.RFC3339, os.Args[4]); err != nil {
				break
			}
		}
		err = build(os.Args[2], os.Args[3], fallback)
	case len(os.Args) == 2 && os.Args[1] == "report":
		var failed bool
		failed, err = report(os.Stdin, os.Stdout)
		if err == nil && failed {
			os.Exit(1)
		}
	default:
		err = fmt.Errorf("usage: vulntool build SRC OUT [TIME] | vulntool report < govulncheck.json")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "vulntool:", err)
		os.Exit(2)
	}
}

// entry is what the indexes need of one OSV file.
type entry struct {
	ID        string   `json:"id"`
	Modified  string   `json:"modified"`
	Published string   `json:"published"`
	Aliases   []string `json:"aliases"`
	Affected  []struct {
		Package struct {
			Name string `json:"name"`
		} `json:"package"`
	} `json:"affected"`
}

type moduleVuln struct {
	ID       string `json:"id"`
	Modified string `json:"modified"`
}

type module struct {
	Path  string       `json:"path"`
	Vulns []moduleVuln `json:"vulns"`
}

type vuln struct {
	ID       string   `json:"id"`
	Modified string   `json:"modified"`
	Aliases  []string `json:"aliases,omitempty"`
}

// idPattern is the shape of an entry id, which names its file.
var idPattern = regexp.MustCompile(`^GO-[0-9]{4}-[0-9]{4,}$`)

func build(src, out string, fallback time.Time) error {
	files, err := filepath.Glob(filepath.Join(src, "GO-*.json"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no OSV files in %s", src)
	}
	for _, d := range []string{"index", "ID"} {
		if err := os.MkdirAll(filepath.Join(out, d), 0o750); err != nil { // #nosec G703 -- the folder the caller named
			return err
		}
	}
	modules := map[string]*module{}
	var vulns []vuln
	var newest time.Time
	for _, f := range files {
		raw, err := os.ReadFile(f) // #nosec G304 G703 -- the vulndb module's files, found by Glob in the folder the caller named
		if err != nil {
			return err
		}
		var doc map[string]any
		var e entry
		if err := json.Unmarshal(raw, &doc); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		if err := json.Unmarshal(raw, &e); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		modified, err := time.Parse(time.RFC3339, e.Modified)
		if err != nil || modified.Year() < 2000 {
			modified, err = time.Parse(time.RFC3339, e.Published)
			if err != nil || modified.Year() < 2000 {
				modified = fallback
			}
		}
		stamp := modified.UTC().Format(time.RFC3339)
		doc["modified"] = stamp
		if modified.After(newest) {
			newest = modified
		}
		b, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		if !idPattern.MatchString(e.ID) {
			return fmt.Errorf("%s: unexpected id %q", f, e.ID)
		}
		if err := os.WriteFile(filepath.Join(out, "ID", e.ID+".json"), b, 0o600); err != nil { // #nosec G703 -- the caller's folder and an id checked above
			return err
		}
		vulns = append(vulns, vuln{ID: e.ID, Modified: stamp, Aliases: e.Aliases})
		seen := map[string]bool{}
		for _, a := range e.Affected {
			p := a.Package.Name
			if p == "" || seen[p] {
				continue
			}
			seen[p] = true
			if modules[p] == nil {
				modules[p] = &module{Path: p}
			}
			modules[p].Vulns = append(modules[p].Vulns, moduleVuln{ID: e.ID, Modified: stamp})
		}
	}
	var mods []*module
	for _, m := range modules {
		mods = append(mods, m)
	}
	sort.Slice(mods, func(i, j int) bool { return mods[i].Path < mods[j].Path })
	for name, v := range map[string]any{
		"db.json":      map[string]string{"modified": newest.UTC().Format(time.RFC3339)},
		"modules.json": mods,
		"vulns.json":   vulns,
	} {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(out, "index", name), b, 0o600); err != nil { // #nosec G703 -- the caller's folder and a fixed name
			return err
		}
	}
	fmt.Printf("vulnerability database: %d entries, %d modules, last modified %s\n", len(vulns), len(mods), newest.Format(time.DateOnly))
	return nil
}

// message is one object of govulncheck's JSON stream; only findings matter.
type message struct {
	Finding *struct {
		OSV          string `json:"osv"`
		FixedVersion string `json:"fixed_version"`
		Trace        []struct {
			Module   string `json:"module"`
			Version  string `json:"version"`
			Package  string `json:"package"`
			Function string `json:"function"`
			Receiver string `json:"receiver"`
		} `json:"trace"`
	} `json:"finding"`
	OSV *struct {
		ID      string `json:"id"`
		Summary string `json:"summary"`
	} `json:"osv"`
}

// report prints the findings and says whether one must fail the run: code
// reaching a vulnerable function of a module (not the standard library)
// that has a fixed version to upgrade to.
func report(r io.Reader, w io.Writer) (bool, error) {
	dec := json.NewDecoder(r)
	summaries := map[string]string{}
	type key struct{ id, module string }
	reached := map[key]string{}  // → fixed version
	imported := map[key]string{} // module or package imported, function not called
	where := map[key]string{}    // a call site, for the reader
	for {
		var m message
		if err := dec.Decode(&m); err == io.EOF {
			break
		} else if err != nil {
			return false, err
		}
		if m.OSV != nil {
			summaries[m.OSV.ID] = m.OSV.Summary
		}
		f := m.Finding
		if f == nil || len(f.Trace) == 0 {
			continue
		}
		k := key{f.OSV, f.Trace[0].Module}
		if f.Trace[0].Function == "" {
			imported[k] = f.FixedVersion
			continue
		}
		reached[k] = f.FixedVersion
		if len(f.Trace) > 1 {
			last := f.Trace[len(f.Trace)-1]
			if w := last.Package + "." + last.Function; where[k] == "" || w < where[k] {
				where[k] = w // the same one every run
			}
		}
	}
	for k := range reached {
		delete(imported, k)
	}
	failed := false
	print := func(title string, set map[key]string, reachable bool) {
		keys := make([]key, 0, len(set))
		for k := range set {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return keys[i].id < keys[j].id })
		fmt.Fprintf(w, "%s: %d\n", title, len(keys))
		for _, k := range keys {
			fixed := set[k]
			switch {
			case k.module == "stdlib":
				fixed = "fixed in Go " + strings.TrimPrefix(fixed, "v")
			case fixed == "":
				fixed = "no fixed version yet"
			default:
				fixed = "fixed in " + k.module + "@" + fixed
				if reachable {
					failed = true
					fixed += "  <- upgrade: go get " + k.module + "@" + set[k]
				}
			}
			fmt.Fprintf(w, "  %s %s (%s): %s", k.id, k.module, summaries[k.id], fixed)
			if where[k] != "" {
				fmt.Fprintf(w, "; reached from %s", where[k])
			}
			fmt.Fprintln(w)
		}
	}
	print("vulnerabilities the code reaches", reached, true)
	print("vulnerabilities in imported packages or required modules the code does not reach", imported, false)
	return failed, nil
}
