package api

import (
	"net/http"
	"strconv"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/warning"
	"github.com/fanzha/fanzha/internal/web"
)

func (s *handler) handleWarnings(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	f := warning.Filter{Status: r.URL.Query().Get("status"), Grade: warning.Grade(r.URL.Query().Get("grade"))}
	var err error
	if f.StationID, err = web.QueryInt(r, "station"); err != nil {
		return err
	}
	if f.BeforeID, err = web.QueryInt(r, "before"); err != nil {
		return err
	}
	limit, err := web.QueryInt(r, "limit")
	if err != nil {
		return err
	}
	f.Limit = int(limit)
	if f.From, err = s.QueryTime(r, "from"); err != nil {
		return err
	}
	if f.To, err = s.QueryTime(r, "to"); err != nil {
		return err
	}
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
	m, err := s.Masker(r, p, "warning", strconv.FormatInt(id, 10))
	if err != nil {
		return err
	}
	if err := s.AuditRead(r, p, m, "warning", strconv.FormatInt(id, 10)); err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, wa.Masked(m))
	return nil
}

func (s *handler) handleCases(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	f := funds.CaseFilter{Status: r.URL.Query().Get("status"), FraudType: r.URL.Query().Get("fraud_type")}
	var err error
	if f.BeforeID, err = web.QueryInt(r, "before"); err != nil {
		return err
	}
	limit, err := web.QueryInt(r, "limit")
	if err != nil {
		return err
	}
	f.Limit = int(limit)
	if f.From, err = s.QueryTime(r, "from"); err != nil {
		return err
	}
	if f.To, err = s.QueryTime(r, "to"); err != nil {
		return err
	}
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
	m, err := s.Masker(r, p, "case", strconv.FormatInt(id, 10))
	if err != nil {
		return err
	}
	if err := s.AuditRead(r, p, m, "case", strconv.FormatInt(id, 10)); err != nil {
		return err
	}
	links, err := funds.CaseLinks(r.Context(), s.DB, p.Scope, c.ID, m)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, struct {
		funds.Case
		Related  []funds.RelatedCase `json:"related"`
		Suspects []funds.Suspect     `json:"suspects"`
	}{c.Masked(m), links.Related, links.Suspects})
	return nil
}
