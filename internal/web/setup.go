package web

import (
	"net/http"

	"github.com/fanzha/fanzha/internal/setup"
)

// Whether the first start's setup is done (readyz, the login page, setup).

// SetupComplete reports whether the county exists. Once true it stays true
// (a county is never removed), so the answer is remembered.
func (s *Server) SetupComplete(r *http.Request) (bool, error) {
	if s.SetupDone.Load() {
		return true, nil
	}
	need, err := setup.Required(r.Context(), s.DB)
	if err != nil {
		return false, err
	}
	if !need {
		s.SetupDone.Store(true)
	}
	return !need, nil
}
