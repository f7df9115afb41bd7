package web

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"policebooth/server/config"
	"policebooth/server/store/storetest"
)

// TestOpenAPIDocumentsEveryRoute fails when an API route is registered but
// not documented, or documented but not registered.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	cfg, err := config.LoadFrom(func(k string) string {
		if k == "POLICEBOOTH_DATA_DIR" {
			return t.TempDir()
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(cfg, storetest.Open(t).Services(), storetest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	var registered, documented []string
	for _, r := range srv.echo.Routes() {
		if p, ok := strings.CutPrefix(r.Path, "/api/v1"); ok && !strings.Contains(r.Path, "*") && r.Method != "echo_route_not_found" {
			registered = append(registered, r.Method+" "+p)
		}
	}
	for _, op := range apiOperations {
		path := op.Path
		if op.Route != "" {
			path = op.Route
		}
		documented = append(documented, op.Method+" "+path)
	}
	documented = slices.Compact(slices.Sorted(slices.Values(documented)))
	slices.Sort(registered)
	slices.Sort(documented)
	for _, r := range registered {
		if !slices.Contains(documented, r) {
			t.Errorf("route %s is registered but not in apiOperations", r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(registered, d) {
			t.Errorf("route %s is documented but not registered", d)
		}
	}

	raw, err := openAPIDoc()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI    string                               `json:"openapi"`
		Paths      map[string]map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q", doc.OpenAPI)
	}
	// Every $ref points at a defined schema.
	for _, ref := range strings.Split(string(raw), `"$ref": "#/components/schemas/`)[1:] {
		name := ref[:strings.IndexByte(ref, '"')]
		if _, ok := doc.Components.Schemas[name]; !ok {
			t.Errorf("$ref to undefined schema %s", name)
		}
	}
	if _, ok := doc.Paths["/booths"]["get"]; !ok {
		t.Errorf("paths %v lack GET /booths", doc.Paths)
	}
}
