package api

import (
	"net/http"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/investigation"
	"github.com/fanzha/fanzha/internal/warning"
	"github.com/fanzha/fanzha/internal/web"
)

func (s *handler) handleWarnings(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	f := warning.Filter{Status: r.URL.Query().Get("status"), Grade: warning.Grade(r.URL.Query().Get("grade"))}
	var err error
	if f.StationID, err = web.QueryInt(r, "station"); err != nil {
		return err
	}
	lw, err := s.ListWindowOf(r)
	if err != nil {
		return err
	}
	f.BeforeID, f.Limit, f.From, f.To = lw.BeforeID, lw.Limit, lw.From, lw.To
	list, err := warning.List(r.Context(), s.DB, p.Scope, f)
	if err != nil {
		return err
	}
	m, err := s.Masker(r, p, "warning", "list")
	if err != nil {
		return err
	}
	for i := range list {
		list[i] = list[i].Masked(m)
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"warnings": list})
	return nil
}

func (s *handler) handleWarning(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	wa, err := warning.Get(r.Context(), s.DB, p.Scope, id)
	if err != nil {
		return err
	}
	m, err := s.ViewMasker(r, p, "warning", id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, wa.Masked(m))
	return nil
}

func (s *handler) handleCases(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	f := funds.CaseFilter{Status: r.URL.Query().Get("status"), FraudType: r.URL.Query().Get("fraud_type")}
	lw, err := s.ListWindowOf(r)
	if err != nil {
		return err
	}
	f.BeforeID, f.Limit, f.From, f.To = lw.BeforeID, lw.Limit, lw.From, lw.To
	list, err := funds.ListCases(r.Context(), s.DB, p.Scope, f)
	if err != nil {
		return err
	}
	for i := range list {
		list[i] = list[i].Masked(auth.Masker{}) // summaries may hold numbers
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"cases": list})
	return nil
}

func (s *handler) handleCase(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	c, err := funds.GetCase(r.Context(), s.DB, p.Scope, id)
	if err != nil {
		return err
	}
	m, err := s.ViewMasker(r, p, "case", id)
	if err != nil {
		return err
	}
	links, err := funds.CaseLinks(r.Context(), s.DB, p.Scope, c.ID, m)
	if err != nil {
		return err
	}
	suspects, err := investigation.CaseSuspects(r.Context(), s.DB, p.Scope, c.ID)
	if err != nil {
		return err
	}
	for i := range suspects {
		suspects[i] = suspects[i].Masked(m)
	}
	changes, err := funds.TraceChangesOf(r.Context(), s.DB, c.ID)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, caseDetailBody{c.Masked(m), links.Related, suspects, changes})
	return nil
}
