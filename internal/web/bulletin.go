package web

import (
	"net/http"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/bulletin"
)

// 研判通报 helpers both doors use: reading a bulletin request, computing it.

// bulletinRequest reads kind (daily | weekly | monthly | custom), date (a
// day inside the period, default: the last complete period),
// from/to (custom: first and last day, both included) and area_id (a node
// under the caller's; default the caller's node).
func (s *Server) bulletinRequest(r *http.Request, p *auth.Principal) (area.Node, bulletin.Period, error) {
	node, err := s.SubScope(r, p)
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
		t, err := time.ParseInLocation("2006-01-02", v, s.Loc)
		if err != nil {
			return t, Errorf(http.StatusBadRequest, "bad_param", "参数 %s=%q 应为日期 YYYY-MM-DD", name, v)
		}
		return t, nil
	}
	now := s.Now().In(s.Loc)
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
			return node, bulletin.Period{}, Errorf(http.StatusBadRequest, "bad_param", "自定义期间需要 from（开始日期）")
		}
		pr, err := bulletin.CustomPeriod(from, to, s.Loc)
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
	pr, err := bulletin.PeriodOf(kind, d, s.Loc)
	return node, pr, err
}

func (s *Server) ComputeBulletin(r *http.Request, p *auth.Principal) (bulletin.Bulletin, error) {
	node, pr, err := s.bulletinRequest(r, p)
	if err != nil {
		return bulletin.Bulletin{}, err
	}
	return bulletin.Compute(r.Context(), s.DB, node, pr, s.Now(), s.Loc)
}
