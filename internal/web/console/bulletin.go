package console

import (
	"bytes"
	"net/http"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/bulletin"
	"github.com/fanzha/fanzha/internal/warning"
	"github.com/fanzha/fanzha/internal/web"
)

// bulletinRoutes registers the bulletins (研判通报) and the dashboard (大屏).
func (s *handler) bulletinRoutes() {
	m := s.Mux
	m.HandleFunc("GET /bulletins/report", s.Page(auth.CapBulletinRead, s.handleBulletinPrint))
	m.HandleFunc("GET /dashboard", s.Page(auth.CapBulletinRead, s.handleDashboardPage))
}

func (s *handler) handleBulletinPrint(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	b, err := s.ComputeBulletin(r, p)
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

// dashboardView is the data of the dashboard (大屏): the figures its script
// refreshes (bulletin.Dashboard), this year's 打击战果 (dashboard_strike.go)
// and this month's 考核排名 (dashboard_league.go; nil without figures.read).
type dashboardView struct {
	bulletin.Dashboard
	Strike dashboardStrike
	League *dashboardLeague
}

func (s *handler) handleDashboardPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	d, err := bulletin.ComputeDashboardCached(r.Context(), s.DB, s.Figures, p.Scope, s.Now(), s.Loc)
	if err != nil {
		return err
	}
	strike, err := s.yearStrike(r, p)
	if err != nil {
		return err
	}
	league, err := s.monthLeague(r, p)
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "dashboard", web.Page{Title: "大屏", Data: dashboardView{Dashboard: d, Strike: strike, League: league}})
	return nil
}

// bulletinChoices is what the bulletins page offers to make a bulletin:
// the nodes, the stored runs, the daily hour and default dates.
type bulletinChoices struct {
	Nodes                        []area.Node
	Runs                         []bulletin.Run
	Hour                         int
	Today, Yesterday, MonthStart string
}

// bulletinChoices is what the bulletins page offers: the nodes a bulletin
// can be made for, default dates, the stored runs and the daily hour.
func (s *handler) bulletinChoices(r *http.Request, p *auth.Principal) (bulletinChoices, error) {
	nodes, err := area.ByLevels(r.Context(), s.DB, p.Scope, p.Scope.Level, area.County, area.Station, area.Town)
	if err != nil {
		return bulletinChoices{}, err
	}
	var choices []area.Node
	for _, n := range nodes {
		if n.Level == area.County || n.Level == area.Station || n.Level == area.Town || n.ID == p.Scope.ID {
			n.Shape = ""
			choices = append(choices, n)
		}
	}
	runs, err := bulletin.Runs(r.Context(), s.DB, p.Scope, 30)
	if err != nil {
		return bulletinChoices{}, err
	}
	hour, err := bulletin.DailyHour(r.Context(), s.DB)
	if err != nil {
		return bulletinChoices{}, err
	}
	now := s.Now().In(s.Loc)
	return bulletinChoices{Nodes: choices, Runs: runs, Hour: hour, Today: now.Format("2006-01-02"),
		Yesterday: now.AddDate(0, 0, -1).Format("2006-01-02"), MonthStart: now.AddDate(0, 0, 1-now.Day()).Format("2006-01-02")}, nil
}

// printScript is the console script's link for the printable page, or ""
// when the bundle is not built (the page then prints from the browser menu).
func (s *handler) printScript() string {
	if !s.JSBuilt {
		return ""
	}
	return web.AssetURL("dist/app.js")
}

// bulletinsView is the data of the bulletins page.
type bulletinsView struct {
	Rows []warning.SpanFigures
	O    bulletin.Overview
	Gen  bulletinChoices
}

func (s *handler) handleBulletinsPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	now := s.Now()
	rows, err := warning.RecentFigures(r.Context(), s.DB, s.Figures, p.Scope, now, s.Loc)
	if err != nil {
		return err
	}
	o, err := bulletin.ComputeOverviewCached(r.Context(), s.DB, s.Figures, p.Scope, now, s.Loc)
	if err != nil {
		return err
	}
	gen, err := s.bulletinChoices(r, p)
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "bulletins", web.Page{Title: "研判通报", Active: "/bulletins", Data: bulletinsView{Rows: rows, O: o, Gen: gen}})
	return nil
}
