package api

import (
	"net/http"
	"strconv"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/partner"
	"github.com/fanzha/fanzha/internal/web"
	"github.com/fanzha/fanzha/internal/web/apiv1"
)

func (s *handler) handleCreateCaseRequest(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	var in partner.CaseRequest
	if err := web.DecodeJSON(r, &in, 1<<16); err != nil {
		return err
	}
	reqID, err := partner.CreateForCase(r.Context(), s.DB, p.Scope, auth.AuditFor(p, web.ClientIP(r), web.RequestID(r.Context())), p.User.ID, id, in, s.Now())
	if err != nil {
		return err
	}
	status := "sent"
	if in.Draft {
		status = "drafted"
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"request_id": reqID, "status": status})
	return nil
}

func (s *handler) handleCaseRequests(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	list, err := partner.ForCase(r.Context(), s.DB, p.Scope, id, s.Now())
	if err != nil {
		return err
	}
	m, err := s.Masker(r, p, "case", strconv.FormatInt(id, 10))
	if err != nil {
		return err
	}
	for i := range list {
		list[i] = list[i].Masked(m)
	}
	web.WriteJSON(w, http.StatusOK, apiv1.Requests(list))
	return nil
}

// handlePartnerInbox is a partner unit's inbox through the API (for a
// bank's own system): only requests addressed to the caller's unit, with
// the account in full — the bank must act on it, and it is the bank's own.
func (s *handler) handlePartnerInbox(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	list, err := partner.Inbox(r.Context(), s.DB, p.User.UnitID, s.Now(), 500)
	if err != nil {
		return err
	}
	if list == nil {
		list = []partner.Request{}
	}
	web.WriteJSON(w, http.StatusOK, apiv1.Requests(list))
	return nil
}

func (s *handler) handlePartnerAnswer(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	var a apiv1.PartnerAnswer
	if err := web.DecodeJSON(r, &a, 1<<16); err != nil {
		return err
	}
	if err := partner.Respond(r.Context(), s.DB, p.User.UnitID, auth.AuditFor(p, web.ClientIP(r), web.RequestID(r.Context())), id, a.Domain(), s.Now()); err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, apiv1.StatusBody{Status: a.Status})
	return nil
}

func (s *handler) handleCaseFraudType(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	var in struct {
		FraudType string `json:"fraud_type"`
	}
	if err := web.DecodeJSON(r, &in, 1<<12); err != nil {
		return err
	}
	if err := funds.SetCaseFraudType(r.Context(), s.DB, p.Scope, auth.AuditFor(p, web.ClientIP(r), web.RequestID(r.Context())), p.User.ID, id, in.FraudType, s.Now()); err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"fraud_type": in.FraudType})
	return nil
}
