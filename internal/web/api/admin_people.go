package api

import (
	"net/http"
	"strconv"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/web"
)

// userCreateRequest is the body of POST /api/v1/users.
type userCreateRequest struct {
	Username    string    `json:"username"`
	DisplayName string    `json:"display_name"`
	Role        auth.Role `json:"role"`
	AreaID      int64     `json:"area_id"`
	UnitID      int64     `json:"unit_id,omitempty"`
	Phone       string    `json:"phone,omitempty"`
	Password    string    `json:"password,omitempty"`
	// Generate a password when none is given; it is in the answer, once.
	Generate bool `json:"generate,omitempty"`
}

func (s *handler) handleCreateUserAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in userCreateRequest
	if err := web.DecodeJSON(r, &in, 1<<16); err != nil {
		return err
	}
	u, pw, err := auth.ManagedCreate(r.Context(), s.DB, p, s.AuditWho(r, p), auth.NewUser{Username: in.Username, DisplayName: in.DisplayName,
		Role: in.Role, AreaID: in.AreaID, UnitID: in.UnitID, Phone: in.Phone, Password: in.Password}, in.Generate && in.Password == "", s.Now())
	if err != nil {
		return err
	}
	u.Phone = auth.MaskPhone(u.Phone)
	body := map[string]any{"user": u}
	if pw != "" {
		body["password"] = pw
	}
	web.WriteJSON(w, http.StatusCreated, body)
	return nil
}

func (s *handler) handleUserAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	u, err := auth.ManagedUser(r.Context(), s.DB, p, id)
	if err != nil {
		return err
	}
	m, err := s.Masker(r, p, "user", strconv.FormatInt(id, 10))
	if err != nil {
		return err
	}
	u.Phone = m.Phone(u.Phone)
	web.WriteJSON(w, http.StatusOK, u)
	return nil
}

func (s *handler) handleUpdateUserAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	cur, err := auth.ManagedUser(r.Context(), s.DB, p, id)
	if err != nil {
		return err
	}
	// Fields left out keep their value.
	up := auth.UserUpdate{DisplayName: cur.DisplayName, Phone: cur.Phone, Role: cur.Role, AreaID: cur.AreaID, UnitID: cur.UnitID}
	if err := web.DecodeJSON(r, &up, 1<<16); err != nil {
		return err
	}
	u, err := auth.UpdateManaged(r.Context(), s.DB, p, s.AuditWho(r, p), id, up, s.Now())
	if err != nil {
		return err
	}
	u.Phone = auth.MaskPhone(u.Phone)
	web.WriteJSON(w, http.StatusOK, u)
	return nil
}

func (s *handler) handleDisableUserAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	if err := auth.DisableManaged(r.Context(), s.DB, p, s.AuditWho(r, p), id, s.Now()); err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"id": id, "disabled": true})
	return nil
}

func (s *handler) handleEnableUserAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	if err := auth.EnableManaged(r.Context(), s.DB, p, s.AuditWho(r, p), id, s.Now()); err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"id": id, "disabled": false})
	return nil
}

func (s *handler) handleUserTokensAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	toks, err := auth.ManagedTokens(r.Context(), s.DB, p, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"tokens": toks})
	return nil
}

func (s *handler) handleRevokeUserTokenAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	tid, err := strconv.ParseInt(r.PathValue("token"), 10, 64)
	if err != nil {
		return web.Errorf(http.StatusBadRequest, "bad_id", "令牌编号无效")
	}
	if err := auth.RevokeManagedToken(r.Context(), s.DB, p, s.AuditWho(r, p), id, tid, s.Now()); err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"id": tid, "revoked": true})
	return nil
}
