package web

import (
	"bytes"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
)

// maxText is the most characters any one text value may carry, whatever the
// field: a field's own rule may ask for fewer.
const maxText = 10_000

// checkText refuses text that no person types: broken encodings (also as
// the U+FFFD a JSON decoder makes of a lone surrogate), control characters
// other than tab and line breaks (NUL among them, which PostgreSQL refuses
// to store), and text past maxText.
func checkText(s string) error {
	if !utf8.ValidString(s) {
		return app.Errorf(app.EINVALID, "text must be UTF-8")
	}
	n := 0
	for _, r := range s {
		n++
		switch {
		case r == utf8.RuneError:
			return app.Errorf(app.EINVALID, "text holds a broken character")
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r', r == 0x7f:
			return app.Errorf(app.EINVALID, "text may not hold control characters")
		}
	}
	if n > maxText {
		return app.Errorf(app.EINVALID, "text may be at most %d characters", maxText)
	}
	return nil
}

// checkStrings applies checkText to every string in a decoded body.
func checkStrings(v reflect.Value) error {
	switch v.Kind() {
	case reflect.String:
		return checkText(v.String())
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return checkStrings(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				if err := checkStrings(v.Field(i)); err != nil {
					return err
				}
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Len() > app.MaxListItems {
			return app.Errorf(app.EINVALID, "a list in the body has more than %d items", app.MaxListItems)
		}
		for i := range v.Len() {
			if err := checkStrings(v.Index(i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		if v.Len() > app.MaxListItems {
			return app.Errorf(app.EINVALID, "an object in the body has more than %d members", app.MaxListItems)
		}
		it := v.MapRange()
		for it.Next() {
			if err := checkStrings(it.Key()); err != nil {
				return err
			}
			if err := checkStrings(it.Value()); err != nil {
				return err
			}
		}
	}
	return nil
}

// refuseHostileInput checks what reaches every handler before it runs: path
// parameters (a bad one names no record: 404), query and form values (400),
// and, on API routes documented without a body, that none is sent.
func refuseHostileInput(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		for _, v := range c.ParamValues() {
			if checkText(v) != nil {
				return app.ErrNotFound
			}
		}
		for _, vs := range c.QueryParams() {
			for _, v := range vs {
				if err := checkText(v); err != nil {
					return err
				}
			}
		}
		req := c.Request()
		if op, ok := documentedRoutes()[req.Method+" "+c.Path()]; ok && op.Request == "" && req.Method != http.MethodGet && !isUpload(c) {
			body, err := io.ReadAll(req.Body)
			if err != nil {
				return app.Errorf(app.ETOOLARGE, "the body is too large")
			}
			if b := bytes.TrimSpace(body); len(b) > 0 && string(b) != "{}" {
				return app.Errorf(app.EINVALID, "this route takes no body")
			}
			req.Body = io.NopCloser(bytes.NewReader(body))
		}
		if strings.HasPrefix(req.Header.Get(echo.HeaderContentType), echo.MIMEApplicationForm) {
			form, err := c.FormParams()
			if err != nil {
				return app.Errorf(app.EINVALID, "the form could not be read")
			}
			for _, vs := range form {
				for _, v := range vs {
					if err := checkText(v); err != nil {
						return err
					}
				}
			}
		}
		return next(c)
	}
}

// documentedRoutes indexes apiOperations by "METHOD /api/v1/path".
var documentedRoutes = sync.OnceValue(func() map[string]apiOperation {
	m := make(map[string]apiOperation, len(apiOperations))
	for _, op := range apiOperations {
		m[op.Method+" /api/v1"+op.Path] = op
	}
	return m
})

// isCode reports whether s has the shape of the project's codes: service
// types (newborn_registration) and audit actions (shift.sign_off).
func isCode(s string) bool {
	if s == "" || len(s) > 64 || s[0] < 'a' || s[0] > 'z' || s[len(s)-1] == '.' {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_' && r != '.' {
			return false
		}
	}
	return true
}
