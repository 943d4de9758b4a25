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

func (s *handler) handleAddSuspect(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	var in funds.Suspect
	if err := web.DecodeJSON(r, &in, 1<<14); err != nil {
		return err
	}
	in.CaseID = id
	sid, err := s.AddSuspect(r, p, in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"id": sid})
	return nil
}
