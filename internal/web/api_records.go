package web

import (
	"net/http"
	"strconv"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/warning"
)

func (s *Server) handleWarnings(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	f := warning.Filter{Status: r.URL.Query().Get("status"), Grade: warning.Grade(r.URL.Query().Get("grade"))}
	var err error
	if f.StationID, err = queryInt(r, "station"); err != nil {
		return err
	}
	if f.BeforeID, err = queryInt(r, "before"); err != nil {
		return err
	}
	limit, err := queryInt(r, "limit")
	if err != nil {
		return err
	}
	f.Limit = int(limit)
	if f.From, err = s.queryTime(r, "from"); err != nil {
		return err
	}
	if f.To, err = s.queryTime(r, "to"); err != nil {
		return err
	}
	list, err := warning.List(r.Context(), s.db, p.Scope, f)
	if err != nil {
		return err
	}
	m, err := s.masker(r, p, "warning", "list")
	if err != nil {
		return err
	}
	for i := range list {
		list[i] = list[i].Masked(m)
	}
	writeJSON(w, http.StatusOK, map[string]any{"warnings": list})
	return nil
}

func (s *Server) handleWarning(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	wa, err := warning.Get(r.Context(), s.db, p.Scope, id)
	if err != nil {
		return err
	}
	m, err := s.masker(r, p, "warning", strconv.FormatInt(id, 10))
	if err != nil {
		return err
	}
	if err := s.auditRead(r, p, m, "warning", strconv.FormatInt(id, 10)); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wa.Masked(m))
	return nil
}

func (s *Server) handleCases(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	f := funds.CaseFilter{Status: r.URL.Query().Get("status"), FraudType: r.URL.Query().Get("fraud_type")}
	var err error
	if f.BeforeID, err = queryInt(r, "before"); err != nil {
		return err
	}
	limit, err := queryInt(r, "limit")
	if err != nil {
		return err
	}
	f.Limit = int(limit)
	if f.From, err = s.queryTime(r, "from"); err != nil {
		return err
	}
	if f.To, err = s.queryTime(r, "to"); err != nil {
		return err
	}
	list, err := funds.ListCases(r.Context(), s.db, p.Scope, f)
	if err != nil {
		return err
	}
	for i := range list {
		list[i] = list[i].Masked(auth.Masker{}) // summaries may hold numbers
	}
	writeJSON(w, http.StatusOK, map[string]any{"cases": list})
	return nil
}

func (s *Server) handleCase(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := funds.GetCase(r.Context(), s.db, p.Scope, id)
	if err != nil {
		return err
	}
	m, err := s.masker(r, p, "case", strconv.FormatInt(id, 10))
	if err != nil {
		return err
	}
	if err := s.auditRead(r, p, m, "case", strconv.FormatInt(id, 10)); err != nil {
		return err
	}
	links, err := funds.CaseLinks(r.Context(), s.db, p.Scope, c.ID, m)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		funds.Case
		Related  []funds.RelatedCase `json:"related"`
		Suspects []funds.Suspect     `json:"suspects"`
	}{c.Masked(m), links.Related, links.Suspects})
	return nil
}
