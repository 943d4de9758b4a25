// Package domain holds what every domain package shares: the sentinel errors
// the web layer maps to HTTP statuses. Domain packages wrap them with
// context: fmt.Errorf("warning %d: %w", id, domain.ErrNotFound).
package domain

import "errors"

// Sentinel errors.
var (
	// ErrNotFound: the record does not exist or lies outside the caller's
	// jurisdiction (the two are indistinguishable on purpose).
	ErrNotFound = errors.New("not found")
	// ErrInvalid: the input breaks a rule; the wrapping message says which.
	ErrInvalid = errors.New("invalid")
	// ErrForbidden: the caller's role may not do this.
	ErrForbidden = errors.New("forbidden")
	// ErrConflict: the change collides with the current state.
	ErrConflict = errors.New("conflict")
)
