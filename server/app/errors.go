package app

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status in the web package.
const (
	EINVALID      = "invalid"          // 400: the input is wrong
	EUNAUTHORIZED = "unauthenticated"  // 401: sign in first
	EFORBIDDEN    = "forbidden"        // 403: the caller's role may not do this
	ENOTFOUND     = "not_found"        // 404: missing, or not the caller's
	ECONFLICT     = "conflict"         // 409: the record's state forbids it
	ETOOLARGE     = "too_large"        // 413
	EUNSUPPORTED  = "unsupported_type" // 415
	ERATELIMIT    = "rate_limited"     // 429
	EINTERNAL     = "internal"         // 500: logged, never shown
	EUNAVAILABLE  = "unavailable"      // 503: the database is down
	EUNVERIFIED   = "phone_unverified" // 403: a resident must verify their phone first
)

// Error is an error a client may be shown. Message is safe to show; the
// wrapped Err is for the log only.
type Error struct {
	Code    string
	Message string
	Err     error
	// MessageCode names the refusal for a person: pages and the API show
	// the message "refusal.<MessageCode>" in the reader's language, filled
	// from MessageData (name, value pairs), instead of the English Message.
	// Empty for errors that only a developer's client will meet.
	MessageCode string
	MessageData []any
	// Field names the input the error is about, as the API spells it
	// ("title", "slot_id", "newborn.birth_date"), so a form puts the error
	// on its field without reading Message. Empty when it is about no one
	// field.
	Field string
}

// WithField names the input e is about (see Error.Field) and returns e.
func (e *Error) WithField(field string) *Error {
	e.Field = field
	return e
}

// FieldOf returns the field the first Error in err's chain is about; ""
// when it names none.
func FieldOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// WithMessage gives e a message code (see Error.MessageCode) and returns e.
func (e *Error) WithMessage(code string, data ...any) *Error {
	e.MessageCode, e.MessageData = code, data
	return e
}

// Errorf returns an Error with a safe, formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// ErrNotFound is returned by store lookups that find nothing the caller may see.
var ErrNotFound = &Error{Code: ENOTFOUND, Message: "not found"}

// ErrorCode returns the code of the first Error in err's chain, EINTERNAL for
// any other error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the safe message of err; internal errors get a
// generic one so nothing of the system leaks to a client.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Message
	}
	return "internal error"
}

// MessageOf returns the message code and its data of the first Error in
// err's chain; "" when it has none.
func MessageOf(err error) (string, []any) {
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.MessageCode, e.MessageData
	}
	return "", nil
}
