package api

import (
	"fmt"
	"net/http"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/bulletin"
	"github.com/fanzha/fanzha/internal/web"
)

type meResponse struct {
	ID           int64             `json:"id"`
	Username     string            `json:"username"`
	DisplayName  string            `json:"display_name"`
	Role         auth.Role         `json:"role"`
	RoleName     string            `json:"role_name"`
	AreaID       int64             `json:"area_id"`
	AreaName     string            `json:"area_name"`
	AreaLevel    area.Level        `json:"area_level"`
	UnitID       int64             `json:"unit_id,omitempty"`
	Capabilities []auth.Capability `json:"capabilities"`
}

func (s *handler) me(p *auth.Principal) meResponse {
	return meResponse{ID: p.User.ID, Username: p.User.Username, DisplayName: p.User.DisplayName, Role: p.User.Role,
		RoleName: auth.RoleName(p.User.Role), AreaID: p.Scope.ID, AreaName: p.Scope.FullName, AreaLevel: p.Scope.Level,
		UnitID: p.User.UnitID, Capabilities: p.User.Role.Capabilities()}
}

func (s *handler) handleMe(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	web.WriteJSON(w, http.StatusOK, s.me(p))
	return nil
}

func (s *handler) handleAreas(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	nodes, err := area.Subtree(r.Context(), s.DB, p.Scope)
	if err != nil {
		return err
	}
	if lv := r.URL.Query().Get("level"); lv != "" {
		out := nodes[:0]
		for _, n := range nodes {
			if string(n.Level) == lv {
				out = append(out, n)
			}
		}
		nodes = out
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"areas": nodes})
	return nil
}

func (s *handler) handleArea(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	n, err := area.GetUnder(r.Context(), s.DB, p.Scope, id)
	if err != nil {
		return err
	}
	children, err := area.Children(r.Context(), s.DB, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"area": n, "children": children})
	return nil
}

func (s *handler) handleUsers(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	users, err := auth.ListUsers(r.Context(), s.DB, p.Scope, auth.Role(r.URL.Query().Get("role")))
	if err != nil {
		return err
	}
	m, err := s.Masker(r, p, "users", "")
	if err != nil {
		return err
	}
	for i := range users {
		users[i].Phone = m.Phone(users[i].Phone)
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"users": users})
	return nil
}

func (s *handler) handleAudit(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	f, err := s.AuditFilter(r)
	if err != nil {
		return err
	}
	limit, err := web.QueryInt(r, "limit")
	if err != nil {
		return err
	}
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	f.Limit = int(limit)
	entries, err := auth.ListAudit(r.Context(), s.DB, f)
	if err != nil {
		return err
	}
	if entries == nil {
		entries = []auth.AuditEntry{}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"entries": entries})
	return nil
}

func (s *handler) handleAuditExport(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	f, err := s.AuditFilter(r)
	if err != nil {
		return err
	}
	entries, err := auth.ListAudit(r.Context(), s.DB, f)
	if err != nil {
		return err
	}
	// The export itself is audited: who took a copy of the log, and when.
	if err := s.Audit(r, p, auth.AuditExport, "audit_log", "", fmt.Sprintf("%d entries", len(entries))); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="audit-%s.csv"`, s.Now().In(s.Loc).Format("20060102-150405")))
	return auth.WriteAuditCSV(w, entries, s.Loc)
}

func (s *handler) handleOverview(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	scope, err := s.ScopeParam(r, p)
	if err != nil {
		return err
	}
	o, err := bulletin.ComputeOverviewCached(r.Context(), s.DB, s.Figures, scope, s.Now(), s.Loc)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, o)
	return nil
}
