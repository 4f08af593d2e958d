package outdial

import (
	"errors"
	"fmt"
)

// Error codes. Each API dialect has one table that turns a code into its own status and
// envelope.
const (
	ECONFLICT     = "conflict"     // the action conflicts with the current state
	EINTERNAL     = "internal"     // a fault inside outdial; details are logged, not shown
	EINVALID      = "invalid"      // the input is malformed or breaks a rule
	ENOTFOUND     = "not_found"    // no such entity for this tenant
	EUNAUTHORIZED = "unauthorized" // no valid token
	EFORBIDDEN    = "forbidden"    // a valid token, but not allowed
	ETOOLARGE     = "too_large"    // the request exceeds a documented size limit
)

// Error is outdial's error: a code for programs and a message for people.
type Error struct {
	Code    string
	Message string
	// Field names the input field at fault, when there is one.
	Field string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("outdial error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code string, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an EINVALID *Error about one input field.
func FieldErrorf(field string, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the outdial *Error in err's chain, EINTERNAL for any other
// error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message to show a caller: the *Error's message, or a plain
// "Internal error." for anything else (which must be logged, not shown).
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ErrorField returns the field named by the outdial *Error in err's chain, or "".
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
