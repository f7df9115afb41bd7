package web

import (
	"time"

	"github.com/labstack/echo/v4"
)

// formTime reads a form's RFC 3339 time, such as the device time an
// offline page sends with a write it kept; nil when absent or unreadable.
func formTime(c echo.Context, name string) *time.Time {
	at, err := time.Parse(time.RFC3339, c.FormValue(name))
	if err != nil {
		return nil
	}
	return &at
}
