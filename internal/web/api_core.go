package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/bulletin"
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

func (s *Server) me(p *auth.Principal) meResponse {
	return meResponse{ID: p.User.ID, Username: p.User.Username, DisplayName: p.User.DisplayName, Role: p.User.Role,
		RoleName: auth.RoleName(p.User.Role), AreaID: p.Scope.ID, AreaName: p.Scope.FullName, AreaLevel: p.Scope.Level,
		UnitID: p.User.UnitID, Capabilities: p.User.Role.Capabilities()}
}

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	writeJSON(w, http.StatusOK, s.me(p))
	return nil
}

// pathID parses the {id} path value.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errorf(http.StatusBadRequest, "bad_id", "编号 %q 不是有效的正整数", r.PathValue("id"))
	}
	return id, nil
}

// queryInt parses an optional integer query parameter.
func queryInt(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, errorf(http.StatusBadRequest, "bad_param", "参数 %s=%q 不是整数", name, v)
	}
	return n, nil
}

// queryTime parses an optional time parameter: RFC 3339, or a date
// YYYY-MM-DD taken as local midnight in Asia/Shanghai.
func (s *Server) queryTime(r *http.Request, name string) (time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.ParseInLocation("2006-01-02", v, s.loc); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, errorf(http.StatusBadRequest, "bad_param", "参数 %s=%q 应为日期 YYYY-MM-DD 或 RFC 3339 时间", name, v)
}

// masker decides masking for a response. ?unmask=1 asks for the full
// numbers: refused unless the role may see them; when granted, the read is
// audited with what was read.
func (s *Server) masker(r *http.Request, p *auth.Principal, objectType, objectID string) (auth.Masker, error) {
	asked := r.URL.Query().Get("unmask") == "1" || r.URL.Query().Get("unmask") == "true"
	if !asked {
		return auth.Masker{}, nil
	}
	if !p.Can(auth.CapUnmask) {
		return auth.Masker{}, errorf(http.StatusForbidden, "forbidden", "当前角色（%s）无权查看完整的身份证号、手机号和银行卡号", auth.RoleName(p.User.Role))
	}
	if err := s.audit(r, p, auth.AuditUnmask, objectType, objectID, r.URL.RequestURI()); err != nil {
		return auth.Masker{}, err
	}
	return auth.Masker{Unmasked: true}, nil
}

func (s *Server) handleAreas(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	nodes, err := area.Subtree(r.Context(), s.db, p.Scope)
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
	writeJSON(w, http.StatusOK, map[string]any{"areas": nodes})
	return nil
}

func (s *Server) handleArea(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	n, err := area.GetUnder(r.Context(), s.db, p.Scope, id)
	if err != nil {
		return err
	}
	children, err := area.Children(r.Context(), s.db, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"area": n, "children": children})
	return nil
}

func (s *Server) handleUsers(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	users, err := auth.ListUsers(r.Context(), s.db, p.Scope, auth.Role(r.URL.Query().Get("role")))
	if err != nil {
		return err
	}
	m, err := s.masker(r, p, "users", "")
	if err != nil {
		return err
	}
	for i := range users {
		users[i].Phone = m.Phone(users[i].Phone)
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": users})
	return nil
}

func (s *Server) auditFilter(r *http.Request) (auth.AuditFilter, error) {
	f := auth.AuditFilter{Username: strings.TrimSpace(r.URL.Query().Get("user")), Action: r.URL.Query().Get("action")}
	var err error
	if f.From, err = s.queryTime(r, "from"); err != nil {
		return f, err
	}
	if f.To, err = s.queryTime(r, "to"); err != nil {
		return f, err
	}
	if f.BeforeID, err = queryInt(r, "before"); err != nil {
		return f, err
	}
	return f, nil
}

func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	f, err := s.auditFilter(r)
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit")
	if err != nil {
		return err
	}
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	f.Limit = int(limit)
	entries, err := auth.ListAudit(r.Context(), s.db, f)
	if err != nil {
		return err
	}
	if entries == nil {
		entries = []auth.AuditEntry{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": entries})
	return nil
}

func (s *Server) handleAuditExport(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	f, err := s.auditFilter(r)
	if err != nil {
		return err
	}
	entries, err := auth.ListAudit(r.Context(), s.db, f)
	if err != nil {
		return err
	}
	// The export itself is audited: who took a copy of the log, and when.
	if err := s.audit(r, p, auth.AuditExport, "audit_log", "", fmt.Sprintf("%d entries", len(entries))); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="audit-%s.csv"`, s.now().In(s.loc).Format("20060102-150405")))
	return auth.WriteAuditCSV(w, entries, s.loc)
}

// scopeParam is the node a figures request is about: ?area=ID under the
// caller's jurisdiction, or the jurisdiction itself.
func (s *Server) scopeParam(r *http.Request, p *auth.Principal) (area.Node, error) {
	id, err := queryInt(r, "area")
	if err != nil || id == 0 {
		return p.Scope, err
	}
	return area.GetUnder(r.Context(), s.db, p.Scope, id)
}

func (s *Server) handleOverview(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	scope, err := s.scopeParam(r, p)
	if err != nil {
		return err
	}
	o, err := bulletin.ComputeOverviewCached(r.Context(), s.db, s.figures, scope, s.now(), s.loc)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, o)
	return nil
}
