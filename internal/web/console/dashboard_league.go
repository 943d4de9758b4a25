package console

import (
	"net/http"
	"sort"
	"time"

	"github.com/fanzha/fanzha/internal/assess"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/web"
)

// The 大屏's 考核排名: this month's league table of the caller's node
// (assess.Compute, the function GET /api/v1/figures/league and /league
// use, with the configured thresholds), each unit with its worst colour,
// the red ones first, and how many units are of each colour.

// dashboardLeague is the 大屏's league block.
type dashboardLeague struct {
	Month    string // 2026年12月
	From, To string // the period as /league takes it (YYYY-MM-DD, to included)
	Unit     string // what a row is: 派出所, 乡镇/街道
	Rows     []dashboardLeagueRow
	Counts   []dashboardColourCount
}

// dashboardLeagueRow is one unit and its colour.
type dashboardLeagueRow struct {
	AreaID     int64
	Name       string
	Colour     string // red, orange, yellow, green, or '' (nothing measured)
	ColourName string
}

// dashboardColourCount is how many units are of one colour.
type dashboardColourCount struct {
	Colour, Name string
	N            int
}

// dashboardColours are the colours worst first, then the ungraded.
var dashboardColours = []assess.Colour{assess.Red, assess.Orange, assess.Yellow, assess.Green, assess.None}

// monthLeague computes this month's league of p's jurisdiction, from the
// 1st through today; nil for a caller who may not read the figures.
func (s *handler) monthLeague(r *http.Request, p *auth.Principal) (*dashboardLeague, error) {
	if !p.Can(auth.CapFiguresRead) {
		return nil, nil
	}
	now := s.Now().In(s.Loc)
	from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, s.Loc)
	to := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, s.Loc).AddDate(0, 0, 1) // through today
	lg, err := assess.Compute(r.Context(), s.DB, p.Scope, from, to)
	if err != nil {
		return nil, err
	}
	b := &dashboardLeague{Month: from.Format("2006年1月"), From: from.Format("2006-01-02"), To: now.Format("2006-01-02"),
		Unit: web.LeagueUnitName(p.Scope)}
	rank := map[assess.Colour]int{}
	for i, c := range dashboardColours {
		rank[c] = i
	}
	n := map[assess.Colour]int{}
	for _, row := range lg.Rows {
		n[row.Colour]++
		b.Rows = append(b.Rows, dashboardLeagueRow{AreaID: row.AreaID, Name: row.Name, Colour: string(row.Colour),
			ColourName: assess.ColourName(row.Colour)})
	}
	sort.SliceStable(b.Rows, func(i, j int) bool {
		return rank[assess.Colour(b.Rows[i].Colour)] < rank[assess.Colour(b.Rows[j].Colour)]
	})
	for _, c := range dashboardColours[:4] {
		b.Counts = append(b.Counts, dashboardColourCount{Colour: string(c), Name: assess.ColourName(c), N: n[c]})
	}
	return b, nil
}
