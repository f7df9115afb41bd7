package web

import (
	"sort"
)

// DocumentedOperation is what the hostile-input test reads of one entry of
// apiOperations: the route and the top-level fields of its JSON body, each
// with its kind (string, enum, number, integer, boolean, array, object).
type DocumentedOperation struct {
	Route   string // "METHOD /api/v1/path/:param", as registered
	Summary string
	Fields  map[string]string
	Names   []string // Fields' names, sorted
}

// DocumentedOperations lists every documented API route.
func DocumentedOperations() []DocumentedOperation {
	var out []DocumentedOperation
	for _, op := range apiOperations {
		d := DocumentedOperation{Route: op.Method + " /api/v1" + op.Path, Summary: op.Summary, Fields: map[string]string{}}
		if schema, ok := apiSchemas[op.Request].(map[string]any); ok {
			props, _ := schema["properties"].(map[string]any)
			for name, p := range props {
				p, _ := p.(map[string]any)
				kind, _ := p["type"].(string)
				switch {
				case p["enum"] != nil:
					kind = "enum"
				case p["$ref"] != nil:
					kind = "object"
				}
				d.Fields[name] = kind
				d.Names = append(d.Names, name)
			}
			sort.Strings(d.Names)
		}
		out = append(out, d)
	}
	return out
}

// BeforeRender runs f after a page's handler has read its data and before
// the page is rendered: the window in which a change must still reach the
// page's live stream.
func (s *Server) BeforeRender(f func()) { s.beforeRender = f }
