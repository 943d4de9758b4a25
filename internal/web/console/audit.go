package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/web"
)

// AuditPageSize is how many audit entries the page shows at a time.
const AuditPageSize = 100

// auditView is the data of the audit page.
type auditView struct {
	Entries   []auth.AuditEntry
	Before    int64
	Actions   web.Select
	User      string
	From      string
	To        string
	Filtered  bool
	FirstURL  string
	OlderURL  string
	ExportURL string
}

// auditActionSelect is the filter bar's choice of action.
func auditActionSelect(chosen string) web.Select {
	opts := []web.Option{{Value: "", Name: "全部操作"}}
	for _, a := range web.AuditActions {
		opts = append(opts, web.Option{Value: a.Code, Name: a.Name})
	}
	return web.NewSelect("action", "", chosen, opts...)
}

// handleAuditPage is the admin's audit log: filters by user, action and
// dates (both days included, Asia/Shanghai), newest first, paged by id, and
// an export link that hands the same filter to GET /api/v1/audit/export.
func (s *handler) handleAuditPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	q := r.URL.Query()
	f := auth.AuditFilter{Username: strings.TrimSpace(q.Get("user")), Action: q.Get("action"), Limit: AuditPageSize}
	// The filter as the API reads it: the dates become instants, so that
	// the page and the export agree and the "to" day is included.
	api := url.Values{}
	if f.Username != "" {
		api.Set("user", f.Username)
	}
	if f.Action != "" {
		api.Set("action", f.Action)
	}
	day := func(name string, next int) (time.Time, error) {
		v := strings.TrimSpace(q.Get(name))
		if v == "" {
			return time.Time{}, nil
		}
		t, err := time.ParseInLocation("2006-01-02", v, s.Loc)
		if err != nil {
			return time.Time{}, web.Errorf(http.StatusBadRequest, "bad_param", "日期 %q 应为 年-月-日，例如 2026-01-31", v)
		}
		t = t.AddDate(0, 0, next)
		api.Set(name, t.Format(time.RFC3339))
		return t.UTC(), nil
	}
	var err error
	if f.From, err = day("from", 0); err != nil {
		return err
	}
	if f.To, err = day("to", 1); err != nil {
		return err
	}
	if f.BeforeID, err = web.FormInt(r, "before"); err != nil {
		return err
	}
	entries, err := auth.ListAudit(r.Context(), s.DB, f)
	if err != nil {
		return err
	}
	var next int64
	if len(entries) == f.Limit {
		next = entries[len(entries)-1].ID
	}
	// The page's own links keep the form's values (dates as typed).
	page := url.Values{}
	for _, k := range []string{"user", "action", "from", "to"} {
		if v := strings.TrimSpace(q.Get(k)); v != "" {
			page.Set(k, v)
		}
	}
	// Links are built whole here: html/template escapes a value placed
	// after "?" as one query component, which would encode its "=" and "&".
	first := "/audit"
	if len(page) > 0 {
		first += "?" + page.Encode()
	}
	var older string
	if next > 0 {
		page.Set("before", strconv.FormatInt(next, 10))
		older = "/audit?" + page.Encode()
	}
	s.Render(w, r, http.StatusOK, "audit", pageData("审计日志", "/audit", auditView{
		Entries: entries, Before: f.BeforeID, Actions: auditActionSelect(f.Action),
		User: f.Username, From: q.Get("from"), To: q.Get("to"), Filtered: len(page) > 0,
		FirstURL: first, OlderURL: older, ExportURL: "/api/v1/audit/export?" + api.Encode()}))
	return nil
}

func pageData(title, active string, data any) web.Page {
	return web.Page{Title: title, Active: active, Data: data}
}
