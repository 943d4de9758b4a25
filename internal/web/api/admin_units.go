package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/partner"
	"github.com/fanzha/fanzha/internal/web"
)

// unitBody is a unit with its contacts (phones masked).
type unitBody struct {
	partner.UnitInfo
	Contacts []partner.Contact `json:"contacts"`
}

func (s *handler) unitBody(r *http.Request, p *auth.Principal, id int64) (unitBody, error) {
	u, err := partner.GetUnitInfo(r.Context(), s.DB, id)
	if err != nil {
		return unitBody{}, err
	}
	cs, err := partner.Contacts(r.Context(), s.DB, id)
	if err != nil {
		return unitBody{}, err
	}
	m, err := s.Masker(r, p, "unit", strconv.FormatInt(id, 10))
	if err != nil {
		return unitBody{}, err
	}
	for i := range cs {
		cs[i] = cs[i].Masked(m)
	}
	return unitBody{UnitInfo: u, Contacts: cs}, nil
}

func (s *handler) handleCreateUnitAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in partner.UnitInput
	if err := web.DecodeJSON(r, &in, 1<<14); err != nil {
		return err
	}
	u, err := partner.CreateUnit(r.Context(), s.DB, s.AuditWho(r, p), in, s.Now())
	if err != nil {
		return err
	}
	b, err := s.unitBody(r, p, u.ID)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, b)
	return nil
}

func (s *handler) handleUnitAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	b, err := s.unitBody(r, p, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, b)
	return nil
}

func (s *handler) handleUpdateUnitAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	cur, err := partner.GetUnitInfo(r.Context(), s.DB, id)
	if err != nil {
		return err
	}
	// Fields left out keep their value.
	in := partner.UnitInput{Kind: cur.Kind, Name: cur.Name, Code: cur.Code, ParentID: cur.ParentID, AreaID: cur.AreaID}
	if err := web.DecodeJSON(r, &in, 1<<14); err != nil {
		return err
	}
	if _, err := partner.UpdateUnit(r.Context(), s.DB, s.AuditWho(r, p), id, in, s.Now()); err != nil {
		return err
	}
	b, err := s.unitBody(r, p, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, b)
	return nil
}

func (s *handler) handleRetireUnitAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	n, err := partner.RetireUnit(r.Context(), s.DB, s.AuditWho(r, p), id, s.Now())
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"id": id, "retired": true, "users_disabled": n})
	return nil
}

func (s *handler) handleReactivateUnitAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	if err := partner.ReactivateUnit(r.Context(), s.DB, s.AuditWho(r, p), id, s.Now()); err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"id": id, "retired": false})
	return nil
}

func (s *handler) handleAddContactAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	var in partner.ContactInput
	if err := web.DecodeJSON(r, &in, 1<<14); err != nil {
		return err
	}
	c, err := partner.AddContact(r.Context(), s.DB, s.AuditWho(r, p), id, in, s.Now())
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, c.Masked(auth.Masker{}))
	return nil
}

func (s *handler) handleDeleteContactAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	cid, err := strconv.ParseInt(strings.TrimSpace(r.PathValue("contact")), 10, 64)
	if err != nil {
		return web.Errorf(http.StatusBadRequest, "bad_id", "联系人编号无效")
	}
	if err := partner.DeleteContact(r.Context(), s.DB, s.AuditWho(r, p), id, cid, s.Now()); err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"id": cid, "deleted": true})
	return nil
}
