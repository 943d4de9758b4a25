package api

import (
	"net/http"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/web"
)

func (s *handler) handleCreateCase(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in funds.CaseReport
	if err := web.DecodeJSON(r, &in, 1<<20); err != nil {
		return err
	}
	oc, err := s.OpenCase(r, p, in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, oc)
	return nil
}
