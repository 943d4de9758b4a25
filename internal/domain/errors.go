// Package domain holds what every domain package shares: the one error
// family the web layer maps to HTTP statuses.
//
// An error a person should read is a *Error: a Kind (what went wrong, which
// decides the HTTP status) and a message in Chinese saying what to do, made
// by a constructor:
//
//	return domain.Invalid("第 %d 行：手机号 %q 无效", n, phone)
//	return domain.Conflict("该成员单位已停用，不能再向其发送请求")
//
// The message is the error's whole text; a %w in it keeps the wrapped error
// reachable by errors.Is and errors.As. Each kind has a bare sentinel
// (ErrNotFound, ErrInvalid …) that errors.Is matches against every error of
// that kind. Code that has no message for a person wraps the sentinel with
// context instead, and the reader gets the kind's standard text:
//
//	return fmt.Errorf("warning %d: %w", id, domain.ErrNotFound)
package domain

import (
	"errors"
	"fmt"
)

// Kind says what went wrong, in the terms the web layer maps to a status.
type Kind uint8

// The kinds. The zero Kind is not used by any error.
const (
	// KindInvalid: the input breaks a rule; the message says which.
	KindInvalid Kind = iota + 1
	// KindUnauthenticated: the caller is not signed in, or the credentials
	// are wrong or expired.
	KindUnauthenticated
	// KindForbidden: the caller's role (or the account's state) does not
	// allow this.
	KindForbidden
	// KindNotFound: the record does not exist or lies outside the caller's
	// jurisdiction (the two are indistinguishable on purpose).
	KindNotFound
	// KindConflict: the change collides with the current state.
	KindConflict
	// KindTooLarge: the input is over a size limit.
	KindTooLarge
	// KindRule: the request is well formed but the records do not allow it
	// (a case without transfers cannot be traced, an account with no traced
	// money cannot be frozen from the trace). A rule refusal is invalid
	// input too: errors.Is(err, ErrInvalid) holds for it.
	KindRule
)

// Kinds lists every kind, for tables that must cover them all.
var Kinds = []Kind{KindInvalid, KindUnauthenticated, KindForbidden, KindNotFound, KindConflict, KindTooLarge, KindRule}

// String is the kind's machine name, used as the API's error code.
func (k Kind) String() string {
	switch k {
	case KindInvalid:
		return "invalid"
	case KindUnauthenticated:
		return "unauthenticated"
	case KindForbidden:
		return "forbidden"
	case KindNotFound:
		return "not_found"
	case KindConflict:
		return "conflict"
	case KindTooLarge:
		return "too_large"
	case KindRule:
		return "refused"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Error is an error of the domain family.
type Error struct {
	Kind Kind
	// Msg is for the person reading it (Chinese); "" on a kind's sentinel.
	Msg string
	// Code, when set, is a finer machine code than the kind's for API
	// clients (bad_credentials rather than unauthenticated).
	Code  string
	cause []error
}

// The kinds' sentinels: errors.Is(err, ErrInvalid) is true for every error
// of kind KindInvalid, whether made by Invalid or wrapping ErrInvalid.
var (
	ErrInvalid         = &Error{Kind: KindInvalid}
	ErrUnauthenticated = &Error{Kind: KindUnauthenticated}
	ErrForbidden       = &Error{Kind: KindForbidden}
	ErrNotFound        = &Error{Kind: KindNotFound}
	ErrConflict        = &Error{Kind: KindConflict}
	ErrTooLarge        = &Error{Kind: KindTooLarge}
	ErrRule            = &Error{Kind: KindRule}
)

// Sentinel returns the kind's sentinel.
func (k Kind) Sentinel() *Error {
	for _, s := range []*Error{ErrInvalid, ErrUnauthenticated, ErrForbidden, ErrNotFound, ErrConflict, ErrTooLarge, ErrRule} {
		if s.Kind == k {
			return s
		}
	}
	return nil
}

func (e *Error) Error() string {
	if e.Msg == "" {
		return e.Kind.String()
	}
	return e.Msg
}

// Is makes a kind's sentinel match every error of the kind; ErrInvalid
// also matches a rule refusal (KindRule).
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok || t.Msg != "" || t.cause != nil {
		return false
	}
	return t.Kind == e.Kind || (t.Kind == KindInvalid && e.Kind == KindRule)
}

// Unwrap returns the errors wrapped with %w in the message.
func (e *Error) Unwrap() []error { return e.cause }

// New makes an error of the kind; format and args are as for fmt.Errorf.
func New(k Kind, format string, args ...any) *Error {
	err := fmt.Errorf(format, args...)
	e := &Error{Kind: k, Msg: err.Error()}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		e.cause = []error{u.Unwrap()}
	case interface{ Unwrap() []error }:
		e.cause = u.Unwrap()
	}
	return e
}

// Invalid: the input breaks the rule the message names.
func Invalid(format string, args ...any) *Error { return New(KindInvalid, format, args...) }

// Unauthenticated: the caller must sign in, or the credentials are wrong.
func Unauthenticated(format string, args ...any) *Error {
	return New(KindUnauthenticated, format, args...)
}

// Forbidden: the caller may not do this.
func Forbidden(format string, args ...any) *Error { return New(KindForbidden, format, args...) }

// NotFound: the record is missing or outside the caller's jurisdiction.
func NotFound(format string, args ...any) *Error { return New(KindNotFound, format, args...) }

// Conflict: the change collides with the current state.
func Conflict(format string, args ...any) *Error { return New(KindConflict, format, args...) }

// TooLarge: the input is over the size limit the message names.
func TooLarge(format string, args ...any) *Error { return New(KindTooLarge, format, args...) }

// Refuse is a rule refusal with its machine code: the one way a use case
// says "well formed, but the records do not allow it". Add the package's
// marker with With(marker) so callers can tell the rule apart.
func Refuse(code, format string, args ...any) *Error {
	return New(KindRule, format, args...).WithCode(code)
}

// As returns the outermost domain error in err's chain, if any. Its Msg is
// "" when the chain holds only a kind's sentinel (the reader then gets the
// kind's standard text).
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// CodeOf is the error's machine code: Code if set, else the kind's.
func (e *Error) CodeOf() string {
	if e.Code != "" {
		return e.Code
	}
	return e.Kind.String()
}

// Message is the text for a person: the message of the outermost domain
// error in err's chain, or err's own text when the chain holds no message.
func Message(err error) string {
	if e, ok := As(err); ok && e.Msg != "" {
		return e.Msg
	}
	return err.Error()
}

// WithCode returns a copy of e with a finer machine code than its kind's.
func (e *Error) WithCode(code string) *Error {
	c := *e
	c.Code = code
	return &c
}

// With returns a copy of e that also wraps cause (for errors.Is) without
// changing the message, e.g. a package's marker sentinel.
func (e *Error) With(cause error) *Error {
	c := *e
	c.cause = append(append([]error(nil), e.cause...), cause)
	return &c
}
