package permit

import (
	"errors"
	"fmt"
)

// Error codes. They are few on purpose: each maps to one HTTP status in the
// web package and to one kind of message for the user.
const (
	ECONFLICT     = "conflict"     // the action clashes with the current state
	EINTERNAL     = "internal"     // a fault of ours; logged with a reference
	EINVALID      = "invalid"      // the input is wrong; the message says how
	ENOTFOUND     = "not_found"    // absent, or not visible to the caller
	EFORBIDDEN    = "forbidden"    // visible, but the caller may not do this
	EUNAVAILABLE  = "unavailable"  // a dependency is down; retrying may help
	EUNAUTHORIZED = "unauthorized" // the caller must log in first
	ERATELIMIT    = "rate_limited" // too many attempts; wait and retry
)

// Error is a domain error. Message is a translation key (never raw user
// text), so that the web layer can render it in the reader's language.
type Error struct {
	Code    string
	Message string
	Args    []any
	// Fields maps a form field to the translation key of what is wrong
	// with it, for errors about user input.
	Fields map[string]string
	// FieldArgs holds the arguments of a field's message, if it has any.
	FieldArgs map[string][]any
}

func (e *Error) Error() string {
	return fmt.Sprintf("sejour error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns a domain error with a code and a translation key.
func Errorf(code, key string, args ...any) *Error {
	return &Error{Code: code, Message: key, Args: args}
}

// ErrorCode returns the code of the first domain error in err's chain, or
// EINTERNAL for any other non-nil error.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the translation key of a domain error, or the key
// of the generic internal error message.
func ErrorMessage(err error) (string, []any) {
	var e *Error
	if err == nil {
		return "", nil
	} else if errors.As(err, &e) {
		return e.Message, e.Args
	}
	return "error.internal", nil
}

// Invalid returns an EINVALID error about form fields; fields maps each
// field name to a translation key. It returns nil when fields is empty, so
// that validation code can end with `return permit.Invalid(errs)`.
func Invalid(fields map[string]string) error {
	if len(fields) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: "error.form", Fields: fields}
}

// InvalidWith is Invalid with the arguments of fields' messages (the
// limit a message states), kept for the fields that have an error.
func InvalidWith(fields map[string]string, args map[string][]any) error {
	if len(fields) == 0 {
		return nil
	}
	e := &Error{Code: EINVALID, Message: "error.form", Fields: fields, FieldArgs: map[string][]any{}}
	for f := range fields {
		if a, ok := args[f]; ok {
			e.FieldArgs[f] = a
		}
	}
	return e
}

// FieldErrors returns the per-field translation keys of err, if any.
func FieldErrors(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// AsField turns a domain error about one input (such as an upload's
// "too large, 10 MB at most") into a form error on field, keeping the
// message's arguments. Other errors are returned unchanged.
func AsField(field string, err error) error {
	var e *Error
	if !errors.As(err, &e) || e.Code != EINVALID || e.Fields != nil {
		return err
	}
	return &Error{Code: EINVALID, Message: "error.form", Fields: map[string]string{field: e.Message},
		FieldArgs: map[string][]any{field: e.Args}}
}

// FieldMessage returns the translation key and arguments of one field's error.
func FieldMessage(err error, field string) (string, []any) {
	var e *Error
	if !errors.As(err, &e) {
		return "", nil
	}
	return e.Fields[field], e.FieldArgs[field]
}
