package web

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
)

// apiOperation documents one API route. The OpenAPI document is built from
// apiOperations, and a test fails when a registered route is missing here
// or a documented one is not registered.
type apiOperation struct {
	Method   string
	Path     string // as registered under /api/v1, with :params
	Summary  string
	Tag      string
	Auth     bool   // needs a signed-in caller
	Request  string // schema name of the JSON body, if any
	Response string // schema name of the success body
	Status   int    // success status
	Errors   []int
}

var apiOperations = []apiOperation{
	{Method: http.MethodGet, Path: "/openapi.json", Summary: "This document", Tag: "meta", Response: "OpenAPI", Status: 200},
	{Method: http.MethodGet, Path: "/booths", Summary: "List the booths residents can choose from", Tag: "stations", Response: "BoothList", Status: 200},
}

var apiSchemas = map[string]any{
	"OpenAPI": map[string]any{"type": "object"},
	"Error": object(map[string]any{
		"error": object(map[string]any{"code": str(), "message": str()}, "code", "message"),
	}, "error"),
	"Booth": object(map[string]any{
		"id": str(), "name": str(), "name_en": str(), "station_id": str(), "phone": str(),
		"lat": map[string]any{"type": "number"}, "lng": map[string]any{"type": "number"},
	}, "id", "name", "station_id", "lat", "lng"),
	"BoothList": listOf("Booth"),
}

func str() map[string]any { return map[string]any{"type": "string"} }

func ref(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }

func object(props map[string]any, required ...string) map[string]any {
	o := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

func listOf(item string) map[string]any {
	return object(map[string]any{
		"items":       map[string]any{"type": "array", "items": ref(item)},
		"next_cursor": map[string]any{"type": "string", "description": "empty on the last page"},
	}, "items", "next_cursor")
}

var pathParam = regexp.MustCompile(`:([a-z_]+)`)

// openAPIPath turns an Echo path into an OpenAPI one: /x/:id → /x/{id}.
func openAPIPath(p string) string { return pathParam.ReplaceAllString(p, "{$1}") }

func buildOpenAPI() ([]byte, error) {
	paths := map[string]map[string]any{}
	for _, op := range apiOperations {
		p := openAPIPath(op.Path)
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		responses := map[string]any{
			strconv.Itoa(op.Status): map[string]any{
				"description": http.StatusText(op.Status),
				"content":     map[string]any{"application/json": map[string]any{"schema": ref(op.Response)}},
			},
		}
		for _, code := range op.Errors {
			responses[strconv.Itoa(code)] = map[string]any{
				"description": http.StatusText(code),
				"content":     map[string]any{"application/json": map[string]any{"schema": ref("Error")}},
			}
		}
		o := map[string]any{
			"summary":     op.Summary,
			"operationId": strings.ToLower(op.Method) + strings.NewReplacer("/", "_", ":", "", ".", "_", "-", "_").Replace(op.Path),
			"tags":        []string{op.Tag},
			"responses":   responses,
		}
		if op.Auth {
			o["security"] = []map[string]any{{"bearer": []string{}}, {"cookie": []string{}}}
		}
		if op.Request != "" {
			o["requestBody"] = map[string]any{
				"required": true,
				"content":  map[string]any{"application/json": map[string]any{"schema": ref(op.Request)}},
			}
		}
		var params []map[string]any
		for _, m := range pathParam.FindAllStringSubmatch(op.Path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": str()})
		}
		if params != nil {
			o["parameters"] = params
		}
		paths[p][strings.ToLower(op.Method)] = o
	}
	doc := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "Police Booth API",
			"version":     "1",
			"description": "The JSON API of a neighbourhood police booth. Errors answer {\"error\":{\"code\",\"message\"}}; ids are strings; lists answer {items, next_cursor}.",
		},
		"servers": []map[string]any{{"url": "/api/v1"}},
		"paths":   paths,
		"components": map[string]any{
			"schemas": apiSchemas,
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
				"cookie": map[string]any{"type": "apiKey", "in": "cookie", "name": "pb_access"},
			},
		},
	}
	return json.MarshalIndent(doc, "", "  ")
}

var openAPIDoc = sync.OnceValues(buildOpenAPI)

// handleOpenAPI serves the OpenAPI 3.1 document of the API.
func (s *Server) handleOpenAPI(c echo.Context) error {
	doc, err := openAPIDoc()
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, doc)
}
