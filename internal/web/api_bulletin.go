package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/bulletin"
)

// bulletinRoutes registers the bulletins (研判通报) and the dashboard (大屏).
func (s *Server) bulletinRoutes() {
	m := s.mux
	m.HandleFunc("GET /bulletins/report", s.page(auth.CapBulletinRead, s.handleBulletinPrint))
	m.HandleFunc("GET /dashboard", s.page(auth.CapBulletinRead, s.handleDashboardPage))
}

// bulletinRequest reads kind (daily | weekly | monthly | custom), date (a
// day inside the period, default: the last complete period),
// from/to (custom: first and last day, both included) and area_id (a node
// under the caller's; default the caller's node).
func (s *Server) bulletinRequest(r *http.Request, p *auth.Principal) (area.Node, bulletin.Period, error) {
	node, err := s.subScope(r, p)
	if err != nil {
		return node, bulletin.Period{}, err
	}
	qv := r.URL.Query()
	kind := bulletin.PeriodKind(qv.Get("kind"))
	if kind == "" {
		kind = bulletin.Daily
	}
	day := func(name string, def time.Time) (time.Time, error) {
		v := qv.Get(name)
		if v == "" {
			return def, nil
		}
		t, err := time.ParseInLocation("2006-01-02", v, s.loc)
		if err != nil {
			return t, errorf(http.StatusBadRequest, "bad_param", "参数 %s=%q 应为日期 YYYY-MM-DD", name, v)
		}
		return t, nil
	}
	now := s.now().In(s.loc)
	if kind == bulletin.Custom {
		from, err := day("from", time.Time{})
		if err != nil {
			return node, bulletin.Period{}, err
		}
		to, err := day("to", now)
		if err != nil {
			return node, bulletin.Period{}, err
		}
		if from.IsZero() {
			return node, bulletin.Period{}, errorf(http.StatusBadRequest, "bad_param", "自定义期间需要 from（开始日期）")
		}
		pr, err := bulletin.CustomPeriod(from, to, s.loc)
		return node, pr, err
	}
	// Without a date: the last complete period (yesterday, last week, last
	// month), the one a leader compares.
	def := now.AddDate(0, 0, -1)
	switch kind {
	case bulletin.Weekly:
		def = now.AddDate(0, 0, -7)
	case bulletin.Monthly:
		def = now.AddDate(0, 0, -now.Day())
	}
	d, err := day("date", def)
	if err != nil {
		return node, bulletin.Period{}, err
	}
	pr, err := bulletin.PeriodOf(kind, d, s.loc)
	return node, pr, err
}

func (s *Server) computeBulletin(r *http.Request, p *auth.Principal) (bulletin.Bulletin, error) {
	node, pr, err := s.bulletinRequest(r, p)
	if err != nil {
		return bulletin.Bulletin{}, err
	}
	return bulletin.Compute(r.Context(), s.db, node, pr, s.now(), s.loc)
}

func (s *Server) handleBulletinJSON(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	b, err := s.computeBulletin(r, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, b)
	return nil
}

func (s *Server) handleBulletinXLSX(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	b, err := s.computeBulletin(r, p)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := bulletin.WriteExcel(&buf, b); err != nil {
		return err
	}
	if err := s.audit(r, p, auth.AuditExport, "bulletin", strconv.FormatInt(b.AreaID, 10), b.Title); err != nil {
		return err
	}
	name := fmt.Sprintf("%s-%s-%s.xlsx", b.Scope, b.KindName, b.Period.From.Format("20060102"))
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename=\"bulletin.xlsx\"; filename*=UTF-8''"+url.PathEscape(name))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
	return nil
}

func (s *Server) handleBulletinPrint(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	b, err := s.computeBulletin(r, p)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := bulletin.RenderHTML(&buf, b, bulletin.PrintOptions{Links: true,
		XLSX: "/api/v1/bulletins/report.xlsx?" + r.URL.RawQuery, Script: s.printScript()}); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
	return nil
}

func (s *Server) handleBulletinRuns(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	runs, err := bulletin.Runs(r.Context(), s.db, p.Scope, 100)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"runs": runs})
	return nil
}

func (s *Server) handleBulletinSchedule(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	h, err := bulletin.DailyHour(r.Context(), s.db)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int{"daily_hour": h})
	return nil
}

func (s *Server) handleSetBulletinSchedule(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var body struct {
		DailyHour int `json:"daily_hour"`
	}
	if err := decodeJSON(r, &body, 1024); err != nil {
		return err
	}
	if err := bulletin.SetDailyHour(r.Context(), s.db, body.DailyHour); err != nil {
		return err
	}
	if err := s.audit(r, p, auth.AuditUpdate, "setting", bulletin.HourSetting, strconv.Itoa(body.DailyHour)); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int{"daily_hour": body.DailyHour})
	return nil
}

func (s *Server) handleDashboard(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	d, err := bulletin.ComputeDashboardCached(r.Context(), s.db, s.figures, p.Scope, s.now(), s.loc)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (s *Server) handleDashboardPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	d, err := bulletin.ComputeDashboardCached(r.Context(), s.db, s.figures, p.Scope, s.now(), s.loc)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "dashboard", page{Title: "大屏", Data: d})
	return nil
}

// bulletinChoices is what the bulletins page offers: the nodes a bulletin
// can be made for, default dates, the stored runs and the daily hour.
func (s *Server) bulletinChoices(r *http.Request, p *auth.Principal) (map[string]any, error) {
	nodes, err := area.Subtree(r.Context(), s.db, p.Scope)
	if err != nil {
		return nil, err
	}
	var choices []area.Node
	for _, n := range nodes {
		if n.Level == area.County || n.Level == area.Station || n.Level == area.Town || n.ID == p.Scope.ID {
			n.Shape = ""
			choices = append(choices, n)
		}
	}
	runs, err := bulletin.Runs(r.Context(), s.db, p.Scope, 30)
	if err != nil {
		return nil, err
	}
	hour, err := bulletin.DailyHour(r.Context(), s.db)
	if err != nil {
		return nil, err
	}
	now := s.now().In(s.loc)
	return map[string]any{"Nodes": choices, "Runs": runs, "Hour": hour, "Today": now.Format("2006-01-02"),
		"Yesterday": now.AddDate(0, 0, -1).Format("2006-01-02"), "MonthStart": now.AddDate(0, 0, 1-now.Day()).Format("2006-01-02")}, nil
}

// printScript is the console script's link for the printable page, or ""
// when the bundle is not built (the page then prints from the browser menu).
func (s *Server) printScript() string {
	if !s.jsBuilt {
		return ""
	}
	return assetURL("dist/app.js")
}
