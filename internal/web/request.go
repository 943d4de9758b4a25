package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
)

// Reading a request: path and query parameters, the list window, the
// caller's masker and scope, audit entries.

// PathID parses the {id} path value.
func PathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, Errorf(http.StatusBadRequest, "bad_id", "编号 %q 不是有效的正整数", r.PathValue("id"))
	}
	return id, nil
}

// QueryInt parses an optional integer query parameter.
func QueryInt(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, Errorf(http.StatusBadRequest, "bad_param", "参数 %s=%q 不是整数", name, v)
	}
	return n, nil
}

// QueryTime parses an optional time parameter: RFC 3339, or a date
// YYYY-MM-DD taken as local midnight in Asia/Shanghai.
func (s *Server) QueryTime(r *http.Request, name string) (time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.ParseInLocation("2006-01-02", v, s.Loc); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, Errorf(http.StatusBadRequest, "bad_param", "参数 %s=%q 应为日期 YYYY-MM-DD 或 RFC 3339 时间", name, v)
}

// ListWindow is the window of a newest-first list a request asks for:
// ?before (keyset paging), ?limit, ?from and ?to.
type ListWindow struct {
	BeforeID int64
	Limit    int
	From, To time.Time
}

// ListWindowOf reads the list window of r.
func (s *Server) ListWindowOf(r *http.Request) (ListWindow, error) {
	var lw ListWindow
	var err error
	if lw.BeforeID, err = QueryInt(r, "before"); err != nil {
		return ListWindow{}, err
	}
	limit, err := QueryInt(r, "limit")
	if err != nil {
		return ListWindow{}, err
	}
	lw.Limit = int(limit)
	if lw.From, err = s.QueryTime(r, "from"); err != nil {
		return ListWindow{}, err
	}
	if lw.To, err = s.QueryTime(r, "to"); err != nil {
		return ListWindow{}, err
	}
	return lw, nil
}

// Masker decides masking for a response. ?unmask=1 asks for the full
// numbers: refused unless the role may see them; when granted, the read is
// audited with what was read.
func (s *Server) Masker(r *http.Request, p *auth.Principal, objectType, objectID string) (auth.Masker, error) {
	asked := r.URL.Query().Get("unmask") == "1" || r.URL.Query().Get("unmask") == "true"
	if !asked {
		return auth.Masker{}, nil
	}
	if !p.Can(auth.CapUnmask) {
		return auth.Masker{}, Errorf(http.StatusForbidden, "forbidden", "当前角色（%s）无权查看完整的身份证号、手机号和银行卡号", auth.RoleName(p.User.Role))
	}
	if err := s.Audit(r, p, auth.AuditUnmask, objectType, objectID, r.URL.RequestURI()); err != nil {
		return auth.Masker{}, err
	}
	return auth.Masker{Unmasked: true}, nil
}

func (s *Server) AuditFilter(r *http.Request) (auth.AuditFilter, error) {
	f := auth.AuditFilter{Username: strings.TrimSpace(r.URL.Query().Get("user")), Action: r.URL.Query().Get("action")}
	var err error
	if f.From, err = s.QueryTime(r, "from"); err != nil {
		return f, err
	}
	if f.To, err = s.QueryTime(r, "to"); err != nil {
		return f, err
	}
	if f.BeforeID, err = QueryInt(r, "before"); err != nil {
		return f, err
	}
	return f, nil
}

// ScopeParam is the node a figures request is about: ?area=ID under the
// caller's jurisdiction, or the jurisdiction itself.
func (s *Server) ScopeParam(r *http.Request, p *auth.Principal) (area.Node, error) {
	id, err := QueryInt(r, "area")
	if err != nil || id == 0 {
		return p.Scope, err
	}
	return area.GetUnder(r.Context(), s.DB, p.Scope, id)
}

func (s *Server) AuditEntry(r *http.Request, p *auth.Principal) auth.AuditEntry {
	return auth.AuditFor(p, ClientIP(r), RequestID(r.Context()))
}

func (s *Server) AuditWho(r *http.Request, p *auth.Principal) auth.AuditEntry {
	return auth.AuditFor(p, ClientIP(r), RequestID(r.Context()))
}

// OwnOnly is the creator filter of prevention lists: grid workers and
// schools (role grid) see the events they logged themselves; officers see
// every event of their jurisdiction.
func OwnOnly(p *auth.Principal) int64 {
	if p.User.Role == auth.RoleGrid {
		return p.User.ID
	}
	return 0
}

// SubScope is the node ?area_id= names under the caller's node, or the
// caller's node.
func (s *Server) SubScope(r *http.Request, p *auth.Principal) (area.Node, error) {
	id, err := QueryInt(r, "area_id")
	if err != nil || id == 0 {
		return p.Scope, err
	}
	return area.GetUnder(r.Context(), s.DB, p.Scope, id)
}
