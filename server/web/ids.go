package web

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"strconv"

	"github.com/labstack/echo/v4"

	"policebooth/server/app"
)

// parseID reads a record id as the API writes it: a positive decimal.
func parseID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, errors.New("not an id")
	}
	return id, nil
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

func jsonDecoder(r io.Reader) *json.Decoder {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	return dec
}

// jsonProblem says what is wrong with a body without echoing it back.
func jsonProblem(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return "malformed at byte " + strconv.FormatInt(syntax.Offset, 10)
	case errors.As(err, &typ):
		return "field " + typ.Field + " must be " + typ.Type.String()
	case errors.Is(err, io.EOF):
		return "the body is empty"
	}
	return err.Error() // json: unknown field "x" and the like
}

// newKey returns a random key for a form's Idempotency-Key.
func newKey() string { return rand.Text() }

// cursorParam reads a list's ?cursor= (the last id of the page before);
// 0 when absent, EINVALID when it is not one.
func cursorParam(c echo.Context) (int64, error) {
	v := c.QueryParam("cursor")
	if v == "" {
		return 0, nil
	}
	id, err := parseID(v)
	if err != nil {
		return 0, app.Errorf(app.EINVALID, "cursor is not a cursor from this list")
	}
	return id, nil
}
